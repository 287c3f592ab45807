"""`GraphStore`: the public API every store shares, over a `Backend`.

A store keeps chunks (text, metadata, links, one vector each) and answers three kinds of
search. The facade checks every argument, embeds texts, holds the lock and the settings;
the data lives in a backend (`doclinks.store.backends`), and the searches are strategies
(`doclinks.store.strategies`) that reach the data through the backend's public methods.
`SQLiteGraphStore`, `PostgresGraphStore` and `InMemoryGraphStore` are this class with their
backend built for them.

The module is over 350 lines: it is the whole public API, one documented method after
another (each with its async twin), and splitting it would split that list.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..document import Document
from ..embeddings import Embeddings, default_embeddings
from .backends.base import Backend
from .errors import StoreClosedError, UnknownIdError
from .filters import filter_tokens
from .records import ChunkRecord, build_record, check_count, check_ids, check_vector, unique_batch
from .results import Found, to_documents
from .settings import TraversalSettings
from .strategies.mmr import mmr_traverse
from .strategies.traversal import traverse

__all__ = ["GraphStore"]


class GraphStore:
    """Chunks linked by shared tags, searchable by similarity and along links.

    Args:
        backend: where the chunks live (`doclinks.store.backends`); the store closes it.
        embedding: the embedder (anything with ``embed_documents``/``embed_query``);
            None means the default, `doclinks.embeddings.MiniLMEmbeddings`.
        settings: traversal settings (default `TraversalSettings()`).

    All methods are thread-safe (one lock per store). Async variants run the
    synchronous method in a worker thread.
    """

    def __init__(
        self, backend: Backend, embedding: Embeddings | None = None, settings: TraversalSettings | None = None
    ) -> None:
        try:
            if not isinstance(backend, Backend):
                raise TypeError(f"backend must be a doclinks.store.backends.Backend, got {type(backend).__name__}")
            if embedding is None:
                embedding = default_embeddings()
            if not (hasattr(embedding, "embed_documents") and hasattr(embedding, "embed_query")):
                raise TypeError(
                    "embedding must have embed_documents(texts) and embed_query(text), "
                    f"got {type(embedding).__name__}"
                )
            if settings is None:
                settings = TraversalSettings()
            if not isinstance(settings, TraversalSettings):
                raise TypeError(f"settings must be a TraversalSettings, got {type(settings).__name__}")
        except BaseException:
            if isinstance(backend, Backend):  # the constructors of the subclasses opened it for this store
                backend.close()
            raise
        self.backend = backend
        self.embedding = embedding
        self.settings = settings
        self._lock = threading.RLock()
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.backend!r})"

    # ------------------------------------------------------------------ lifecycle
    def _check_open(self) -> None:
        """Raise StoreClosedError after `close`; else let the backend catch up (under the lock)."""
        if self._closed:
            raise StoreClosedError(f"{self!r} is closed")
        self.backend.refresh()

    def close(self) -> None:
        """Close the store; later calls raise `StoreClosedError`. Closing twice is fine."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self.backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        with self._lock:
            self._check_open()
            return self.backend.count()

    def degree_limit(self) -> int:
        """The hub limit now: tags carried (incoming side) by more chunks are not walked.

        `TraversalSettings.degree_limit` of the number of chunks stored.
        """
        with self._lock:
            self._check_open()
            return self.settings.degree_limit(self.backend.count())

    # ------------------------------------------------------------------ writes
    def add_documents(self, documents: Iterable[Any], ids: Sequence[str] | None = None) -> list[str]:
        """Upsert documents (doclinks or LangChain), in one transaction.

        A document whose id is already stored is replaced, with its links and
        vector. Ingesting the same documents again changes nothing (a document whose
        text is unchanged is not embedded again). Ids come from `ids`, else from each
        document's ``id``, else they are derived from the content, metadata and links
        (a UUID5), so re-ingesting id-less documents is also a no-op.

        Args:
            documents: the documents; ``metadata["links"]`` holds their links.
            ids: optional ids, one per document (default None).

        Returns:
            The ids, one per document, in order.

        Raises:
            ValueError: `ids` of the wrong length, one id twice with different
                documents, or an embedding of the wrong dimension, NaN or zero.
            TypeError: metadata that is not JSON-serialisable, or a non-Link link.
        """
        docs = list(documents)
        if ids is not None:
            ids = check_ids(ids)
            if len(ids) != len(docs):
                raise ValueError(f"got {len(ids)} ids for {len(docs)} documents")
        records = [build_record(d, None if ids is None else ids[i], i) for i, d in enumerate(docs)]
        out_ids = [r.id for r in records]
        records = unique_batch(records)
        if not records:
            return out_ids
        with self._lock:
            self._check_open()
            stored = self.backend.stored([r.id for r in records])
            dim = self.backend.dimension()
            to_write: list[ChunkRecord] = []
            to_embed: list[ChunkRecord] = []
            for r in records:
                old = stored.get(r.id)
                if old is not None and old.content == r.content:
                    if (old.metadata_json, old.links_json) == (r.metadata_json, r.links_json):
                        continue  # identical: nothing to write
                    r.vector = old.vector  # same text: no need to embed it again
                    to_write.append(r)
                else:
                    to_embed.append(r)
                    to_write.append(r)
            if to_embed:
                vectors = self.embedding.embed_documents([r.content for r in to_embed])
                vectors = list(vectors)
                if len(vectors) != len(to_embed):
                    raise ValueError(
                        f"the embedder returned {len(vectors)} vectors for {len(to_embed)} texts"
                    )
                for r, v in zip(to_embed, vectors):
                    r.vector = check_vector(v, dim, f"embedding of document {r.id!r}")
                    dim = r.vector.shape[0]
            if to_write:
                self.backend.write(to_write)
        return out_ids

    def delete(self, ids: Sequence[str], *, missing: str = "raise") -> int:
        """Delete documents, their links and vectors, in one transaction.

        Args:
            ids: the ids to delete.
            missing: ``"raise"`` (default): if any id is unknown, raise
                `UnknownIdError` and delete nothing; ``"ignore"``: skip unknown ids.

        Returns:
            The number of documents deleted.
        """
        ids = check_ids(ids)
        if missing not in ("raise", "ignore"):
            raise ValueError(f'missing must be "raise" or "ignore", got {missing!r}')
        ids = list(dict.fromkeys(ids))
        with self._lock:
            self._check_open()
            if not ids:
                return 0
            return self.backend.delete(ids, missing)

    # ------------------------------------------------------------------ reads
    def get_by_ids(self, ids: Sequence[str], *, missing: str = "raise") -> list[Document]:
        """The stored documents with these ids, in the order asked.

        Args:
            ids: the ids.
            missing: ``"raise"`` (default): raise `UnknownIdError` naming the unknown
                ids; ``"skip"``: leave them out (LangChain's behaviour).
        """
        ids = check_ids(ids)
        if missing not in ("raise", "skip"):
            raise ValueError(f'missing must be "raise" or "skip", got {missing!r}')
        with self._lock:
            self._check_open()
            found = self.backend.get(list(dict.fromkeys(ids)))
        unknown = [i for i in dict.fromkeys(ids) if i not in found]
        if unknown and missing == "raise":
            raise UnknownIdError(unknown)
        return [found[i] for i in ids if i in found]

    def stored_ids(self, ids: Iterable[str]) -> set[str]:
        """The ids among `ids` that the store holds."""
        ids = list(dict.fromkeys(check_ids(ids)))
        with self._lock:
            self._check_open()
            return self.backend.stored_ids(ids) if ids else set()

    def metadata_values(self, ids: Iterable[str], key: str) -> dict[str, Any]:
        """For each id among `ids` that the store holds: its ``metadata[key]`` (None when absent).

        Reads one metadata key of many chunks without building their Documents where the
        backend can (e.g. the ``ner_labels`` the command line records on each chunk).
        """
        ids = list(dict.fromkeys(check_ids(ids)))
        if not isinstance(key, str):
            raise TypeError(f"key must be a str, got {type(key).__name__}")
        with self._lock:
            self._check_open()
            return self.backend.metadata_values(ids, key) if ids else {}

    def iter_documents(self, batch_size: int = 1000) -> Iterator[Document]:
        """Every stored chunk as a Document (links in ``metadata["links"]``), in insertion order.

        Args:
            batch_size: chunks read at a time (default 1000); only one batch is in memory,
                and the lock is held only while a batch is read, so writes may interleave
                (a chunk written meanwhile may or may not be seen).

        A replaced chunk keeps its place; results carry no search metadata.
        """
        check_count("batch_size", batch_size)
        if batch_size == 0:
            raise ValueError("batch_size must be >= 1, got 0")
        batches = self.backend.iter_documents(batch_size)
        while True:
            with self._lock:
                self._check_open()
                batch = next(batches, None)
            if batch is None:
                return
            yield from batch

    def tag_degrees(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The degree of each ``(kind, tag)`` in `pairs`: how many chunks carry its incoming side
        (``in`` or ``bidir``); 0 for a tag no chunk receives. Compare with `degree_limit`."""
        wanted = set()
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise TypeError(f"pairs must be (kind, tag) tuples of str, got {pair!r}")
            wanted.add(pair)
        with self._lock:
            self._check_open()
            return self.backend.tag_degrees(sorted(wanted)) if wanted else {}

    def tags(self) -> list[tuple[str, str]]:
        """Every ``(kind, tag)`` the store holds, on either side of a link (a tag no chunk carries
        any more may stay listed; PostgreSQL lists a tag over 1000 bytes by its digest)."""
        with self._lock:
            self._check_open()
            return self.backend.tags()

    def documents_with_tags(self, pairs: Iterable[tuple[str, str]]) -> list[Document]:
        """The stored chunks carrying a link (either side) with one of the ``(kind, tag)`` `pairs`,
        in insertion order, as Documents: the part of a corpus that a change of these tags touches."""
        wanted = set()
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise TypeError(f"pairs must be (kind, tag) tuples of str, got {pair!r}")
            wanted.add(pair)
        with self._lock:
            self._check_open()
            return self.backend.documents_with_tags(sorted(wanted)) if wanted else []

    def _embed_query(self, query: str) -> np.ndarray:
        """`query` embedded and checked (unit length, the store's dimension)."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__}")
        return self._query_vector(self.embedding.embed_query(query))

    def _query_vector(self, vector: Any) -> np.ndarray:
        """A query vector checked against the store's dimension, unit length."""
        return check_vector(vector, self.backend.dimension(), "query embedding")

    def _results(self, found: list[Found]) -> list[Document]:
        """The Documents of `found` with their result metadata (`doclinks.store.results`)."""
        return to_documents(self.backend, found, self.settings.degree_limit(self.backend.count()))

    def similarity_search(self, query: str, k: int = 4, filter: dict[str, Any] | None = None) -> list[Document]:
        """The `k` chunks most similar to `query` (cosine), best first, ties by id.

        Args:
            query: text to embed with the store's embedder.
            k: number of results (default 4).
            filter: metadata filter (default None), see `records.filter_tokens`.

        Results carry ``_similarity_score`` (cosine, in [-1, 1]) and ``_depth`` (0).
        """
        check_count("k", k)
        tokens = filter_tokens(filter)
        return self._search(lambda: self._embed_query(query), lambda q: self._nearest(q, k, tokens))

    def similarity_search_by_vector(
        self, embedding: Sequence[float], k: int = 4, filter: dict[str, Any] | None = None
    ) -> list[Document]:
        """`similarity_search` with a query vector instead of text (default k=4)."""
        check_count("k", k)
        tokens = filter_tokens(filter)
        return self._search(lambda: self._query_vector(embedding), lambda q: self._nearest(q, k, tokens))

    def _nearest(self, query: np.ndarray, k: int, tokens: list[tuple[str, str]]) -> list[Found]:
        """The similarity search itself: the `k` nearest chunks, all at depth 0."""
        return [Found(h.key, h.id, h.similarity, 0) for h in self.backend.search(query, k, tokens)]

    def _search(
        self, make_query: Callable[[], np.ndarray], strategy: Callable[[np.ndarray], list[Found]]
    ) -> list[Document]:
        """Under the lock: build the query vector with `make_query()` (once the store is known to hold
        vectors: an empty store answers ``[]`` without embedding anything), find with `strategy`."""
        with self._lock:
            self._check_open()
            if self.backend.dimension() is None:
                return []
            return self._results(strategy(make_query()))

    def traversal_search(
        self,
        query: str,
        k: int = 4,
        depth: int = 1,
        filter: dict[str, Any] | None = None,
        *,
        adjacent_k: int | None = 10,
    ) -> list[Document]:
        """The `k` nearest chunks, then their neighbours through links, up to `depth` hops.

        Args:
            query: text to embed.
            k: number of roots found by similarity (default 4).
            depth: hops to follow (default 1); 0 gives `similarity_search`.
            filter: metadata filter for roots and neighbours alike (default None).
            adjacent_k: most chunks one hop admits, for the whole hop (default 10);
                None admits every neighbour.

        Returns roots first (by similarity), then each depth in rank order; results carry
        ``_depth`` and ``_similarity_score``, and at depth > 0 ``_via`` and ``_via_degrees``
        (the tags that led to them: `doclinks.store.results`). See
        `doclinks.store.strategies.traversal`.
        """
        check_count("k", k)
        check_count("depth", depth)
        check_count("adjacent_k", adjacent_k, allow_none=True)
        tokens = filter_tokens(filter)
        return self._search(
            lambda: self._embed_query(query),
            lambda q: traverse(self.backend, q, k=k, depth=depth, adjacent_k=adjacent_k, tokens=tokens,
                               settings=self.settings),
        )  # fmt: skip

    def mmr_traversal_search(
        self,
        query: str,
        k: int = 4,
        depth: int = 2,
        fetch_k: int = 100,
        adjacent_k: int | None = 10,
        lambda_mult: float = 0.5,
        score_threshold: float = float("-inf"),
        filter: dict[str, Any] | None = None,
    ) -> list[Document]:
        """Diverse results: MMR over the `fetch_k` nearest chunks and what links add.

        Args:
            query: text to embed.
            k: number of results (default 4).
            depth: largest depth of a result from the similarity candidates (default 2).
            fetch_k: candidates found by similarity (default 100).
            adjacent_k: most candidates one expansion of a selected chunk adds
                (default 10); None adds all.
            lambda_mult: in [0, 1]; 1 ranks by similarity only, 0 by diversity only
                (default 0.5).
            score_threshold: stop when the best MMR score is below this (default -inf).
            filter: metadata filter (default None).

        Results, in selection order, carry ``_depth``, ``_similarity_score`` and
        ``_mmr_score``, and at depth > 0 ``_via`` and ``_via_degrees`` (`doclinks.store.results`).
        See `doclinks.store.strategies.mmr` for the formula.
        """
        check_count("k", k)
        check_count("depth", depth)
        check_count("fetch_k", fetch_k)
        check_count("adjacent_k", adjacent_k, allow_none=True)
        if isinstance(lambda_mult, bool) or not isinstance(lambda_mult, (int, float)):
            raise TypeError(f"lambda_mult must be a number in [0, 1], got {lambda_mult!r}")
        if not 0.0 <= lambda_mult <= 1.0:
            raise ValueError(f"lambda_mult must be in [0, 1], got {lambda_mult}")
        if isinstance(score_threshold, bool) or not isinstance(score_threshold, (int, float)) or math.isnan(
            score_threshold
        ):
            raise ValueError(f"score_threshold must be a number, got {score_threshold!r}")
        tokens = filter_tokens(filter)
        return self._search(
            lambda: self._embed_query(query),
            lambda q: mmr_traverse(self.backend, q, k=k, depth=depth, fetch_k=fetch_k, adjacent_k=adjacent_k,
                                   lambda_mult=float(lambda_mult), score_threshold=float(score_threshold),
                                   tokens=tokens, settings=self.settings),
        )  # fmt: skip

    # ------------------------------------------------------------------ async
    async def aadd_documents(self, documents: Iterable[Any], ids: Sequence[str] | None = None) -> list[str]:
        """Async `add_documents` (runs in a worker thread)."""
        return await asyncio.to_thread(self.add_documents, list(documents), ids)

    async def adelete(self, ids: Sequence[str], *, missing: str = "raise") -> int:
        """Async `delete`."""
        return await asyncio.to_thread(self.delete, ids, missing=missing)

    async def aget_by_ids(self, ids: Sequence[str], *, missing: str = "raise") -> list[Document]:
        """Async `get_by_ids`."""
        return await asyncio.to_thread(self.get_by_ids, ids, missing=missing)

    async def asimilarity_search(self, query: str, k: int = 4, filter: dict[str, Any] | None = None) -> list[Document]:
        """Async `similarity_search`."""
        return await asyncio.to_thread(self.similarity_search, query, k, filter)

    async def atraversal_search(
        self, query: str, k: int = 4, depth: int = 1, filter: dict[str, Any] | None = None, *, adjacent_k: int | None = 10
    ) -> list[Document]:
        """Async `traversal_search`."""
        return await asyncio.to_thread(self.traversal_search, query, k, depth, filter, adjacent_k=adjacent_k)

    async def ammr_traversal_search(self, query: str, **kwargs: Any) -> list[Document]:
        """Async `mmr_traversal_search` (same keyword arguments)."""
        return await asyncio.to_thread(lambda: self.mmr_traversal_search(query, **kwargs))

    # ------------------------------------------------------------------ LangChain
    def as_retriever(self, search_type: str = "similarity", search_kwargs: dict[str, Any] | None = None, **kwargs: Any):
        """A LangChain ``BaseRetriever`` over this store (needs ``langchain-core``).

        Args:
            search_type: ``"similarity"`` (default), ``"traversal"`` or ``"mmr_traversal"``.
            search_kwargs: keyword arguments of the search method, e.g. ``{"k": 4, "depth": 2}``.
            kwargs: passed to the retriever (``tags``, ``metadata``).
        """
        from .retriever import make_retriever

        return make_retriever(self, search_type, dict(search_kwargs or {}), **kwargs)
