"""The training pool: mixing weights, labels read off the pool, licences, and the real sets of the shared data."""

from __future__ import annotations

import pytest

from doclinks.ner.train.examples import Example
from doclinks.ner.train.pool import (
    OPEN_SETS,
    SET_LICENCES,
    TRAIN_SETS,
    build_pool,
    label_parents,
    mix_weights,
    pool_labels,
    source_label_sets,
)
from doclinks.paths import DATA_ENV, data_root


def test_mix_weights():
    pool = {"a": [Example(["x"], [])] * 100, "b": [Example(["x"], [])] * 25, "c": []}
    weights = mix_weights(pool)
    assert weights == pytest.approx({"a": 10 / 15, "b": 5 / 15})
    assert mix_weights(pool, {"b": 3.0, "a": 1.0}) == pytest.approx({"a": 0.25, "b": 0.75})


def test_pool_from_shared_data():
    root = data_root()
    if not (root / "ner" / "train").is_dir():
        pytest.skip(f"shared data not found at {root} (set {DATA_ENV})")
    pool = build_pool(["conll2003", "wnut17", "bc5cdr", "few-tk"], root)
    assert len(pool["conll2003"]) == 14041 and len(pool["wnut17"]) == 3394 and len(pool["bc5cdr"]) == 4560
    labels = {label for x in pool["conll2003"] for _, _, label in x.spans}
    assert labels == {"person", "organization", "location", "miscellaneous"}
    assert {label for x in pool["bc5cdr"] for _, _, label in x.spans} == {"chemical", "disease"}
    assert "algorithm" in pool_labels(pool)
    for examples in pool.values():
        for x in examples[:500]:
            assert all(0 <= s <= e < len(x.words) for s, e, _ in x.spans)


def test_label_parents_and_source_label_sets():
    pool = {
        "wide": [
            Example(
                ["a", "b"], [(0, 0, "politician"), (1, 1, "film")], "wide", [(0, 0, "person"), (1, 1, "creative work")]
            )
        ],
        "conll": [Example(["c"], [(0, 0, "person")], "conll")],
    }
    assert label_parents(pool) == {"politician": "person", "film": "creative work"}
    assert source_label_sets(pool) == {"wide": {"politician", "film", "person", "creative work"}, "conll": {"person"}}


def test_open_sets_exclude_research_only_data():
    assert set(OPEN_SETS) == {"wnut17", "bc5cdr", "ncbi-disease", "gliner-sample", "few-nerd", "multiconer2-en",
                                   "bionlp13cg", "anatem", "snips", "sgd"}  # fmt: skip
    assert set(SET_LICENCES) == set(TRAIN_SETS)


def test_wide_sets_from_shared_data():
    root = data_root()
    if not (root / "ner" / "train" / "few-nerd").is_dir():
        pytest.skip(f"shared data not found at {root} (set {DATA_ENV})")
    pool = build_pool(["few-nerd", "multiconer2-en"], root)
    assert len(pool["few-nerd"]) == 37395 and len(pool["multiconer2-en"]) == 17535
    parents = label_parents(pool)
    assert parents["politician"] == "person" and parents["political party"] == "organization"
    for examples in pool.values():
        for x in examples[:300]:
            assert all(0 <= s <= e < len(x.words) for s, e, _ in x.spans + x.fallback)


def test_query_sets_join_by_name_only_and_read_per_service():
    from doclinks.ner.train.config import TrainConfig
    from doclinks.ner.train.pool import QUERY_SETS

    assert not set(QUERY_SETS) & set(TrainConfig().sets)  # runs without --sets read what they read before
    root = data_root()
    if not (root / "ner" / "train" / "snips").is_dir():
        pytest.skip(f"shared data not found at {root} (set {DATA_ENV})")
    pool = build_pool(["snips"], root)
    assert len(pool["snips"]) == 14259
    sources = {x.source for x in pool["snips"]}
    assert "snips/PlayMusic" in sources and all(s == "snips" or s.startswith("snips/") for s in sources)
    labels = source_label_sets(pool)
    assert {"artist", "music genre"} <= labels["snips/PlayMusic"] and "cuisine" not in labels["snips/PlayMusic"]
    assert "creative work" in labels["snips"] and "work of art" not in labels["snips"]  # the pool's name
    dropped = build_pool(["snips"], root, query_drop_fallbacks=["creative work"])["snips"]
    assert all("creative work" not in {f[2] for f in x.fallback} for x in dropped)
    assert [x.spans for x in dropped] == [x.spans for x in pool["snips"]]  # the fine names stay
    assert any("creative work" in {f[2] for f in x.fallback} for x in pool["snips"])


def test_query_drop_labels_leaves_those_spans_and_their_fallbacks_out_of_the_query_sets_only():
    from doclinks.ner.train.examples import Example
    from doclinks.ner.train.pool import without_labels

    words = ["rate", "this", "book", "the", "hobbit"]
    x = Example(
        words,
        [(2, 2, "type of work"), (3, 4, "title")],
        "snips/RateBook",
        [(2, 2, "creative work"), (3, 4, "creative work")],
    )
    kept = without_labels(x, {"type of work"})
    assert kept.words == words and kept.source == "snips/RateBook"
    assert kept.spans == [(3, 4, "title")] and kept.fallback == [(3, 4, "creative work")]
    assert without_labels(x, set()) == x
    root = data_root()
    if not (root / "ner" / "train" / "snips").is_dir():
        pytest.skip(f"shared data not found at {root} (set {DATA_ENV})")
    pool = build_pool(["snips", "wnut17"], root, query_drop_labels=["type of work"])
    assert all("type of work" not in {s[2] for s in x.spans} for x in pool["snips"])
    assert len(pool["snips"]) == 14259  # rows stay, unlabelled words and all
