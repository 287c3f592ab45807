"""Negation, lists, value phrases, fields and value linking: tables of phrasings -> values."""

import json

import pytest

from doclinks.query.fields import FieldSpec, check_fields, load_fields
from doclinks.query.limits import find_limit
from doclinks.query.linking import Link, ValueLinker, fold
from doclinks.query.lists import split_values
from doclinks.query.negation import negation_before, strip_negation
from doclinks.query.values import negate, value_phrase


@pytest.mark.parametrize(
    "text, expected",
    [
        ("non-American", (True, "American")),
        ("non American", (True, "American")),
        ("not comedies", (True, "comedies")),
        ("without subtitles", (True, "subtitles")),
        ("comedies", (False, "comedies")),
        ("not non-fiction", (False, "fiction")),  # two cues cancel
        ("Nothing Hill", (False, "Nothing Hill")),  # a cue must stand alone
        ("No Country for Old Men", (False, "No Country for Old Men")),  # inside a span, only unambiguous cues
    ],
)
def test_strip_negation(text, expected):
    assert strip_negation(text) == expected


@pytest.mark.parametrize(
    "query, value, negated",
    [
        ("hitchcock films before 1950, not westerns", "westerns", True),
        ("not really a comedy", "comedy", True),
        ("anything but horror", "horror", True),
        ("restaurants without parking", "parking", True),
        ("no horror with tom hanks", "tom hanks", False),  # "with" starts another clause
        ("not from france, but comedy", "comedy", False),
        ("comedies with tom hanks", "tom hanks", False),
        ("movies not by Spielberg", "Spielberg", True),
    ],
)
def test_negation_before(query, value, negated):
    assert (negation_before(query, query.index(value)) is not None) is negated


@pytest.mark.parametrize(
    "text, expected",
    [
        ("french or italian", (["french", "italian"], "or")),
        ("either french or italian", (["french", "italian"], "or")),
        ("french, italian and spanish", (["french", "italian", "spanish"], "and")),
        ("french, italian or spanish", (["french", "italian", "spanish"], "or")),
        ("french/italian", (["french", "italian"], "or")),
        ("tom hanks and meg ryan", (["tom hanks", "meg ryan"], "and")),
        ("thai", (["thai"], None)),
        ("", ([], None)),
    ],
)
def test_split_values(text, expected):
    assert split_values(text) == expected


@pytest.mark.parametrize(
    "query, span, phrase, negated",
    [
        ("cheap thai place under $20", "$20", "under $20", False),
        ("at least 4 stars please", "4", "at least 4 stars", False),
        ("rated 4 stars or more", "4", "4 stars or more", False),
        ("films between 1970 and 1975", "1970", "between 1970 and 1975", False),
        ("hitchcock films before 1950, not westerns", "westerns", "not westerns", True),
        ("films from the nineties", "nineties", "from the nineties", False),
        ("no more than 30 minutes", "30", "no more than 30 minutes", False),  # a comparison, not a negation
        ("a non-American film", "non-American", "non-American", True),
        ("movies not by Spielberg", "Spielberg", "not by Spielberg", True),
    ],
)
def test_value_phrase(query, span, phrase, negated):
    s = query.index(span)
    left, right, neg = value_phrase(query, s, s + len(span))
    assert (query[left:right], neg) == (phrase, negated)


@pytest.mark.parametrize(
    "op, value, expected",
    [
        ("eq", "x", ("ne", "x")),
        ("in", ["a"], ("nin", ["a"])),
        ("gt", 3, ("lte", 3)),
        ("gte", 3, ("lt", 3)),
        ("between", [1, 2], ("not_between", [1, 2])),
        ("eq", True, ("eq", False)),
    ],
)
def test_negate(op, value, expected):
    assert negate(op, value) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("top 3 westerns", (3, "top 3")),
        ("best five thai places", (5, "best five")),
        ("show me 10 comedies", (10, "show me 10")),
        ("three westerns with john wayne", (3, "three")),
        ("westerns with john wayne", None),
        ("top 500 films", None),  # not a count of results
    ],
)
def test_find_limit(query, expected):
    got = find_limit(query, [])
    assert (got if got is None else (got[0], query[got[1] : got[2]])) == expected


def test_find_limit_skips_taken_numbers():
    query = "3 stars or more"
    assert find_limit(query, [(0, len(query))]) is None


def test_fields_default_labels_and_types():
    f = FieldSpec("release_year", "The year the film was released", "int")
    assert (f.type, f.labels, f.holds_periods) == ("integer", ("release year",), True)
    assert FieldSpec("genre", "film genre", "str").labels == ("film genre",)
    assert FieldSpec("rating", "stars", "float").holds_periods is False
    assert FieldSpec("cast", type="list[str]", labels=["actor", "actress"]).type == "list[string]"


@pytest.mark.parametrize(
    "fields, message",
    [
        ([], "no fields"),
        (
            [FieldSpec("a", labels=("person",)), FieldSpec("b", labels=("Person",))],
            "label 'Person' belongs to two fields, 'a' and 'b'",
        ),
        ([FieldSpec("a"), FieldSpec("a", labels=("x",))], "field 'a' is described twice"),
    ],
)
def test_fields_that_collide_are_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        check_fields(fields)


def test_bad_field_specs_are_refused():
    with pytest.raises(ValueError, match="unknown type 'money'"):
        FieldSpec("price", type="money")
    with pytest.raises(ValueError, match="non-empty name"):
        FieldSpec("")
    with pytest.raises(ValueError, match="labels must be non-empty"):
        FieldSpec("a", labels=("",))


def test_load_fields_from_json(tmp_path):
    path = tmp_path / "fields.json"
    path.write_text(
        json.dumps(
            [
                {"name": "year", "description": "release year", "type": "integer"},
                {"name": "genre", "type": "string", "labels": ["genre"]},
            ]
        )
    )
    fields = load_fields(path)
    assert [(f.name, f.labels) for f in fields] == [("year", ("release year",)), ("genre", ("genre",))]
    path.write_text(json.dumps([{"name": "x", "colour": "red"}]))
    with pytest.raises(ValueError, match=r"unknown keys \['colour'\]"):
        load_fields(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_fields(path)


def test_fields_from_langchain_attribute_info():
    from langchain_classic.chains.query_constructor.schema import AttributeInfo

    info = AttributeInfo(name="year", description="The year the movie was released", type="integer")
    assert FieldSpec.from_attribute_info(info) == FieldSpec("year", "The year the movie was released", "integer")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Comédies!", "comedy"),
        ("WESTERNS", "western"),
        ("Zürich", "zurich"),
        ("glass", "glass"),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


LINKER = ValueLinker(
    {
        "genre": ["comedy", "western", "drama", "science fiction"],
        "director": ["Alfred Hitchcock", "Pedro Almodóvar", "Sofia Coppola", "Francis Ford Coppola"],
    }
)


@pytest.mark.parametrize(
    "field, text, expected",
    [
        ("genre", "comedy", Link("comedy", "exact")),
        ("genre", "Comedies", Link("comedy", "folded")),
        ("genre", "westerns", Link("western", "folded")),
        ("director", "pedro almodovar", Link("Pedro Almodóvar", "folded")),
        ("director", "hitchcock", Link("Alfred Hitchcock", "part")),
        ("director", "coppola", Link(None, "unknown")),  # two Coppolas: no guess
        ("director", "Alfred Hitchcok", Link("Alfred Hitchcock", "fuzzy")),
        ("genre", "sci fi", Link(None, "unknown")),
        ("genre", "musical", Link(None, "unknown")),
        ("year", "1994", Link("1994", "exact")),  # a field without a vocabulary: as written
    ],
)
def test_value_linking(field, text, expected):
    assert LINKER.link(field, text) == expected


def test_find_values_whole_values_and_unique_surnames():
    linker = ValueLinker(
        {
            "director": ["Alfred Hitchcock", "Spike Lee", "Pedro Almodóvar", "Sofia Coppola", "Francis Ford Coppola"],
            "genre": ["comedy", "science fiction"],
        }
    )
    q = "hitchcock comedies, almodovar or Spike Lee science fiction, not coppola"
    got = [(q[s:e], v) for s, e, v in linker.find_values("director", q)]
    assert got == [("hitchcock", "Alfred Hitchcock"), ("almodovar", "Pedro Almodóvar"), ("Spike Lee", "Spike Lee")]
    got = [(q[s:e], v) for s, e, v in linker.find_values("genre", q)]
    assert got == [("comedies", "comedy"), ("science fiction", "science fiction")]
    assert linker.link("director", "Hitchcok") == Link("Alfred Hitchcock", "fuzzy")  # a misspelt surname


def test_pattern_spans():
    from doclinks.query.scan import pattern_spans

    price = FieldSpec("price", type="float", units=("$", "dollars", "bucks"))
    rating = FieldSpec("rating", type="float", units=("stars",))
    year = FieldSpec("year", type="integer")
    subtitles = FieldSpec("subtitles", type="boolean")
    q = "under $5 or 15 bucks, 4+ stars, from the 80s or 1994, without subtitles"
    spans = lambda f: [q[s:e] for s, e in pattern_spans(q, f)]  # noqa: E731
    assert spans(price) == ["$5", "15"]
    assert spans(rating) == ["4"]
    assert spans(year) == ["80s", "1994"]
    assert spans(subtitles) == ["subtitles"]
    assert pattern_spans(q, FieldSpec("genre")) == []


def test_a_cue_does_not_reach_over_another_value():
    q = "anything but horror from the 80s"
    s = q.index("80s")
    assert value_phrase(q, s, s + 3, others=[(13, 19)])[2] is False  # "horror" stands between
    assert value_phrase(q, 13, 19, others=[(s, s + 3)])[2] is True
