"""Entities of links never cross a line break or a sentence end: the break finder, the decoding step
that applies it before the greedy choice, and the extractor end to end."""

from __future__ import annotations

from itertools import pairwise

import pytest

from doclinks.boundaries import BreakIndex, break_positions, crosses_break
from doclinks.links import GLiNERLinkExtractor
from doclinks.ner.decoding import Candidate, greedy_decode, within_breaks


@pytest.mark.parametrize(
    "text, pieces",
    [
        ("U.S. Embassies. Technically a part of Mission Germany", ["Embassies.| Technically"]),
        ("Kansas in the 19th century. Born in Liverpool", ["century.| Born"]),
        ("G. Stanley Hall met Mr. Smith at St. Louis Inc. today.", []),
        ("A title\nBody text", ["title|\nBody"]),
        ("the county championship . Next day", ["championship .| Next"]),
        ('He said "Go!" Then left.', ['"Go!"| Then']),
        ("Dr. No is a film. 1984 was a year.", ["film.| 1984"]),
        ("It cost 3.5 million. it was cheap", []),  # no capital after the dot: not a sentence end here
        ("Line one\r\nLine two", ["one|\r\nLine", "one\r|\nLine"]),
        ("", []),
    ],
)  # fmt: skip
def test_break_positions(text, pieces):
    breaks = break_positions(text)
    shown = [text[:p].rsplit(" ", 1)[-1] for p in breaks]
    assert len(breaks) == len(pieces), shown
    for p, piece in zip(breaks, pieces):
        before, after = piece.split("|")
        assert text[:p].endswith(before) and text[p:].startswith(after)


def test_crosses_break_is_strictly_inside():
    text = "Anna went home. Berlin is big."
    index = BreakIndex(text)
    assert index.breaks == [15]
    assert not index.crosses(0, 15)  # "Anna went home."
    assert not index.crosses(16, 22)  # "Berlin"
    assert index.crosses(10, 22)  # "home. Berlin"
    assert crosses_break([3], 3, 4) and not crosses_break([3], 4, 9) and not crosses_break([], 0, 100)


def test_best_span_inside_a_sentence_wins_instead_of_nothing():
    # Words: 0 Alan 1 Turing. 2 Yesterday 3 Grace 4 Hopper
    text = "Alan Turing. Yesterday Grace Hopper"
    starts, ends = [0, 5, 13, 23, 29], [4, 12, 22, 28, 35]
    crossing = Candidate(1, 3, 0, 0.95)  # "Turing. Yesterday Grace"
    inside = [Candidate(0, 1, 0, 0.9), Candidate(3, 4, 0, 0.85)]  # "Alan Turing.", "Grace Hopper"
    free = greedy_decode(sorted([crossing, *inside]))
    assert free == [crossing]  # the crossing span shadows both names
    kept = greedy_decode(sorted(within_breaks([crossing, *inside], starts, ends, break_positions(text))))
    assert [text[starts[c.start] : ends[c.end]] for c in kept] == ["Alan Turing.", "Grace Hopper"]
    assert within_breaks([crossing], starts, ends, []) == [crossing]


TEXTS = [
    "Alan Turing worked in Manchester. Yesterday Grace Hopper visited the Navy in Washington.",
    "Angela Merkel\nBerlin\nEmmanuel Macron spoke in Paris. The United Nations met in New York.",
    "Report by John Smith. Microsoft Corporation said Satya Nadella would visit London.\n\nSiemens AG",
]


def test_no_entity_crosses_a_break_in_link_extraction(ner):
    labels = ["person", "organization", "location"]
    extractor = GLiNERLinkExtractor(labels, model=ner, min_link_score=None)
    for text, records in zip(TEXTS, extractor.extract_entities(TEXTS)):
        index = BreakIndex(text)
        assert records, text
        for r in records:
            assert text[r["start"] : r["end"]] == r["text"]
            assert not index.crosses(r["start"], r["end"]), r
    # The model's own answer, asked for without the constraint, is gliner's (parity).
    plain = ner.inference(TEXTS, labels)
    assert plain == ner.inference(TEXTS, labels, respect_boundaries=False)
    constrained = ner.inference(TEXTS, labels, respect_boundaries=True)
    for text, entities in zip(TEXTS, constrained):
        index = BreakIndex(text)
        assert not any(index.crosses(e["start"], e["end"]) for e in entities)


def test_min_link_score_keeps_weak_mentions_as_unlinked_records(ner):
    text = "Anna Smith met Omar Okafor at Acme Corp in Berlin near the old bridge ."
    labels = ["person", "location", "building", "food"]  # labels it knows and does not: scores spread
    loose = GLiNERLinkExtractor(labels, model=ner, min_link_score=None, extract_kwargs={"threshold": 0.05})
    records = next(loose.extract_entities([text]))
    best: dict = {}
    for r in records:
        best[r["tag"]] = max(best.get(r["tag"], 0.0), r["score"])
    scores = sorted(set(best.values()))
    gap, floor = max((b - a, (a + b) / 2) for a, b in pairwise(scores))  # a floor between the model's own scores
    assert gap > 0.05 and 0 < floor < 1
    strict = GLiNERLinkExtractor(labels, model=ner, min_link_score=floor, extract_kwargs={"threshold": 0.05})
    links = strict.extract_one(text)
    assert {link.tag for link in links} == {tag for tag, score in best.items() if score >= floor}
    strict_records = next(strict.extract_entities([text]))
    assert len(strict_records) == len(records)  # nothing lost: weak mentions stay, unlinked
    assert {r["tag"] for r in strict_records if not r["linked"]} == {t for t, s in best.items() if s < floor} != set()
    # A label with its own threshold links at that threshold, whatever the floor.
    chosen = GLiNERLinkExtractor(labels, model=ner, min_link_score=0.99, thresholds={"building": 0.05},
                                 extract_kwargs={"threshold": 0.05})  # fmt: skip
    expected = {(f"entity:{r['label']}", r["tag"]) for r in records if r["label"] == "building" or r["score"] >= 0.99}
    assert {(link.kind, link.tag) for link in chosen.extract_one(text)} == expected


def test_label_descriptions_warn_for_a_model_not_trained_with_them(ner):
    with pytest.warns(UserWarning, match="not trained with label descriptions"):
        GLiNERLinkExtractor({"drug": "a medicine", "person": "a person's name"}, model=ner)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GLiNERLinkExtractor(["drug", "person"], model=ner)
