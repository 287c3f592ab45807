"""Years, decades, ranges and relative dates against an explicit today (doclinks.query.periods)."""

from datetime import date

import pytest

from doclinks.query.numbers import ValueNotUnderstood
from doclinks.query.periods import Interval, looks_temporal, parse_period

TODAY = date(2026, 12, 7)
D = date

PERIODS = [
    ("1994", D(1994, 1, 1), D(1994, 12, 31)),
    ("in 1994", D(1994, 1, 1), D(1994, 12, 31)),
    ("the nineties", D(1990, 1, 1), D(1999, 12, 31)),
    ("the 80s", D(1980, 1, 1), D(1989, 12, 31)),
    ("the '80s", D(1980, 1, 1), D(1989, 12, 31)),
    ("80's", D(1980, 1, 1), D(1989, 12, 31)),
    ("the 1990s", D(1990, 1, 1), D(1999, 12, 31)),
    ("the 2000s", D(2000, 1, 1), D(2009, 12, 31)),
    ("the 20s", D(2020, 1, 1), D(2029, 12, 31)),  # the latest 20s that has begun
    ("the 30s", D(1930, 1, 1), D(1939, 12, 31)),
    ("late 90s", D(1997, 1, 1), D(1999, 12, 31)),
    ("the early eighties", D(1980, 1, 1), D(1983, 12, 31)),
    ("the 1990s-ish", D(1990, 1, 1), D(1999, 12, 31)),  # a hedge is read as the decade itself
    ("after 1990", D(1991, 1, 1), None),
    ("since 2000", D(2000, 1, 1), None),
    ("before 1950", None, D(1949, 12, 31)),
    ("until 1980", None, D(1980, 12, 31)),
    ("before the 80s", None, D(1979, 12, 31)),
    ("after the nineties", D(2000, 1, 1), None),
    ("1970-1975", D(1970, 1, 1), D(1975, 12, 31)),
    ("1970-75", D(1970, 1, 1), D(1975, 12, 31)),
    ("between 1970 and 1975", D(1970, 1, 1), D(1975, 12, 31)),
    ("from the 80s to the 90s", D(1980, 1, 1), D(1999, 12, 31)),
    ("last year", D(2025, 1, 1), D(2025, 12, 31)),
    ("this year", D(2026, 1, 1), D(2026, 12, 31)),
    ("next year", D(2027, 1, 1), D(2027, 12, 31)),
    ("this month", D(2026, 12, 1), D(2026, 12, 31)),
    ("last month", D(2026, 11, 1), D(2026, 11, 30)),
    ("last week", D(2026, 11, 30), D(2026, 12, 6)),  # Monday to Sunday
    ("since March", D(2026, 3, 1), None),
    ("in March", D(2026, 3, 1), D(2026, 3, 31)),
    ("March 2021", D(2021, 3, 1), D(2021, 3, 31)),
    ("the past 3 weeks", D(2026, 11, 16), TODAY),
    ("two years ago", D(2024, 1, 1), D(2024, 12, 31)),
    ("yesterday", D(2026, 12, 6), D(2026, 12, 6)),
    ("March 3, 2021", D(2021, 3, 3), D(2021, 3, 3)),
    ("2021-03-03", D(2021, 3, 3), D(2021, 3, 3)),
    ("since 2019-05-01", D(2019, 5, 1), None),
]


@pytest.mark.parametrize("phrase, low, high", PERIODS)
def test_periods(phrase, low, high):
    assert parse_period(phrase, TODAY) == Interval(low, high)


@pytest.mark.parametrize(
    "today, phrase, low, high",
    [
        (D(2026, 3, 31), "last month", D(2026, 2, 1), D(2026, 2, 28)),  # a month's end: February has 28 days
        (D(2024, 3, 31), "last month", D(2024, 2, 1), D(2024, 2, 29)),
        (D(2026, 3, 31), "a month ago", D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 1, 31), "last month", D(2025, 12, 1), D(2025, 12, 31)),  # across a year
        (D(2026, 12, 31), "next month", D(2027, 1, 1), D(2027, 1, 31)),
        (D(2026, 2, 28), "since March", D(2025, 3, 1), None),  # March has not begun this year
        (D(2026, 3, 1), "since March", D(2026, 3, 1), None),
    ],
)
def test_relative_dates_at_a_months_end(today, phrase, low, high):
    assert parse_period(phrase, today) == Interval(low, high)


@pytest.mark.parametrize("phrase", ["", "under -$", "the 1990s-something", "cheap", "2021-02-30", "late"])
def test_phrases_without_a_period_are_refused(phrase):
    with pytest.raises(ValueNotUnderstood, match="no year, decade or date"):
        parse_period(phrase, TODAY)


def test_today_must_be_a_date():
    with pytest.raises(TypeError, match=r"today must be a datetime\.date"):
        parse_period("last year", "2026-12-07")


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("after 1990", True),
        ("the nineties", True),
        ("the 80s", True),
        ("last year", True),
        ("since March", True),
        ("under $20", False),
        ("4 stars", False),
        ("between 3 and 5", False),
    ],
)
def test_looks_temporal(phrase, expected):
    assert looks_temporal(phrase) is expected
