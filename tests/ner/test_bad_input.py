"""Bad arguments give a clear error naming the argument; empty texts give no entities."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def model(small_ner_model):
    """A model that finds people and places in simple sentences (see tests/conftest.py)."""
    return small_ner_model


def test_empty_and_whitespace_texts(model):
    assert model.predict_entities("", ["person"]) == []
    assert model.predict_entities(" \n\t ", ["person"]) == []
    assert model.inference(["", "   "], ["person"]) == [[], []]


def test_results_in_input_order_with_empty_texts_between(model):
    texts = ["Anna Smith moved to Berlin in 2019 .", "", "x " * 300, "Omar Rossi met Li Wang in Tokyo ."]
    together = model.inference(texts, ["person", "location"], threshold=0.05, batch_size=2)
    alone = [model.predict_entities(t, ["person", "location"], threshold=0.05) for t in texts]
    assert [[(e["start"], e["end"], e["label"]) for e in ents] for ents in together] == [
        [(e["start"], e["end"], e["label"]) for e in ents] for ents in alone
    ]
    assert together[1] == []


@pytest.mark.parametrize("text", [None, 3, b"bytes", ["a list"]])
def test_text_that_is_not_text(model, text):
    with pytest.raises(TypeError, match="text"):
        model.predict_entities(text, ["person"])


def test_texts_item_that_is_not_text(model):
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        model.inference(["fine", 42], ["person"])


@pytest.mark.parametrize("labels", [[], {}, [""], ["  "]])
def test_empty_labels(model, labels):
    with pytest.raises(ValueError, match="labels"):
        model.predict_entities("Anna Smith", labels)


@pytest.mark.parametrize("labels", [[1, 2], ["person", None], 5])
def test_labels_that_are_not_strings(model, labels):
    with pytest.raises(TypeError, match="labels"):
        model.predict_entities("Anna Smith", labels)


@pytest.mark.parametrize("threshold", [0, 1, -0.1, 1.5])
def test_threshold_outside_open_interval(model, threshold):
    with pytest.raises(ValueError, match="threshold"):
        model.predict_entities("Anna Smith", ["person"], threshold=threshold)


def test_threshold_not_a_number(model):
    with pytest.raises(TypeError, match="threshold"):
        model.predict_entities("Anna Smith", ["person"], threshold="0.5")


@pytest.mark.parametrize("batch_size", [0, -3])
def test_batch_size_below_one(model, batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        model.inference(["Anna Smith"], ["person"], batch_size=batch_size)


def test_per_text_labels_must_match_texts(model):
    with pytest.raises(ValueError, match="labels"):
        model.inference(["a b", "c d"], [["person"], ["city"], ["date"]])


def test_duplicate_labels_dropped_keeping_first(model):
    text = "Anna Smith moved to Berlin in 2019 ."
    once = model.predict_entities(text, ["person", "location"], threshold=0.05)
    twice = model.predict_entities(text, ["person", "location", "person"], threshold=0.05)
    assert once == twice


def test_per_text_labels_and_descriptions(model):
    texts = ["Anna Smith moved to Berlin .", "Omar Rossi visited Tokyo ."]
    per_text = model.inference(texts, [["person"], {"city": "location"}], threshold=0.05)
    assert {e["label"] for e in per_text[0]} <= {"person"}
    assert {e["label"] for e in per_text[1]} <= {"city"}
    alone = model.predict_entities(texts[0], ["person"], threshold=0.05)
    assert [(e["start"], e["end"]) for e in per_text[0]] == [(e["start"], e["end"]) for e in alone]
    assert [e["score"] for e in per_text[0]] == pytest.approx([e["score"] for e in alone], abs=1e-5)  # padding


def test_iter_inference_streams_in_order(model):
    texts = [f"Anna Smith moved to Berlin in {1990 + i} ." for i in range(7)]

    def generate():
        yield from texts

    streamed = list(model.iter_inference(generate(), ["person", "date"], threshold=0.05, chunk_size=3))
    whole = model.inference(texts, ["person", "date"], threshold=0.05)
    assert [[(e["start"], e["end"], e["label"]) for e in x] for x in streamed] == [
        [(e["start"], e["end"], e["label"]) for e in x] for x in whole
    ]


@pytest.mark.parametrize("label", ["人" * 1000, "!" * 3000])
def test_label_longer_than_half_a_row_is_named(model, label):
    with pytest.raises(ValueError, match=r"labels: label '.{10,}\.\.\.' is \d+ sub-tokens long"):
        model.predict_entities("Anna Smith moved to Berlin .", ["person", label])


def test_lone_surrogates_in_texts_and_labels(model):
    with pytest.raises(ValueError, match=r"texts\[1\] holds a lone surrogate at character 4"):
        model.inference(["fine", "Anna\ud800 Smith"], ["person"])
    with pytest.raises(ValueError, match="label 'per\\\\udc00son' holds a lone surrogate"):
        model.predict_entities("Anna Smith", ["per\udc00son"])
    with pytest.raises(ValueError, match="description of label 'person' holds a lone surrogate"):
        model.predict_entities("Anna Smith", {"person": "a name\ud800"})


def test_decomposed_unicode_reads_as_composed_with_offsets_into_the_original(model):
    import unicodedata

    composed = "José Müller moved to Zürich and met Angela Merkel ."
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)
    labels = ["person", "location"]
    want = model.predict_entities(composed, labels, threshold=0.05)
    got = model.predict_entities(decomposed, labels, threshold=0.05)
    assert want and [(e["label"], round(e["score"], 5)) for e in got] == [
        (e["label"], round(e["score"], 5)) for e in want
    ]
    for a, b in zip(got, want):
        assert decomposed[a["start"] : a["end"]] == a["text"]  # offsets into the caller's text
        assert unicodedata.normalize("NFC", a["text"]) == b["text"]
