"""Maximal-marginal-relevance traversal: `mmr_traversal_search`.

Candidates start as the `fetch_k` chunks most similar to the query (depth 0). Then,
until `k` chunks are selected:

- each candidate ``c`` scores
  ``mmr(c) = lambda_mult * sim(q, c) - (1 - lambda_mult) * redundancy(c)``, where
  ``redundancy(c)`` is the largest cosine similarity between ``c`` and a chunk already
  selected (0 while none is);
- the best candidate (ties by id) is selected, unless its score is below
  `score_threshold`, which ends the search;
- if the selected chunk's depth is below `depth`, it is expanded: its links lead to
  new chunks (matching the filter, not yet seen, hub tags skipped) of which the best
  `adjacent_k` by `ranking.neighbour_rank` become candidates at depth + 1. So
  `adjacent_k` is per hop, a hop being the expansion of one selected chunk.

Results come in selection order. Every ``lambda_mult`` in [0, 1] works: at 1 the score
is the similarity, at 0 only diversity counts.
"""

from __future__ import annotations

import numpy as np

from ..backends.base import Backend, Tokens
from ..ranking import neighbour_ranks, top_k_indices
from ..results import Found
from ..settings import TraversalSettings

__all__ = ["mmr_traverse"]


def mmr_traverse(
    backend: Backend,
    query: np.ndarray,
    *,
    k: int,
    depth: int,
    fetch_k: int,
    adjacent_k: int | None,
    lambda_mult: float,
    score_threshold: float,
    tokens: Tokens,
    settings: TraversalSettings,
) -> list[Found]:
    """Run the MMR traversal on `backend` (see the module docstring).

    The arguments are those of `GraphStore.mmr_traversal_search`, checked: `query` is the unit-length
    query vector, `tokens` the encoded filter (`doclinks.store.filters.compile_filter`, None for none), and
    `settings` gives the hub limit and the rank's IDF weight.
    """
    if k == 0:
        return []
    hits = backend.search(query, fetch_k, tokens)
    pool: list[Found] = [Found(h.key, h.id, h.similarity, 0) for h in hits]
    seen = {f.key for f in pool}
    dim = query.shape[0]
    vecs = backend.vectors([f.key for f in pool]) if pool else np.zeros((0, dim), np.float32)
    sims = np.array([f.similarity for f in pool], dtype=np.float64)
    # Largest similarity to any selected chunk; -inf until something is selected.
    redundancy = np.full(len(pool), -np.inf)
    selected: list[Found] = []
    selected_vecs: list[np.ndarray] = []
    n_chunks = backend.count()
    degree_limit = settings.degree_limit(n_chunks)

    while len(selected) < k and pool:
        if selected_vecs and lambda_mult < 1.0:
            scores = lambda_mult * sims - (1.0 - lambda_mult) * redundancy
        else:
            # Nothing selected yet (redundancy 0), or lambda 1 (redundancy has no
            # weight): computing 0 * redundancy would give NaN for -inf entries.
            scores = lambda_mult * sims
        best_score = scores.max()
        tied = np.flatnonzero(scores == best_score)
        best = min(tied.tolist(), key=lambda i: pool[i].id)
        if best_score < score_threshold:
            break
        chosen = pool[best]
        chosen.mmr_score = float(best_score)
        chosen_vec = vecs[best]
        selected.append(chosen)
        selected_vecs.append(chosen_vec)
        keep = np.ones(len(pool), dtype=bool)
        keep[best] = False
        pool = [f for f, kp in zip(pool, keep) if kp]
        vecs, sims, redundancy = vecs[keep], sims[keep], redundancy[keep]
        if len(pool):
            redundancy = np.maximum(redundancy, vecs @ chosen_vec)

        if chosen.depth < depth and adjacent_k != 0:
            nb = backend.expand([chosen.key], query, tokens, degree_limit, seen)
            ranks = neighbour_ranks(nb, n_chunks, settings.idf_weight)
            take = top_k_indices(ranks, nb.ids, len(nb) if adjacent_k is None else adjacent_k)
            if take:
                new = [Found(int(nb.keys[i]), nb.ids[i], float(nb.similarities[i]), chosen.depth + 1) for i in take]
                seen.update(f.key for f in new)
                new_vecs = backend.vectors([f.key for f in new])
                new_red = (new_vecs @ np.stack(selected_vecs).T).max(axis=1)
                pool.extend(new)
                vecs = np.vstack([vecs, new_vecs]) if len(vecs) else new_vecs
                sims = np.concatenate([sims, [f.similarity for f in new]])
                redundancy = np.concatenate([redundancy, new_red])
    return selected
