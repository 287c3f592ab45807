"""Breadth-first traversal: `traversal_search`.

1. The roots: the `k` chunks most similar to the query that match the filter (depth 0), and, with
   `entity_k` > 0, the `entity_k` chunks most similar to the query among those that carry one of
   the query's tags (`seed_tags`, hubs left out) and match the filter (entity-seeded roots, depth 0,
   after the others; each knows the query's tags it carries).
2. Each hop expands every chunk reached at the previous hop: it follows their outgoing
   links (``out`` and ``bidir``) to the chunks carrying the matching incoming side
   (``in`` or ``bidir``) that match the filter and have not been reached yet, skipping
   hub tags (`TraversalSettings.max_tag_degree`).
3. Those neighbours are ranked (`ranking.neighbour_rank`, ties by id) and the best
   `adjacent_k` of them are admitted at this depth: `adjacent_k` is per hop, for the
   whole hop, not per chunk or per link. ``adjacent_k=None`` admits all of them.
4. After `depth` hops, or when a hop admits nothing, the result is the roots by
   similarity, then each depth's chunks in rank order. No chunk appears twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ..backends.base import Backend, Tokens
from ..ranking import neighbour_ranks, top_k_indices
from ..results import Found
from ..settings import TraversalSettings
from .filtered import matching_keys

__all__ = ["traverse"]


def traverse(
    backend: Backend,
    query: np.ndarray,
    *,
    k: int,
    depth: int,
    adjacent_k: int | None,
    tokens: Tokens,
    settings: TraversalSettings,
    seed_tags: Sequence[tuple[str, str]] = (),
    entity_k: int = 0,
) -> list[Found]:
    """Run the breadth-first traversal on `backend` (see the module docstring).

    The arguments are those of `GraphStore.traversal_search`, checked: `query` is the unit-length
    query vector, `tokens` the encoded filter (`doclinks.store.filters.compile_filter`, None for none), and
    `settings` gives the hub limit and the rank's IDF weight.
    """
    roots = backend.search(query, k, tokens)
    found = [Found(h.key, h.id, h.similarity, 0) for h in roots]
    seen = {h.key for h in roots}
    n_chunks = backend.count()
    degree_limit = settings.degree_limit(n_chunks)
    if entity_k and seed_tags:
        found += entity_roots(backend, query, seed_tags, entity_k, tokens, degree_limit, seen)
        seen.update(f.key for f in found)
    frontier = [f.key for f in found]
    for hop in range(1, depth + 1):
        if not frontier or adjacent_k == 0:
            break
        nb = backend.expand(frontier, query, tokens, degree_limit, seen)
        ranks = neighbour_ranks(nb, n_chunks, settings.idf_weight)
        take = top_k_indices(ranks, nb.ids, len(nb) if adjacent_k is None else adjacent_k)
        frontier = []
        for i in take:
            key = int(nb.keys[i])
            seen.add(key)
            frontier.append(key)
            found.append(Found(key, nb.ids[i], float(nb.similarities[i]), hop))
    return found


def entity_roots(
    backend: Backend,
    query: np.ndarray,
    seed_tags: Sequence[tuple[str, str]],
    entity_k: int,
    tokens: Tokens,
    degree_limit: int,
    seen: set[int],
) -> list[Found]:
    """The `entity_k` chunks most similar to `query` (ties by key) among those not in `seen` that carry
    one of `seed_tags` (tags above `degree_limit` left out) and match the filter `tokens`."""
    carried: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for key, kind, tag, _ in backend.tag_chunks(list(dict.fromkeys(seed_tags)), degree_limit):
        if key not in seen:
            carried[key].add((kind, tag))
    keys = sorted(carried)
    if keys and tokens is not None:
        allowed = matching_keys(backend, keys, tokens)
        keys = [key for key in keys if key in allowed]
    if not keys:
        return []
    similarity = backend.vectors(keys) @ query
    order = sorted(range(len(keys)), key=lambda i: (-float(similarity[i]), keys[i]))[:entity_k]
    return [Found(keys[i], "", float(similarity[i]), 0, query_tags=sorted(carried[keys[i]])) for i in order]
