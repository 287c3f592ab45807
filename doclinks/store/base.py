"""`GraphStore`: the public API every store shares, on top of a few storage primitives.

A store keeps chunks (text, metadata, links, one vector each) and answers three kinds
of search; the searches live in their own modules (`traversal`, `mmr`) and reach the
data through the primitives that each store implements (`_search`, `_expand`,
`_vectors`, `_count`, `_documents`, `_write`, ...).
"""

from __future__ import annotations

import abc
import asyncio
import math
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..document import Document
from ..embeddings import Embeddings, default_embeddings
from .errors import StoreClosedError, UnknownIdError
from .mmr import mmr_traverse
from .ranking import Hit, Neighbours
from .records import (
    ChunkRecord,
    build_record,
    check_count,
    check_ids,
    check_vector,
    filter_tokens,
    unique_batch,
)
from .settings import TraversalSettings
from .traversal import Found, traverse

__all__ = ["GraphStore", "SEARCH_TYPES"]

#: search_type values of `GraphStore.as_retriever`, and the method each one calls.
SEARCH_TYPES = {
    "similarity": "similarity_search",
    "traversal": "traversal_search",
    "mmr_traversal": "mmr_traversal_search",
}


class GraphStore(abc.ABC):
    """Chunks linked by shared tags, searchable by similarity and along links.

    Args:
        embedding: the embedder (anything with ``embed_documents``/``embed_query``);
            None means the default, `doclinks.embeddings.MiniLMEmbeddings`.
        settings: traversal settings (default `TraversalSettings()`).

    All methods are thread-safe (one lock per store). Async variants run the
    synchronous method in a worker thread.
    """

    def __init__(self, embedding: Embeddings | None = None, settings: TraversalSettings | None = None) -> None:
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
        self.embedding = embedding
        self.settings = settings
        self._lock = threading.RLock()
        self._closed = False

    # ------------------------------------------------------------------ primitives
    @abc.abstractmethod
    def _dimension(self) -> int | None:
        """Dimension of the stored vectors; None while the store has never held one."""

    @abc.abstractmethod
    def _count(self) -> int:
        """Number of chunks."""

    @abc.abstractmethod
    def _search(self, query: np.ndarray, k: int, tokens: list[tuple[str, str]]) -> list[Hit]:
        """The `k` chunks most similar to `query` that match `tokens`, best first, ties by id."""

    @abc.abstractmethod
    def _expand(
        self, keys: list[int], query: np.ndarray, tokens: list[tuple[str, str]], max_degree: int, seen: set[int]
    ) -> Neighbours:
        """Chunks not in `seen`, matching `tokens`, linked from `keys` through tags of degree <= `max_degree`."""

    @abc.abstractmethod
    def _vectors(self, keys: Sequence[int]) -> np.ndarray:
        """Unit-length vectors of `keys`, one row each, in order."""

    @abc.abstractmethod
    def _documents(self, keys: Sequence[int]) -> list[Document]:
        """Documents of `keys`, in order."""

    @abc.abstractmethod
    def _stored(self, ids: Sequence[str]) -> dict[str, tuple[str, str, str, np.ndarray]]:
        """For the ids present: (content, metadata_json, links_json, vector)."""

    @abc.abstractmethod
    def _write(self, records: list[ChunkRecord]) -> None:
        """Upsert `records` (vectors set) in one transaction."""

    @abc.abstractmethod
    def _delete(self, ids: list[str], missing: str) -> int:
        """Delete `ids` in one transaction; unknown ids raise UnknownIdError unless missing="ignore"."""

    @abc.abstractmethod
    def _get(self, ids: list[str]) -> dict[str, Document]:
        """Documents of the ids present."""

    def _close(self) -> None:
        """Release resources (called once)."""

    def _refresh(self) -> None:
        """Bring caches up to date before an operation (e.g. after another process wrote)."""

    # ------------------------------------------------------------------ lifecycle
    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError(f"{self!r} is closed")
        self._refresh()

    def close(self) -> None:
        """Close the store; later calls raise `StoreClosedError`. Closing twice is fine."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        with self._lock:
            self._check_open()
            return self._count()

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
            stored = self._stored([r.id for r in records])
            dim = self._dimension()
            to_write: list[ChunkRecord] = []
            to_embed: list[ChunkRecord] = []
            for r in records:
                old = stored.get(r.id)
                if old is not None and old[0] == r.content:
                    if (old[1], old[2]) == (r.metadata_json, r.links_json):
                        continue  # identical: nothing to write
                    r.vector = old[3]
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
                self._write(to_write)
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
            return self._delete(ids, missing)

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
            found = self._get(list(dict.fromkeys(ids)))
        unknown = [i for i in dict.fromkeys(ids) if i not in found]
        if unknown and missing == "raise":
            raise UnknownIdError(unknown)
        return [found[i] for i in ids if i in found]

    def _embed_query(self, query: str) -> np.ndarray:
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__}")
        return self._query_vector(self.embedding.embed_query(query))

    def _query_vector(self, vector: Any) -> np.ndarray:
        return check_vector(vector, self._dimension(), "query embedding")

    def _results(self, found: list[Found]) -> list[Document]:
        docs = self._documents([f.key for f in found])
        for doc, f in zip(docs, found):
            doc.metadata["_depth"] = f.depth
            doc.metadata["_similarity_score"] = f.similarity
            if f.mmr_score is not None:
                doc.metadata["_mmr_score"] = f.mmr_score
        return docs

    def similarity_search(self, query: str, k: int = 4, filter: dict[str, Any] | None = None) -> list[Document]:
        """The `k` chunks most similar to `query` (cosine), best first, ties by id.

        Args:
            query: text to embed with the store's embedder.
            k: number of results (default 4).
            filter: metadata filter (default None), see `records.filter_tokens`.

        Results carry ``_similarity_score`` (cosine, in [-1, 1]) and ``_depth`` (0).
        """
        return self._similarity(lambda: self._embed_query(query), k, filter)

    def similarity_search_by_vector(
        self, embedding: Sequence[float], k: int = 4, filter: dict[str, Any] | None = None
    ) -> list[Document]:
        """`similarity_search` with a query vector instead of text (default k=4)."""
        return self._similarity(lambda: self._query_vector(embedding), k, filter)

    def _similarity(self, make_query, k: int, filter: dict[str, Any] | None) -> list[Document]:
        """The k nearest chunks to the vector `make_query()` builds (called under the lock, once the store
        is known to hold vectors)."""
        check_count("k", k)
        tokens = filter_tokens(filter)
        with self._lock:
            self._check_open()
            if self._dimension() is None:
                return []
            q = make_query()
            return self._results([Found(h.key, h.id, h.similarity, 0) for h in self._search(q, k, tokens)])

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
        ``_depth`` and ``_similarity_score``. See `doclinks.store.traversal`.
        """
        check_count("k", k)
        check_count("depth", depth)
        check_count("adjacent_k", adjacent_k, allow_none=True)
        tokens = filter_tokens(filter)
        with self._lock:
            self._check_open()
            if self._dimension() is None:
                return []
            q = self._embed_query(query)
            found = traverse(
                self, q, k=k, depth=depth, adjacent_k=adjacent_k, tokens=tokens, settings=self.settings
            )
            return self._results(found)

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
        ``_mmr_score``. See `doclinks.store.mmr` for the formula.
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
        with self._lock:
            self._check_open()
            if self._dimension() is None:
                return []
            q = self._embed_query(query)
            found = mmr_traverse(
                self,
                q,
                k=k,
                depth=depth,
                fetch_k=fetch_k,
                adjacent_k=adjacent_k,
                lambda_mult=float(lambda_mult),
                score_threshold=float(score_threshold),
                tokens=tokens,
                settings=self.settings,
            )
            return self._results(found)

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
