"""Personalized PageRank over the chunk-tag graph: `ppr_search` (HippoRAG's retrieval, with links).

1. Seeds: the `seeds_k` chunks nearest the query (weighted by their similarity, clipped at 0) and
   the tags the query names (`seed_tags`, e.g. its entities matched to stored tags, each weighted
   equally). `entity_weight` of the restart mass goes to the tags, the rest to the chunks (all of
   it to the chunks when the query names no stored tag).
2. The graph: chunks and tags are nodes; a chunk points to each walkable tag it carries on its
   outgoing side (weighted by the tag's IDF, `ranking.tag_idf`, to the power ``idf_weight``), a tag
   to each chunk carrying its incoming side (equally). Hubs (degree above the store's limit) are
   left out, as in traversal. Only the part within `hops` chunk-tag-chunk steps of the seeds is
   built (`Backend.chunk_tags`, `Backend.tag_chunks`), so the cost follows the seeds' neighbourhood,
   not the corpus.
3. PageRank with restart: ``p = (1 - damping) * s + damping * (M p + dangling(p) * s)``, by power
   iteration on a `scipy.sparse` matrix until the L1 change is below 1e-10 (at most 100 steps).
4. The `k` chunks of highest score, ties by similarity then id. With ``similarity_weight`` w > 0 the
   score is ``(1 - w) * ppr / max(ppr) + w * max(similarity, 0)`` over the walked chunks and the `k`
   nearest chunks (a fusion of the walk with plain similarity search, whose top hits the walk alone
   can push down). Each carries ``_ppr_score``, its
   ``_depth`` (0 for a seed chunk, else the chunk-tag-chunk steps from the seeds) and ``_via``: its
   incoming tags that a seed tag or a seed chunk's outgoing side holds, rarest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ..backends.base import Backend, Tokens
from ..ranking import tag_idf
from ..results import Found
from ..settings import TraversalSettings
from .filtered import matching_keys

__all__ = ["ppr", "pagerank"]


def pagerank(matrix, restart: np.ndarray, damping: float, *, tol: float = 1e-10, max_steps: int = 100) -> np.ndarray:
    """Personalized PageRank by power iteration.

    Args:
        matrix: ``(n, n)`` column-stochastic sparse matrix (``matrix[j, i]``: the chance a walk at
            node i steps to node j); a column of zeros is a dangling node, whose mass restarts.
        restart: the personalization, ``n`` non-negative weights summing to 1.
        damping: chance of walking on at each step, in [0, 1).
        tol: stop when the L1 change of one step is below this (default 1e-10).
        max_steps: at most this many steps (default 100).

    Returns:
        The stationary scores, summing to 1.
    """
    p = restart.copy()
    for _ in range(max_steps):
        walked = matrix @ p
        dangling = max(0.0, 1.0 - walked.sum())
        new = (1.0 - damping) * restart + damping * (walked + dangling * restart)
        change = np.abs(new - p).sum()
        p = new
        if change < tol:
            break
    return p


def ppr(
    backend: Backend,
    query: np.ndarray,
    *,
    k: int,
    seeds_k: int,
    seed_tags: Sequence[tuple[str, str]],
    damping: float,
    entity_weight: float,
    hops: int,
    tokens: Tokens,
    settings: TraversalSettings,
    similarity_weight: float = 0.0,
) -> list[Found]:
    """Rank chunks by Personalized PageRank from the query's seeds (see the module docstring).

    The arguments are those of `GraphStore.ppr_search`, checked; `query` is the unit-length query
    vector and `tokens` the encoded filter: seed chunks come from the filtered search, and ranked
    chunks that do not match the filter are left out.
    """
    import scipy.sparse as sparse

    n_chunks = backend.count()
    limit = settings.degree_limit(n_chunks)
    nearest = backend.search(query, max(seeds_k, k) if similarity_weight > 0 else seeds_k, tokens)
    roots = nearest[:seeds_k]
    seed_pairs = list(dict.fromkeys(seed_tags))
    depth: dict[int, int] = {h.key: 0 for h in roots}
    out_edges: dict[int, list[tuple[tuple[str, str], int]]] = {}  # chunk -> [(tag, degree)]
    in_edges: dict[tuple[str, str], list[int]] = {}  # tag -> chunks carrying its incoming side
    degree: dict[tuple[str, str], int] = {}

    def carriers(pairs: list[tuple[str, str]], step: int) -> list[int]:
        new = []
        for key, kind, tag, d in backend.tag_chunks(pairs, limit):
            pair = (kind, tag)
            in_edges.setdefault(pair, []).append(key)
            degree[pair] = d
            if key not in depth:
                depth[key] = step
                new.append(key)
        for pair in pairs:
            in_edges.setdefault(pair, [])
        return new

    frontier = [h.key for h in roots] + carriers([p for p in seed_pairs if p not in in_edges], 1)
    for step in range(1, hops + 1):
        tags = []
        for key, kind, tag, d in backend.chunk_tags(frontier, limit):
            out_edges.setdefault(key, []).append(((kind, tag), d))
            degree[(kind, tag)] = d
            if (kind, tag) not in in_edges:
                tags.append((kind, tag))
        frontier = carriers(list(dict.fromkeys(tags)), step) if tags else []
    for key in frontier:
        out_edges.setdefault(key, [])  # reached at the last step: a node, whose tags are not walked
    for h in nearest[seeds_k:]:  # candidates by similarity alone (similarity_weight > 0)
        depth.setdefault(h.key, 0)
    chunks = sorted(depth)
    tag_nodes = sorted(set(in_edges) | {pair for edges in out_edges.values() for pair, _ in edges})
    index = {key: i for i, key in enumerate(chunks)}
    tag_index = {pair: len(chunks) + i for i, pair in enumerate(tag_nodes)}
    rows, cols, weights = [], [], []
    for key, edges in out_edges.items():
        if not edges:
            continue
        w = np.array([tag_idf(d, n_chunks) ** settings.idf_weight for _, d in edges])
        for (pair, _), weight in zip(edges, w / w.sum()):
            rows.append(tag_index[pair])
            cols.append(index[key])
            weights.append(weight)
    for pair, keys in in_edges.items():
        for key in keys:
            rows.append(index[key])
            cols.append(tag_index[pair])
            weights.append(1.0 / len(keys))
    n = len(chunks) + len(tag_nodes)
    matrix = sparse.csr_matrix((weights, (rows, cols)), shape=(n, n))
    restart = np.zeros(n)
    named = [p for p in seed_pairs if in_edges.get(p)]
    chunk_part = 1.0 - entity_weight if named else 1.0
    sims = np.array([max(h.similarity, 0.0) for h in roots])
    if roots:
        share = sims / sims.sum() if sims.sum() > 0 else np.full(len(roots), 1.0 / len(roots))
        for h, weight in zip(roots, share):
            restart[index[h.key]] += chunk_part * weight
    for pair in named:
        restart[tag_index[pair]] += (1.0 - chunk_part) / len(named)
    if restart.sum() == 0:
        return []
    restart /= restart.sum()
    scores = pagerank(matrix, restart, damping)
    similarity = dict(zip(chunks, backend.vectors(chunks) @ query)) if chunks else {}
    rank = {key: float(scores[index[key]]) for key in chunks}
    if similarity_weight > 0:
        top = max(rank.values()) or 1.0
        rank = {
            key: (1 - similarity_weight) * r / top + similarity_weight * max(float(similarity[key]), 0.0)
            for key, r in rank.items()
        }
    order = sorted(chunks, key=lambda key: (-rank[key], -similarity[key]))
    allowed = matching_keys(backend, order[: max(4 * k, k + seeds_k)], tokens) if tokens is not None else None
    sources = set(named) | {pair for h in roots for pair, _ in out_edges.get(h.key, [])}
    incoming: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for pair, keys in in_edges.items():
        for key in keys:
            incoming[key].add(pair)
    found = []
    ids = {h.key: h.id for h in roots}
    for key in order:
        if allowed is not None and key not in allowed:
            continue
        via = sorted((p for p in incoming[key] & sources), key=lambda p: (degree[p], p[0], p[1])) if depth[key] else []
        found.append(Found(key, ids.get(key) or "", float(similarity[key]), depth[key],
                           ppr_score=float(scores[index[key]]), via=via))  # fmt: skip
        if len(found) == k:
            break
    return found
