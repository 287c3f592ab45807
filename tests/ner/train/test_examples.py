"""Examples: crops, joins, and conversions between word spans and character offsets."""

from __future__ import annotations

import random

from doclinks.ner.train.examples import (
    EvalExample,
    Example,
    crop,
    eval_to_example,
    example_to_eval,
    joined,
    query_shaped,
)


def test_eval_entity_inside_a_word_is_dropped():
    example = EvalExample("German-born Anna", [(0, 6, "else"), (12, 16, "person")])
    converted, dropped = eval_to_example(example)
    assert converted.words == ["German-born", "Anna"] and converted.spans == [(1, 1, "person")] and dropped == 1


def test_example_to_eval_round_trip():
    example = Example(["Anna", "moved", "to", "São", "Paulo", "."], [(0, 0, "person"), (3, 4, "city")])
    ev = example_to_eval(example)
    assert ev.text == "Anna moved to São Paulo ."
    assert [ev.text[s:e] for s, e, _ in ev.entities] == ["Anna", "São Paulo"]
    assert eval_to_example(ev)[0].spans == example.spans


def test_crop_keeps_whole_entities():
    example = Example([f"w{i}" for i in range(20)], [(0, 1, "a"), (5, 6, "b"), (18, 19, "c")])
    for seed in range(30):
        out = crop(example, 8, random.Random(seed))
        assert len(out.words) == 8
        for s, e, label in out.spans:
            assert 0 <= s <= e < 8
            original = {"a": (0, 1), "b": (5, 6), "c": (18, 19)}[label]
            assert out.words[s] == f"w{original[0]}" and out.words[e] == f"w{original[1]}"
    assert crop(example, 50, random.Random(0)) is example


def test_joined_examples_shift_spans_and_fallbacks():
    a = Example(["Anna", "left", "."], [(0, 0, "person")], "s")
    b = Example(["Omar", "Rossi", "came", "."], [(0, 1, "politician")], "s", [(0, 1, "person")])
    j = joined([a, b])
    assert j.words == ["Anna", "left", ".", "Omar", "Rossi", "came", "."]
    assert j.spans == [(0, 0, "person"), (3, 4, "politician")] and j.fallback == [(3, 4, "person")]
    assert joined([a]) == a


def test_query_shaped_lower_cases_and_drops_punctuation_outside_entities():
    x = Example(["Book", "a", "table", "at", "Joe", "'s", "Diner", ",", "in", "Oslo", "!"],
                [(4, 6, "restaurant name"), (9, 9, "city")], "q/Restaurants", [(9, 9, "location")])  # fmt: skip
    q = query_shaped(x)
    assert q.words == ["book", "a", "table", "at", "joe", "'s", "diner", "in", "oslo"]
    assert q.spans == [(4, 6, "restaurant name"), (8, 8, "city")] and q.fallback == [(8, 8, "location")]
    assert q.source == "q/Restaurants"
    assert query_shaped(Example(["?", "!"], [])).words == ["?", "!"]  # nothing but punctuation: kept
