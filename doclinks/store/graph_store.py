"""`GraphStore`: the public API every store shares, over a `Backend`.

A store keeps chunks (text, metadata, links, one vector each) and answers three kinds of
search. The facade checks every argument, embeds texts, holds the lock and the settings;
the data lives in a backend (`doclinks.store.backends`), and the searches are strategies
(`doclinks.store.strategies`) that reach the data through the backend's public methods.
`SQLiteGraphStore`, `PostgresGraphStore` and `InMemoryGraphStore` are this class with their
backend built for them. With langchain-core installed it is a ``langchain_core`` ``VectorStore``;
its LangChain methods, and where they differ from doclinks' (``semantics``), are in
`doclinks.store.langchain`.

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
from .entity_search import EntitySearch
from .errors import StoreClosedError, UnknownIdError
from .filters import Condition, compile_filter, index_text
from .langchain import AsyncResults, VectorStoreAPI, check_semantics
from .records import ChunkRecord, build_record, check_count, check_ids, check_vector, unique_batch
from .results import Found, to_documents
from .settings import TraversalSettings
from .strategies.mmr import mmr_traverse
from .strategies.traversal import traverse
from .sync import SourceSync

__all__ = ["GraphStore"]


class GraphStore(EntitySearch, SourceSync, VectorStoreAPI):
    """Chunks linked by shared tags, searchable by similarity and along links.

    Args:
        backend: where the chunks live (`doclinks.store.backends`); the store closes it.
        embedding: the embedder (anything with ``embed_documents``/``embed_query``);
            None means the default, `doclinks.embeddings.MiniLMEmbeddings`.
        settings: traversal settings (default `TraversalSettings()`).
        semantics: ``"doclinks"`` (default) or ``"langchain"``: whose answer a call gives where
            doclinks and LangChain's VectorStore differ (unknown ids, result types and metadata),
            see `doclinks.store.langchain`. ``"langchain"`` needs langchain-core.

    All methods are thread-safe (one lock per store). Async variants run the
    synchronous method in a worker thread.
    """

    def __init__(
        self,
        backend: Backend,
        embedding: Embeddings | None = None,
        settings: TraversalSettings | None = None,
        *,
        semantics: str = "doclinks",
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
            semantics = check_semantics(semantics)
        except BaseException:
            if isinstance(backend, Backend):  # the constructors of the subclasses opened it for this store
                backend.close()
            raise
        self.backend = backend
        self.embedding = embedding
        self.settings = settings
        self.semantics = semantics
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
    def add_documents(self, documents: Iterable[Any], ids: Sequence[str] | None = None, **kwargs: Any) -> list[str]:
        """Upsert documents (doclinks or LangChain), in one transaction.

        A document whose id is already stored is replaced, with its links and
        vector. Ingesting the same documents again changes nothing (a document whose
        text is unchanged is not embedded again). Ids come from `ids`, else from each
        document's ``id``, else they are derived from the content, metadata and links
        (a UUID5), so re-ingesting id-less documents is also a no-op.

        Args:
            documents: the documents; ``metadata["links"]`` holds their links.
            ids: optional ids, one per document (default None).
            kwargs: LangChain's ``batch_size`` (what ``langchain_core.indexing.index`` passes) is accepted
                and has no effect: the documents are written in one transaction; any other is a TypeError.

        Returns:
            The ids, one per document, in order.

        Raises:
            ValueError: `ids` of the wrong length, one id twice with different
                documents, or an embedding of the wrong dimension, NaN or zero.
            TypeError: metadata that is not JSON-serialisable, or a non-Link link.
        """
        unknown = sorted(set(kwargs) - {"batch_size"})
        if unknown:
            raise TypeError(f"add_documents() got unexpected keyword arguments: {', '.join(unknown)}")
        docs = list(documents)
        if ids is not None:
            ids = check_ids(ids)
            if len(ids) != len(docs):
                raise ValueError(f"got {len(ids)} ids for {len(docs)} documents")
        records = [build_record(d, None if ids is None else ids[i], i) for i, d in enumerate(docs)]
        return self._upsert(records, None)

    def add_embedded_documents(self, documents: Iterable[Any], vectors: Sequence[Any]) -> list[str]:
        """Upsert documents whose vectors were computed elsewhere, in one transaction.

        As `add_documents`, but nothing is embedded: each document comes with its vector (e.g. from
        the workers of a distributed ingest, `doclinks.scale`, embedding with this store's embedder).
        A document stored with the same text keeps its stored vector, as `add_documents` keeps it;
        one stored identical is not written.

        Args:
            documents: the documents, each with an ``id``; ``metadata["links"]`` holds their links.
            vectors: one vector per document (any length: they are normalised to unit length).

        Returns:
            The ids, one per document, in order.

        Raises:
            ValueError: a vector count other than the documents', a document without an id, one id
                twice with different documents, a vector of the wrong dimension, NaN or zero.
            TypeError: metadata that is not JSON-serialisable, or a non-Link link.
        """
        docs = list(documents)
        vectors = list(vectors)
        if len(vectors) != len(docs):
            raise ValueError(f"got {len(vectors)} vectors for {len(docs)} documents")
        for i, d in enumerate(docs):
            if not getattr(d, "id", None):
                raise ValueError(f"document {i}: add_embedded_documents needs documents with ids")
        records = [build_record(d, None, i) for i, d in enumerate(docs)]
        given = {}
        for r, v in zip(records, vectors):
            given.setdefault(r.id, v)
        return self._upsert(records, given)

    def _upsert(self, records: list[ChunkRecord], given: dict[str, Any] | None) -> list[str]:
        """Write `records` (skipping stored identical ones) with vectors: `given` by id, else embedded."""
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
                if given is not None:
                    vectors = [given[r.id] for r in to_embed]
                else:
                    vectors = list(self.embedding.embed_documents([r.content for r in to_embed]))
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

    def delete(self, ids: Sequence[str] | None = None, *, missing: str | None = None) -> int | bool:
        """Delete documents, their links and vectors, in one transaction.

        Args:
            ids: the ids to delete. None (default) deletes every document with LangChain
                semantics (LangChain's contract) and is a TypeError with doclinks'.
            missing: ``"raise"``: if any id is unknown, raise `UnknownIdError` and delete
                nothing; ``"ignore"``: skip unknown ids; None (default): the store's
                semantics, ``"raise"`` for doclinks, ``"ignore"`` for LangChain.

        Returns:
            doclinks semantics: the number of documents deleted; LangChain's: True.
        """
        langchain = self.semantics == "langchain"
        if missing is None:
            missing = "ignore" if langchain else "raise"
        if missing not in ("raise", "ignore"):
            raise ValueError(f'missing must be "raise" or "ignore", got {missing!r}')
        if ids is None and langchain:
            with self._lock:
                self._check_open()
                every = [d.id for batch in self.backend.iter_documents(10_000) for d in batch]
                if every:
                    self.backend.delete(every, "ignore")
            return True
        ids = list(dict.fromkeys(check_ids(ids)))
        with self._lock:
            self._check_open()
            deleted = self.backend.delete(ids, missing) if ids else 0
        return True if langchain else deleted

    # ------------------------------------------------------------------ reads
    def get_by_ids(self, ids: Sequence[str], *, missing: str | None = None) -> list[Document]:
        """The stored documents with these ids, in the order asked (an id asked twice comes twice).

        Args:
            ids: the ids.
            missing: ``"raise"``: raise `UnknownIdError` naming the unknown ids; ``"skip"``: leave
                them out; None (default): the store's semantics, ``"raise"`` for doclinks,
                ``"skip"`` for LangChain.
        """
        ids = check_ids(ids)
        if missing is None:
            missing = "skip" if self.semantics == "langchain" else "raise"
        if missing not in ("raise", "skip"):
            raise ValueError(f'missing must be "raise" or "skip", got {missing!r}')
        with self._lock:
            self._check_open()
            found = self.backend.get(list(dict.fromkeys(ids)))
        unknown = [i for i in dict.fromkeys(ids) if i not in found]
        if unknown and missing == "raise":
            raise UnknownIdError(unknown)
        return self._answer([found[i] for i in ids if i in found], similarity=False)

    def get_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vector (unit length, float32) of each id among `ids` that the store holds.

        What adapters that rank by vectors themselves need (graph-retriever's,
        `doclinks.store.graph_retriever`); unknown ids are left out.
        """
        ids = list(dict.fromkeys(check_ids(ids)))
        with self._lock:
            self._check_open()
            stored = self.backend.stored(ids) if ids else {}
        return {i: chunk.vector for i, chunk in stored.items()}

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
        wanted = _check_pairs(pairs)
        with self._lock:
            self._check_open()
            return self.backend.tag_degrees(sorted(wanted)) if wanted else {}

    def get_setting(self, name: str) -> str | None:
        """A value the store keeps about itself (None when never set); see `set_setting`."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty str, got {name!r}")
        with self._lock:
            self._check_open()
            return self.backend.get_setting(name)

    def set_setting(self, name: str, value: str) -> None:
        """Keep a value about the store in the store (e.g. how its tags were normalised), transactionally;
        the store must hold chunks (a PostgreSQL collection exists from its first chunk on)."""
        if not isinstance(name, str) or not name or not isinstance(value, str):
            raise TypeError(f"name and value must be str, got {name!r}: {value!r}")
        with self._lock:
            self._check_open()
            self.backend.set_setting(name, value)

    def tags(self) -> list[tuple[str, str]]:
        """Every ``(kind, tag)`` the store holds, on either side of a link (a tag no chunk carries
        any more may stay listed; PostgreSQL lists a tag over 1000 bytes by its digest)."""
        with self._lock:
            self._check_open()
            return self.backend.tags()

    def tag_count(self) -> int:
        """The number of distinct ``(kind, tag)`` pairs some chunk carries, on either side of a link: what
        ``doclinks stats`` counts as distinct tags (`tags` may also list tags no chunk carries any more)."""
        with self._lock:
            self._check_open()
            return self.backend.tag_count()

    def distinct_metadata_values(self, key: str, limit: int = 100_000) -> list[str]:
        """Up to `limit` (default 100,000) distinct string values stored under metadata `key`, list items
        included, sorted by code point: the vocabulary query values link to (`doclinks.query.linking`)."""
        if not isinstance(key, str):
            raise TypeError(f"key must be a str, got {type(key).__name__}")
        check_count("limit", limit)
        with self._lock:
            self._check_open()
            return self.backend.distinct_values(index_text(key), limit)

    def documents_with_tags(self, pairs: Iterable[tuple[str, str]]) -> list[Document]:
        """The stored chunks carrying a link (either side) with one of the ``(kind, tag)`` `pairs`,
        in insertion order, as Documents: the part of a corpus that a change of these tags touches."""
        wanted = _check_pairs(pairs)
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
            filter: metadata filter (default None), see `doclinks.store.filters`.

        Results carry ``_similarity_score`` (cosine, in [-1, 1]) and ``_depth`` (0); with LangChain
        semantics they carry the stored metadata only (`similarity_search_with_score` gives scores).
        """
        return self._answer(self._similarity(lambda: self._embed_query(query), k, filter), similarity=True)

    def similarity_search_by_vector(
        self, embedding: Sequence[float], k: int = 4, filter: dict[str, Any] | None = None
    ) -> list[Document]:
        """`similarity_search` with a query vector instead of text (default k=4)."""
        return self._answer(self._similarity(lambda: self._query_vector(embedding), k, filter), similarity=True)

    def _similarity(self, make_query: Callable[[], np.ndarray], k: int, filter: dict[str, Any] | None) -> list[Document]:
        """The similarity search for the query vector `make_query()`, its results with their result keys."""
        check_count("k", k)
        tokens = compile_filter(filter)
        return self._search(make_query, lambda q: self._nearest(q, k, tokens))

    def _nearest(self, query: np.ndarray, k: int, tokens: Condition | None) -> list[Found]:
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
        *,
        k: int = 4,
        depth: int = 1,
        filter: dict[str, Any] | None = None,
        adjacent_k: int | None = 10,
        entity_k: int = 0,
        query_entities: bool = True,
        query_links: Iterable[Any] | None = None,
    ) -> list[Document]:
        """The `k` nearest chunks, then their neighbours through links, up to `depth` hops.

        Args:
            query: text to embed.
            k: number of roots found by similarity (default 4).
            depth: hops to follow (default 1); 0 gives `similarity_search`.
            filter: metadata filter for roots and neighbours alike (default None).
            adjacent_k: most chunks one hop admits, for the whole hop (default 10);
                None admits every neighbour.
            entity_k: entity-seeded roots (default 0: none): the `entity_k` chunks most similar to
                the query among those carrying a stored tag the query names, added after the `k`
                roots (they carry ``_query_tags``: the query's tags that chose them).
            query_entities: with `entity_k`, read the query's entities as `ppr_search` does
                (`query_extractor`, default the shipped model on the store's entity labels).
            query_links: with `entity_k`, links or ``(kind, tag)`` pairs the query names.

        Returns roots first (by similarity), then each depth in rank order; results carry
        ``_depth`` and ``_similarity_score``, and at depth > 0 ``_via`` and ``_via_degrees``
        (the tags that led to them: `doclinks.store.results`). See
        `doclinks.store.strategies.traversal`.
        """
        check_count("k", k)
        check_count("depth", depth)
        check_count("adjacent_k", adjacent_k, allow_none=True)
        check_count("entity_k", entity_k)
        tokens = compile_filter(filter)
        seeds = self._query_seed_tags(query, query_entities, query_links) if entity_k else []
        found = self._search(
            lambda: self._embed_query(query),
            lambda q: traverse(self.backend, q, k=k, depth=depth, adjacent_k=adjacent_k, tokens=tokens,
                               settings=self.settings, seed_tags=seeds, entity_k=entity_k),
        )  # fmt: skip
        return self._answer(found, similarity=False)

    def mmr_traversal_search(
        self,
        query: str,
        *,
        initial_roots: Sequence[str] = (),
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
            initial_roots: LangChain's seeds of the search by id; only the default, none, is
                supported (others raise NotImplementedError).
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
        if list(initial_roots):
            raise NotImplementedError("mmr_traversal_search: initial_roots is not supported by doclinks stores")
        strategy = self._mmr(k=k, depth=depth, fetch_k=fetch_k, adjacent_k=adjacent_k, lambda_mult=lambda_mult,
                             score_threshold=score_threshold, filter=filter)  # fmt: skip
        return self._answer(self._search(lambda: self._embed_query(query), strategy), similarity=False)

    def _mmr(
        self, *, k: int, depth: int, fetch_k: int, adjacent_k: int | None, lambda_mult: float, score_threshold: float,
        filter: dict[str, Any] | None,
    ) -> Callable[[np.ndarray], list[Found]]:
        """The MMR traversal of these arguments (checked), as a strategy of the query vector."""
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
        tokens = compile_filter(filter)
        return lambda q: mmr_traverse(self.backend, q, k=k, depth=depth, fetch_k=fetch_k, adjacent_k=adjacent_k,
                                      lambda_mult=float(lambda_mult), score_threshold=float(score_threshold),
                                      tokens=tokens, settings=self.settings)  # fmt: skip

    # ------------------------------------------------------------------ async
    async def aadd_documents(self, documents: Iterable[Any], ids: Sequence[str] | None = None, **kwargs: Any) -> list[str]:
        """Async `add_documents` (runs in a worker thread)."""
        return await asyncio.to_thread(self.add_documents, list(documents), ids, **kwargs)

    async def aadd_embedded_documents(self, documents: Iterable[Any], vectors: Sequence[Any]) -> list[str]:
        """Async `add_embedded_documents` (runs in a worker thread)."""
        return await asyncio.to_thread(self.add_embedded_documents, list(documents), list(vectors))

    async def adelete(self, ids: Sequence[str] | None = None, *, missing: str | None = None) -> int | bool:
        """Async `delete`."""
        return await asyncio.to_thread(self.delete, ids, missing=missing)

    async def aget_by_ids(self, ids: Sequence[str], *, missing: str | None = None) -> list[Document]:
        """Async `get_by_ids`."""
        return await asyncio.to_thread(self.get_by_ids, ids, missing=missing)

    async def asimilarity_search(self, query: str, k: int = 4, filter: dict[str, Any] | None = None) -> list[Document]:
        """Async `similarity_search`."""
        return await asyncio.to_thread(self.similarity_search, query, k, filter)

    def atraversal_search(self, query: str, **kwargs: Any) -> AsyncResults:
        """Async `traversal_search` (same keyword arguments): await it for the list, or iterate it
        with ``async for`` as LangChain's GraphVectorStore (`AsyncResults`)."""
        return AsyncResults(lambda: self.traversal_search(query, **kwargs))

    def ammr_traversal_search(self, query: str, **kwargs: Any) -> AsyncResults:
        """Async `mmr_traversal_search` (same keyword arguments), as `atraversal_search`."""
        return AsyncResults(lambda: self.mmr_traversal_search(query, **kwargs))

    def appr_search(self, query: str, **kwargs: Any) -> AsyncResults:
        """Async `ppr_search` (same keyword arguments), as `atraversal_search`."""
        return AsyncResults(lambda: self.ppr_search(query, **kwargs))


def _check_pairs(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The distinct ``(kind, tag)`` pairs of `pairs`; TypeError for anything else."""
    wanted = set()
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise TypeError(f"pairs must be (kind, tag) tuples of str, got {pair!r}")
        wanted.add(pair)
    return wanted
