"""The search path of `GraphStore` (`GraphSearch`, a part of the facade): query vectors, the similarity,
traversal and MMR searches with their checks, each run by its strategy (`doclinks.store.strategies`) under
the store's lock, the results made Documents (`result_documents`), and the async twins."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..document import Document
from .facade_parts import FacadeParts
from .filters import Condition, compile_filter
from .langchain import AsyncResults
from .records import check_count, check_vector
from .result_documents import to_documents
from .results import Found
from .strategies.mmr import mmr_traverse
from .strategies.traversal import traverse

__all__ = ["GraphSearch"]


class GraphSearch(FacadeParts):
    """The searches of `GraphStore` (a mixin: it uses the store's lock, backend, embedder and settings)."""

    _answer: Callable[..., list[Document]]  # `doclinks.store.langchain.VectorStoreAPI`'s
    ppr_search: Callable[..., list]  # `doclinks.store.entity_search.EntitySearch`'s
    _query_seed_tags: Callable[[str, bool, Iterable[Any] | None], list[tuple[str, str]]]  # EntitySearch's

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

    def _similarity(
        self, make_query: Callable[[], np.ndarray], k: int, filter: dict[str, Any] | None
    ) -> list[Document]:
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
        self,
        *,
        k: int,
        depth: int,
        fetch_k: int,
        adjacent_k: int | None,
        lambda_mult: float,
        score_threshold: float,
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
        if (
            isinstance(score_threshold, bool)
            or not isinstance(score_threshold, (int, float))
            or math.isnan(score_threshold)
        ):
            raise ValueError(f"score_threshold must be a number, got {score_threshold!r}")
        tokens = compile_filter(filter)
        return lambda q: mmr_traverse(self.backend, q, k=k, depth=depth, fetch_k=fetch_k, adjacent_k=adjacent_k,
                                      lambda_mult=float(lambda_mult), score_threshold=float(score_threshold),
                                      tokens=tokens, settings=self.settings)  # fmt: skip

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
