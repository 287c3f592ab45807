"""Ordering rules shared by every store and strategy.

- Ties break by id: every ordering sorts by score, descending, then id, ascending.
- Neighbours found through links are ranked by `neighbour_rank`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["Hit", "Neighbours", "exact_top_k", "top_k_indices", "neighbour_rank", "neighbour_ranks", "tag_idf"]


class Hit(NamedTuple):
    """A chunk found by vector search: store key, id, cosine similarity to the query."""

    key: int
    id: str
    similarity: float


@dataclass
class Neighbours:
    """Chunks reached through links in one expansion, as arrays.

    ``keys[i]`` (unique), ``ids[i]`` and ``similarities[i]`` describe chunk i; each walked
    ``(kind, tag)`` that chunk i shares with the chunks being expanded is one pair:
    ``pair_index[j] == i`` and ``pair_degree[j]`` = the number of chunks carrying that
    tag's incoming side.
    """

    keys: np.ndarray
    ids: Sequence[str]
    similarities: np.ndarray
    pair_index: np.ndarray
    pair_degree: np.ndarray

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def empty(cls) -> Neighbours:
        """No neighbours (what an expansion that reaches nothing returns)."""
        z = np.zeros(0, dtype=np.int64)
        return cls(z, [], np.zeros(0), z, z)


def top_k_indices(scores: np.ndarray, ids: Sequence[str], k: int) -> list[int]:
    """Indices of the `k` best `scores` (descending, ties by id ascending), exactly.

    Every entry that ties with the k-th best is considered before the id tie-break, so
    the answer does not depend on the order of the input. `ids` is only read for
    those candidates.
    """
    n = len(scores)
    if k <= 0 or n == 0:
        return []
    if k < n:
        kth = np.partition(scores, n - k)[n - k]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.arange(n)
    order = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), ids[i]))
    return order[:k]


def exact_top_k(similarities: np.ndarray, keys: Sequence[int] | np.ndarray, ids: Sequence[str], k: int) -> list[Hit]:
    """The `k` best of `similarities` as `Hit`s (see `top_k_indices`)."""
    return [Hit(int(keys[i]), ids[i], float(similarities[i])) for i in top_k_indices(similarities, ids, k)]


def tag_idf(degree: int, n_chunks: int) -> float:
    """Smoothed inverse document frequency of a tag: ``ln(1 + N / degree)``.

    `degree` is the number of chunks carrying the tag's incoming side, `n_chunks` (N)
    the number of chunks in the store. Always > 0, so no shared tag counts for nothing.
    """
    return math.log1p(max(n_chunks, 1) / max(degree, 1))


def neighbour_rank(similarity: float, tag_degrees: Sequence[int], n_chunks: int, idf_weight: float) -> float:
    """Rank of a neighbour: its similarity to the query, weighted by tag rarity.

    ``rank = (1 + similarity) / 2 * rarity ** idf_weight`` with
    ``rarity = sum(tag_idf(d, N) for d in tag_degrees) / ln(1 + N)``.

    The similarity is mapped to [0, 1] first so that the weight keeps its meaning for
    neighbours whose similarity is zero or negative (they still rank, lowest). A
    neighbour sharing one tag carried by a single chunk has rarity 1; common tags give
    less, several shared tags add up. With ``idf_weight=0`` the rank is a monotone
    function of similarity alone.
    """
    base = (1.0 + similarity) / 2.0
    if idf_weight == 0 or not tag_degrees:
        return base
    norm = math.log1p(max(n_chunks, 1))
    rarity = sum(tag_idf(d, n_chunks) for d in tag_degrees) / norm
    return base * rarity**idf_weight


def neighbour_ranks(neighbours: Neighbours, n_chunks: int, idf_weight: float) -> np.ndarray:
    """`neighbour_rank` of every chunk in `neighbours`, vectorised."""
    base = (1.0 + np.asarray(neighbours.similarities, dtype=np.float64)) / 2.0
    if idf_weight == 0 or len(neighbours) == 0:
        return base
    n = max(n_chunks, 1)
    idf = np.log1p(n / np.maximum(neighbours.pair_degree.astype(np.float64), 1.0))
    rarity = np.bincount(neighbours.pair_index, weights=idf, minlength=len(neighbours)) / math.log1p(n)
    return base * rarity**idf_weight
