"""Ordering rules shared by every store and strategy.

- Ties break by id: every ordering sorts by score, descending, then id, ascending.
- Neighbours found through links are ranked by `neighbour_rank`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["Hit", "Neighbour", "exact_top_k", "neighbour_rank", "tag_idf"]


class Hit(NamedTuple):
    """A chunk found by vector search: store key, id, cosine similarity to the query."""

    key: int
    id: str
    similarity: float


class Neighbour(NamedTuple):
    """A chunk reached through links.

    ``tag_degrees`` has one entry per walked ``(kind, tag)`` shared with the chunks
    being expanded: the number of chunks that carry that tag's incoming side.
    """

    key: int
    id: str
    similarity: float
    tag_degrees: tuple[int, ...]


def exact_top_k(similarities: np.ndarray, keys: Sequence[int], ids: Sequence[str], k: int) -> list[Hit]:
    """The `k` best of `similarities` (descending, ties by id ascending), exactly.

    Every entry that ties with the k-th best is considered before the id tie-break, so
    the answer does not depend on the order of the input.
    """
    n = len(similarities)
    if k <= 0 or n == 0:
        return []
    if k < n:
        kth = np.partition(similarities, n - k)[n - k]
        candidates = np.flatnonzero(similarities >= kth)
    else:
        candidates = np.arange(n)
    order = sorted(candidates.tolist(), key=lambda i: (-float(similarities[i]), ids[i]))
    return [Hit(int(keys[i]), ids[i], float(similarities[i])) for i in order[:k]]


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
