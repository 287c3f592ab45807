"""The `small_ner_model` fixture keeps its promise: the three kinds found in simple sentences, clearly.

It is also an end-to-end check of doclinks' own trainer: a model it trained for a few hundred steps on
synthetic sentences (once, committed as a fixture: the same on every machine) finds names it never saw.
"""

from __future__ import annotations

import pytest

from tests.ner import small_model

LABELS = ["person", "location", "organization"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Alan Turing visited Paris with Ada Lovelace.",
            {("Alan Turing", "person"), ("Paris", "location"), ("Ada Lovelace", "person")},
        ),
        (
            "Barack Obama met Angela Merkel in Berlin.",
            {("Barack Obama", "person"), ("Angela Merkel", "person"), ("Berlin", "location")},
        ),
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


def test_the_fixture_is_the_file_the_script_recorded():
    assert small_model.sha256(small_model.HEADS_FILE) == small_model.HEADS_SHA256


def test_the_checkpoint_holds_exactly_the_fixture_over_the_packaged_encoder(small_ner_checkpoint):
    import torch
    from safetensors.torch import load_file

    from doclinks.ner.checkpoints import load_checkpoint

    _, _, network = load_checkpoint(small_ner_checkpoint)
    heads = small_model.heads_of(network.state_dict(), small_model.encoder_weights())
    committed = load_file(str(small_model.HEADS_FILE))
    assert heads.keys() == committed.keys()
    for name, value in committed.items():
        assert torch.equal(heads[name], value.to(torch.float32)), name
