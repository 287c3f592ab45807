"""Numbers, money and comparisons: tables of phrasings -> values (doclinks.query.numbers)."""

import pytest

from doclinks.query.numbers import ValueNotUnderstood, find_numbers, numeric_comparisons, parse_number

COMPARISONS = [
    ("under $20", [("lt", 20.0)]),
    ("below 20 dollars", [("lt", 20.0)]),
    ("less than 2 hours", [("lt", 2.0)]),
    ("cheaper than €15", [("lt", 15.0)]),
    ("15 bucks", [("eq", 15.0)]),
    ("$15", [("eq", 15.0)]),
    ("at least 4 stars", [("gte", 4.0)]),
    ("4+ stars", [("gte", 4.0)]),
    ("4 stars or more", [("gte", 4.0)]),
    ("4 stars and up", [("gte", 4.0)]),
    ("20 dollars or less", [("lte", 20.0)]),
    ("no more than 30 minutes", [("lte", 30.0)]),
    ("up to 3", [("lte", 3.0)]),
    ("at most five", [("lte", 5.0)]),
    ("over 100", [("gt", 100.0)]),
    ("more than twenty five", [("gt", 25.0)]),
    ("between 3 and 5", [("gte", 3.0), ("lte", 5.0)]),
    ("between 5 and 3", [("gte", 3.0), ("lte", 5.0)]),
    ("from 10 to 20 dollars", [("gte", 10.0), ("lte", 20.0)]),
    ("3-5 stars", [("gte", 3.0), ("lte", 5.0)]),
    ("1,200 dollars", [("eq", 1200.0)]),
    ("$1.5k", [("eq", 1500.0)]),
    ("2 million", [("eq", 2_000_000.0)]),
    ("a dozen", [("eq", 12.0)]),
    ("three", [("eq", 3.0)]),
    ("two hundred", [("eq", 200.0)]),
    ("-5 degrees", [("eq", -5.0)]),
    ("4.5 stars", [("eq", 4.5)]),
]


@pytest.mark.parametrize("phrase, expected", COMPARISONS)
def test_numeric_comparisons(phrase, expected):
    assert numeric_comparisons(phrase) == expected


@pytest.mark.parametrize(
    "phrase, message",
    [
        ("under -$", "no number in 'under -\\$'"),
        ("", "no number"),
        ("stars", "no number"),
        ("cheap", "no number"),
        ("3 5 7", "3 numbers in '3 5 7' and no range"),
    ],
)
def test_phrases_without_a_reading_are_refused_with_the_reason(phrase, message):
    with pytest.raises(ValueNotUnderstood, match=message):
        numeric_comparisons(phrase)


def test_parse_number_wants_exactly_one():
    assert parse_number("$20") == 20.0
    assert parse_number("twelve") == 12.0
    with pytest.raises(ValueNotUnderstood, match="expected one number"):
        parse_number("2 or 3")
    with pytest.raises(ValueError):
        parse_number("none")


def test_find_numbers_gives_offsets():
    text = "between $3 and five"
    assert [(text[s:e], v) for s, e, v in find_numbers(text)] == [("$3", 3.0), ("five", 5.0)]
