"""Entity-seeded retrieval: `ppr_search`, and the query's entities matched to stored tags.

`EntitySearch` is a part of `GraphStore` (kept apart so that the facade stays readable). A
search reads the query with the same kind of extractor the corpus was linked with: the labels
are the store's entity kinds (``entity:Person`` -> ``Person``), the model the shipped default
unless the store was given another (`GraphStore.query_extractor`), or the caller passes its own
extractor or its own links. Mentions are normalised as corpus tags are and matched to stored
tags by `doclinks.links.canonical.match_query_tags`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..document import Document
from .facade_parts import FacadeParts
from .filters import compile_filter
from .records import check_count
from .strategies.ppr import ppr

__all__ = ["EntitySearch", "query_tags", "entity_labels"]

ENTITY_PREFIX = "entity:"


def entity_labels(kinds: Iterable[str]) -> list[str]:
    """The entity labels of link kinds, sorted: ``entity:Person`` -> ``Person``."""
    return sorted({kind[len(ENTITY_PREFIX) :] for kind in kinds if kind.startswith(ENTITY_PREFIX) and len(kind) > 7})


def query_tags(
    query: str, stored: Sequence[tuple[str, str]], *, extractor: Any = None, links: Iterable[Any] | None = None
) -> list[tuple[str, str]]:
    """The stored ``(kind, tag)`` pairs a query names.

    Args:
        query: the question.
        stored: the store's tags (`GraphStore.tags`).
        extractor: a `GLiNERLinkExtractor` (or anything with ``extract_entities``) run on the
            query; None: no extraction.
        links: links (or ``(kind, tag)`` pairs) the caller names instead of, or besides, extraction.
    """
    from ..links import match_query_tags

    mentions: list[tuple[str, str]] = []
    for item in links or ():
        pair = (item.kind, item.tag) if hasattr(item, "kind") else tuple(item)
        if len(pair) != 2 or not all(isinstance(x, str) for x in pair):
            raise TypeError(f"query_links: expected Links or (kind, tag) pairs, got {item!r}")
        mentions.append(pair)
    if extractor is not None:
        for record in next(iter(extractor.extract_entities([query]))):
            if record.get("tag"):
                mentions.append((record["kind"], record["tag"]))
    return match_query_tags(mentions, stored)


class EntitySearch(FacadeParts):
    """`ppr_search` and the query extractor of a `GraphStore` (a mixin: it uses the store's lock,
    backend, settings and embedder)."""

    _search: Callable[..., list[Document]]  # `doclinks.store.graph_search.GraphSearch`'s
    _embed_query: Callable[[str], np.ndarray]  # GraphSearch's
    _answer: Callable[..., list[Document]]  # `doclinks.store.langchain.VectorStoreAPI`'s

    query_extractor: Any = None  # set to a GLiNERLinkExtractor to read queries with it

    def _default_query_extractor(self, labels: list[str]) -> Any:
        """A `GLiNERLinkExtractor` for `labels` with the default model, built once per label set."""
        cached = getattr(self, "_query_extractor_cache", None)
        if cached is None or cached[0] != labels:
            from ..links import GLiNERLinkExtractor

            cached = (labels, GLiNERLinkExtractor(labels, min_link_score=None))
            self._query_extractor_cache = cached
        return cached[1]

    def _query_seed_tags(
        self, query: str, query_entities: bool, query_links: Iterable[Any] | None
    ) -> list[tuple[str, str]]:
        """The stored tags the query names: read by the query extractor (`query_entities`) and/or
        given (`query_links`), matched to the store's tags (`query_tags`)."""
        with self._lock:
            self._check_open()
            stored = self.backend.tags() if (query_entities or query_links) else []
        if not stored:
            return []
        extractor = None
        if query_entities:
            extractor = self.query_extractor or self._default_query_extractor(entity_labels(k_ for k_, _ in stored))
        return query_tags(query, stored, extractor=extractor, links=query_links)

    def ppr_search(
        self,
        query: str,
        k: int = 4,
        *,
        damping: float = 0.5,
        seeds_k: int = 4,
        entity_weight: float = 0.5,
        similarity_weight: float = 0.0,
        hops: int = 1,
        query_entities: bool = True,
        query_links: Iterable[Any] | None = None,
        filter: dict[str, Any] | None = None,
    ) -> list:
        """Personalized PageRank from the query's nearest chunks and the stored tags it names.

        Args:
            query: text to embed (and to read entities from).
            k: number of results (default 4).
            damping: chance the walk goes on at each step, in [0, 1) (default 0.5, HippoRAG's).
            seeds_k: nearest chunks that seed the walk (default 4).
            entity_weight: share of the restart mass on the query's tags, in [0, 1] (default 0.5;
                all of it on the chunks when the query names no stored tag).
            similarity_weight: rank by ``(1 - w) * ppr / max(ppr) + w * similarity`` over the walked
                chunks and the `k` nearest, in [0, 1] (default 0: PageRank alone, HippoRAG's).
            hops: chunk-tag-chunk steps of the graph built around the seeds (default 1: on MuSiQue 2 hops
                rank the same, R@5 0.640 vs 0.642, and cost 10x more at 100,000 chunks).
            query_entities: read the query's entities with `query_extractor` (default: the shipped
                model, the store's entity labels) and seed with the stored tags they name.
            query_links: links or ``(kind, tag)`` pairs to seed with (matched the same way).
            filter: metadata filter for seeds and results (default None).

        Results carry ``_ppr_score``, ``_similarity_score``, ``_depth`` and, away from the seed
        chunks, ``_via`` (`doclinks.store.strategies.ppr`).
        """
        check_count("k", k)
        check_count("seeds_k", seeds_k)
        check_count("hops", hops)
        for name, count in (("k", k), ("seeds_k", seeds_k)):
            if count < 1:
                raise ValueError(f"{name} must be >= 1, got {count}")
        for name, value, top in (
            ("damping", damping, 1.0),
            ("entity_weight", entity_weight, 1.0),
            ("similarity_weight", similarity_weight, 1.0),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                raise TypeError(f"{name} must be a number, got {value!r}")
            if not 0.0 <= value <= top or (name == "damping" and value >= 1.0):
                raise ValueError(f"{name} must be in [0, 1{')' if name == 'damping' else ']'}, got {value}")
        tokens = compile_filter(filter)
        seeds = self._query_seed_tags(query, query_entities, query_links)
        found = self._search(
            lambda: self._embed_query(query),
            lambda q: ppr(self.backend, q, k=k, seeds_k=seeds_k, seed_tags=seeds, damping=float(damping),
                          entity_weight=float(entity_weight), hops=hops, tokens=tokens, settings=self.settings,
                          similarity_weight=float(similarity_weight)),
        )  # fmt: skip
        return self._answer(found, similarity=False)
