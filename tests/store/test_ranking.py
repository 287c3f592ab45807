"""Ordering rules: exact top-k with ties by id, tag IDF and the neighbour rank."""

from __future__ import annotations

import math

import numpy as np
import pytest

from doclinks.store.ranking import exact_top_k, neighbour_rank, tag_idf
from doclinks.store.settings import TraversalSettings


def test_exact_top_k_breaks_ties_by_id_whatever_the_input_order():
    rng = np.random.default_rng(0)
    sims = np.array([0.5, 0.9, 0.5, 0.5, 0.1, 0.9])
    ids = ["e", "z", "c", "a", "b", "y"]
    for _ in range(10):
        perm = rng.permutation(len(ids))
        hits = exact_top_k(sims[perm], list(perm), [ids[i] for i in perm], 4)
        assert [h.id for h in hits] == ["y", "z", "a", "c"]
    assert exact_top_k(sims, list(range(6)), ids, 0) == []
    assert [h.id for h in exact_top_k(sims, list(range(6)), ids, 99)] == ["y", "z", "a", "c", "e", "b"]


def test_idf_and_rank():
    n = 1000
    assert tag_idf(1, n) == pytest.approx(math.log(1 + 1000))
    assert tag_idf(1, n) > tag_idf(10, n) > tag_idf(1000, n) > 0
    # idf_weight 0: the rank is the similarity mapped to [0, 1].
    assert neighbour_rank(-1.0, [5], n, 0.0) == 0.0
    assert neighbour_rank(0.0, [5], n, 0.0) == 0.5
    # A rare tag outranks a common one at equal similarity; two tags outrank one.
    assert neighbour_rank(0.3, [2], n, 1.0) > neighbour_rank(0.3, [200], n, 1.0)
    assert neighbour_rank(0.3, [200, 200], n, 1.0) > neighbour_rank(0.3, [200], n, 1.0)
    # Rank grows with similarity for any fixed tags, negative similarities included.
    ranks = [neighbour_rank(s, [50], n, 1.0) for s in (-0.9, -0.1, 0.0, 0.4, 0.9)]
    assert ranks == sorted(ranks) and ranks[0] > 0


def test_settings_are_checked():
    assert TraversalSettings().max_tag_degree == 100 and TraversalSettings().idf_weight == 1.0
    assert TraversalSettings().max_tag_share == 0.005 and TraversalSettings().min_hub_degree == 10
    with pytest.raises(ValueError, match="max_tag_share"):
        TraversalSettings(max_tag_share=0)
    with pytest.raises(ValueError, match="max_tag_share"):
        TraversalSettings(max_tag_share=1.5)
    with pytest.raises(TypeError, match="max_tag_share"):
        TraversalSettings(max_tag_share="1%")
    with pytest.raises(ValueError, match="min_hub_degree"):
        TraversalSettings(min_hub_degree=0)
    with pytest.raises(ValueError, match="max_tag_degree"):
        TraversalSettings(max_tag_degree=0)
    with pytest.raises(TypeError, match="max_tag_degree"):
        TraversalSettings(max_tag_degree=2.5)
    with pytest.raises(ValueError, match="idf_weight"):
        TraversalSettings(idf_weight=-1)
    with pytest.raises(ValueError, match="idf_weight"):
        TraversalSettings(idf_weight=float("nan"))


@pytest.mark.parametrize(
    "n_chunks, limit",
    [(0, 10), (7, 10), (1_890, 10), (2_199, 10), (2_200, 11), (10_000, 50), (20_000, 100), (1_000_000, 100)],
)
def test_default_hub_limit_is_half_a_percent_between_10_and_100(n_chunks, limit):
    assert TraversalSettings().degree_limit(n_chunks) == limit


def test_hub_limit_switches():
    assert TraversalSettings(max_tag_share=None).degree_limit(1_890) == 100
    assert TraversalSettings(max_tag_degree=None).degree_limit(1_000_000) == 5_000
    assert TraversalSettings(max_tag_degree=None, max_tag_share=None).degree_limit(7) == 2**62
    assert TraversalSettings(max_tag_share=0.5, min_hub_degree=2).degree_limit(7) == 3
    assert TraversalSettings(max_tag_degree=None, max_tag_share=None).walks_every_tag
    assert not TraversalSettings(max_tag_degree=None).walks_every_tag


def test_vectorised_ranks_equal_the_formula():
    from doclinks.store.ranking import Neighbours, neighbour_ranks

    rng = np.random.default_rng(1)
    sims = rng.uniform(-1, 1, 50)
    tags = [list(rng.integers(1, 300, rng.integers(1, 4))) for _ in range(50)]
    nb = Neighbours(
        np.arange(50),
        [f"i{i}" for i in range(50)],
        sims,
        np.repeat(np.arange(50), [len(t) for t in tags]),
        np.array([d for t in tags for d in t]),
    )
    for w in (0.0, 0.5, 1.0, 2.0):
        expected = [neighbour_rank(float(s), t, 1000, w) for s, t in zip(sims, tags)]
        assert neighbour_ranks(nb, 1000, w) == pytest.approx(expected, rel=1e-9)
