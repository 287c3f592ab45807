"""The `small_ner_model` fixture keeps its promise: the three kinds found in simple sentences, clearly.

It is also an end-to-end check of doclinks' own trainer: a fresh model trained for a few hundred steps
on synthetic sentences finds names it never saw.
"""

from __future__ import annotations

import pytest

LABELS = ["person", "location", "organization"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Alan Turing visited Paris with Ada Lovelace.", {("Alan Turing", "person"), ("Paris", "location"), ("Ada Lovelace", "person")}),
        ("Barack Obama met Angela Merkel in Berlin.", {("Barack Obama", "person"), ("Angela Merkel", "person"), ("Berlin", "location")}),
        ("The meeting was held by Microsoft in Seattle.", {("Microsoft", "organization"), ("Seattle", "location")}),
    ],
)
def test_finds_people_places_and_organisations(small_ner_model, text, expected):
    found = small_ner_model.predict_entities(text, LABELS, threshold=0.5)
    assert {(e["text"], e["label"]) for e in found} == expected
    assert min(e["score"] for e in found) > 0.7, found  # clearly above 0.5, not by a hair


def test_labels_in_any_case(small_ner_model):
    found = small_ner_model.predict_entities("Alan Turing visited Paris.", ["Person", "Location", "Organization"])
    assert {(e["text"], e["label"]) for e in found} == {("Alan Turing", "Person"), ("Paris", "Location")}
