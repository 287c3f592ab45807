"""Contrast labels: asked beside the user's labels, their winning spans are dropped, not linked.

On the small test model (it knows person, location, organization and date), a contrast label it knows
well ("date") plays the part that "nationality" plays for the shipped model: a span that fits
it better than the user's labels is no entity of theirs. Clear cases only (names scored ~1.0)."""

from __future__ import annotations

import pytest

from doclinks.links import GLiNERLinkExtractor, Link
from doclinks.links.contrast import DEFAULT_CONTRAST_LABELS, check_contrast_labels, contrast_for

TEXT = "Anna Smith moved to Paris in 2019 ."


def kinds(links):
    return {link.kind for link in links}


@pytest.mark.parametrize("mode", ["separate", "joint"])
def test_a_contrast_labels_win_drops_the_span(ner, mode):
    # Asked for person and location only, the small model calls "2019" a location (0.93): the shipped
    # model's "French" as a location. With "date" beside them as a contrast label, date wins the span and
    # the span is dropped, not linked; the names stay.
    plain = GLiNERLinkExtractor(["person", "location"], model=ner, contrast_labels=None)
    assert Link.bidir("entity:location", "2019") in plain.extract_one(TEXT)
    ex = GLiNERLinkExtractor(["person", "location"], model=ner, contrast_labels=["date"], contrast_mode=mode)
    links = ex.extract_one(TEXT)
    assert {Link.bidir("entity:person", "Anna Smith"), Link.bidir("entity:location", "Paris")} <= links
    assert Link.bidir("entity:location", "2019") not in links and kinds(links) <= {"entity:person", "entity:location"}
    assert not [r for r in next(ex.extract_entities([TEXT])) if r["text"] == "2019" or r["label"] == "date"]
    assert ex.contrast_labels == ["date"] and ex.labels == ["person", "location"]


def test_separate_mode_keeps_the_users_scores(ner):
    """The user's labels are scored by a call without the contrast labels: the records that stay are
    exactly those of an extractor without contrast labels."""
    plain = GLiNERLinkExtractor(["person", "location"], model=ner, contrast_labels=None)
    judged = GLiNERLinkExtractor(["person", "location"], model=ner, contrast_labels=["organization"])
    texts = [TEXT, "Omar Okafor works for Siemens in Berlin ."]
    for a, b in zip(plain.extract_entities(texts), judged.extract_entities(texts)):
        assert [r for r in a if r in b] == b  # a subset, with the same scores


def test_a_user_label_named_like_a_contrast_label_is_the_users(ner):
    ex = GLiNERLinkExtractor(["Person", "Location"], model=ner, contrast_labels=["person", "date"])
    assert ex.contrast_labels == ["date"]
    assert Link.bidir("entity:Person", "Anna Smith") in ex.extract_one(TEXT)


def test_the_default_and_the_off_switch(ner):
    assert GLiNERLinkExtractor(["person"], model=ner).contrast_labels == list(DEFAULT_CONTRAST_LABELS)
    assert GLiNERLinkExtractor(["person"], model=ner, contrast_labels=None).contrast_labels == []
    assert GLiNERLinkExtractor(["person"], model=ner, contrast_labels=[]).contrast_labels == []


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("nationality", TypeError, "single str"),
        ([3], TypeError, "must be a str"),
        ([" "], ValueError, "empty"),
        (["na\ud800"], ValueError, "surrogate"),
        (5, TypeError, "expected None or a list"),
    ],
)
def test_bad_contrast_labels(value, error, match):
    with pytest.raises(error, match=match):
        check_contrast_labels(value)


def test_bad_contrast_mode(ner):
    with pytest.raises(ValueError, match="contrast_mode: expected one of separate, joint"):
        GLiNERLinkExtractor(["person"], model=ner, contrast_mode="both")


def test_contrast_for_is_exact():
    assert contrast_for(["Person", " Nationality "], ["nationality", "date", "date"]) == ("date", "date")
    assert check_contrast_labels(["date", "date", "event"]) == ("date", "event")
    assert check_contrast_labels(None) == ()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_setting_round_trips_through_the_store(ner, minilm, tmp_path, backend):
    from doclinks.pipeline import IngestSettings, ingest_chunks, stored_contrast_labels
    from doclinks.sources import Chunk
    from doclinks.store import InMemoryGraphStore, SQLiteGraphStore

    def open_store():
        return InMemoryGraphStore(minilm) if backend == "memory" else SQLiteGraphStore(tmp_path / "g.db", minilm)

    store = open_store()
    assert stored_contrast_labels(store) == []
    settings = IngestSettings(labels=["person", "location"], contrast_labels=["organization", "date"])
    extractor = build_extractor_with(settings, ner)
    ingest_chunks(store, [Chunk("a", TEXT, {})], settings, extractor=extractor)
    assert stored_contrast_labels(store) == [["date", "organization"]]
    if backend == "sqlite":
        store.close()
        store = open_store()
        assert stored_contrast_labels(store) == [["date", "organization"]]
    other = IngestSettings(labels=["person", "location"], contrast_labels=None)
    ingest_chunks(store, [Chunk("b", "Omar Okafor works for Siemens in Berlin .", {})], other,
                  extractor=build_extractor_with(other, ner))  # fmt: skip
    assert stored_contrast_labels(store) == [[], ["date", "organization"]]


def build_extractor_with(settings, model):
    return GLiNERLinkExtractor(settings.labels, model=model, min_link_score=settings.min_link_score,
                               contrast_labels=settings.contrast_labels)  # fmt: skip
