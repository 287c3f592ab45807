"""Years, decades, date ranges and relative dates in a query's words, as an `Interval` of days.

"the nineties" -> 1990-01-01..1999-12-31, "after 1990" -> 1991-01-01.., "since March" -> the last
March 1 up to `today`.., "last month" (today 2026-03-31) -> 2026-02-01..2026-02-28. Relative phrases
are read against an explicit `today` (a `datetime.date`), never the clock. Absolute dates ("March 3,
2021", "2021-03-03") are read by python-dateutil's parser (a well-kept parser of the many ways dates
are written; the periods and relative phrases, which it does not read, are ours).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .numbers import NUMBER_WORDS, ValueNotUnderstood

__all__ = ["Interval", "parse_period", "looks_temporal"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_DECADE_WORDS = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
    "noughties": 0,
    "aughts": 0,
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))


@dataclass(frozen=True)
class Interval:
    """Days from `low` to `high`, both inclusive; None: open on that side."""

    low: date | None
    high: date | None

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError("an Interval needs at least one bound")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"empty interval: {self.low} > {self.high}")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _two_digit_decade(tens: int, today: date) -> int:
    """ "the 20s" -> the latest such decade that has begun by `today` (2020s in 2026, 1930s for "30s")."""
    century = today.year // 100 * 100
    return century + tens if century + tens <= today.year else century - 100 + tens


def _base_period(text: str, today: date) -> Interval | None:
    """The period a phrase without a leading modifier names, or None."""
    t = text.lower().strip()
    t = re.sub(r"^(?:in|during|of|from|the|year|years)\s+", "", t)
    t = re.sub(r"^(?:the|year)\s+", "", t)
    t = re.sub(r"(?:[\s-]*ish|\s+or so)$", "", t)  # a hedge: "the 1990s-ish" is read as the 1990s
    part = None
    m = re.fullmatch(r"(early|mid|late)[\s-]+(.+)", t)
    if m:
        part, t = m.group(1), re.sub(r"^the\s+", "", m.group(2))
    decade = None
    if m := re.fullmatch(r"(1\d|20)(\d)0'?s", t):
        decade = int(m.group(1) + m.group(2) + "0")
    elif m := re.fullmatch(r"'?(\d)0'?s", t):
        decade = _two_digit_decade(int(m.group(1)) * 10, today)
    elif t in _DECADE_WORDS:
        decade = _two_digit_decade(_DECADE_WORDS[t], today)
    if decade is not None:
        first, last = {"early": (0, 3), "mid": (4, 6), "late": (7, 9), None: (0, 9)}[part]
        return Interval(date(decade + first, 1, 1), date(decade + last, 12, 31))
    if part:
        return None
    if re.fullmatch(r"1\d{3}|20\d{2}", t):
        return Interval(date(int(t), 1, 1), date(int(t), 12, 31))
    if t == "today":
        return Interval(today, today)
    if t == "yesterday":
        return Interval(today - timedelta(days=1), today - timedelta(days=1))
    if m := re.fullmatch(r"(this|last|next|past|previous)\s+(year|month|week|decade)", t):
        return _relative(m.group(1), m.group(2), today)
    if m := re.fullmatch(r"(?:the\s+)?(?:last|past)\s+(\w+)\s+(day|week|month|year)s?", t):
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS.get(m.group(1))
        if n is None:
            return None
        return Interval(_minus(today, n, m.group(2)), today)
    if m := re.fullmatch(r"(\w+)\s+(day|week|month|year)s?\s+ago", t):
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS.get(m.group(1))
        if n is None:
            return None
        when = _minus(today, n, m.group(2))
        return _relative("this", m.group(2), when) if m.group(2) != "day" else Interval(when, when)
    if m := re.fullmatch(rf"({_MONTH_RE})\.?(?:\s+(\d{{4}}))?", t):
        month = _MONTHS[m.group(1)]
        # A month without a year is the latest one that has begun by today.
        year = int(m.group(2)) if m.group(2) else (today.year if month <= today.month else today.year - 1)
        return Interval(date(year, month, 1), _month_end(year, month))
    return _absolute(t)


def _minus(today: date, n: int, unit: str) -> date:
    if unit == "day":
        return today - timedelta(days=n)
    if unit == "week":
        return today - timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(y, m + 1, min(today.day, calendar.monthrange(y, m + 1)[1]))  # 31 March - 1 month = 28/29 Feb


def _relative(which: str, unit: str, today: date) -> Interval:
    step = {"this": 0, "next": 1}.get(which, -1)
    if unit == "year":
        return Interval(date(today.year + step, 1, 1), date(today.year + step, 12, 31))
    if unit == "decade":
        start = today.year // 10 * 10 + 10 * step
        return Interval(date(start, 1, 1), date(start + 9, 12, 31))
    if unit == "month":
        y, m = divmod(today.year * 12 + today.month - 1 + step, 12)
        return Interval(date(y, m + 1, 1), _month_end(y, m + 1))
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=step)
    return Interval(monday, monday + timedelta(days=6))


def _absolute(text: str) -> Interval | None:
    """One day written out ("March 3, 2021", "2021-03-03", "3 March 2021"), read by dateutil."""
    if not re.search(r"\d", text) or not re.search(rf"\d{{4}}|{_MONTH_RE}", text):
        return None
    from dateutil import parser as dateutil_parser

    try:
        day = dateutil_parser.parse(text, default=datetime(1, 1, 1), fuzzy=False)
    except (ValueError, OverflowError):
        return None
    if day.year == 1:
        return None
    return Interval(day.date(), day.date())


_BEFORE = r"(?:before|until|till|up to|through|prior to|earlier than|older than|pre)"
_AFTER = r"(?:after|later than|newer than|post)"
_SINCE = r"(?:since|starting|starting from|as of|on or after)"  # "films from the 90s": in, not since


def parse_period(phrase: str, today: date) -> Interval:
    """The days a phrase names, against `today`: a year, a decade ("the 80s", "the nineties", "late
    90s"), a range ("1970-1975", "between 1970 and 1975", "from the 80s to the 90s"), an open side
    ("after 1990", "since 2000", "before the 80s", "until March 2021") or a relative period ("last
    year", "this month", "the past 3 weeks", "since March", "two years ago").

    Raises:
        ValueNotUnderstood: the phrase names no period ("the 1990s-something", "") .
    """
    if not isinstance(today, date):
        raise TypeError(f"today must be a datetime.date, got {type(today).__name__}")
    text = re.sub(r"\s+", " ", phrase.strip().lower()).strip(" ,.?!")
    m = re.fullmatch(r"(?:between|from) (.+?) (?:and|to|until|through) (.+)", text) or re.fullmatch(
        r"(.+?) ?(?:-|–|to) ?(.+)", text
    )
    if m:
        a, b = _base_period(m.group(1), today), _base_period(m.group(2), today)
        if a is None and b is not None and re.fullmatch(r"\d{2}'?s?", m.group(1)):
            a = _base_period(m.group(1) + ("" if m.group(1).endswith("s") else "s"), today)
        if re.fullmatch(r"\d{2}", m.group(2)) and a is not None and a.low is not None:
            b = _base_period(str(a.low.year // 100 * 100 + int(m.group(2))), today)  # "1970-75"
        if a is not None and b is not None and a.low is not None and b.high is not None and a.low <= b.high:
            return Interval(a.low, b.high)
    m = re.fullmatch(rf"(?:(?:in|from) )?(?:(?:the )?(?:years? )?({_BEFORE}|{_AFTER}|{_SINCE})) (.+)", text)
    if m:
        base = _base_period(m.group(2), today)
        if base is not None and base.low is not None and base.high is not None:  # base periods are closed
            word = m.group(1)
            if re.fullmatch(_BEFORE, word):
                inclusive = word in ("until", "till", "up to", "through")
                return Interval(None, base.high if inclusive else base.low - timedelta(days=1))
            if re.fullmatch(_AFTER, word):
                return Interval(base.high + timedelta(days=1), None)
            return Interval(base.low, None)
    base = _base_period(text, today)
    if base is None:
        raise ValueNotUnderstood(f"no year, decade or date in {phrase!r}")
    return base


def looks_temporal(phrase: str) -> bool:
    """Whether a phrase may name a period (a 4-digit year, a decade, a month, a relative word): the
    parser tries `parse_period` before numbers on fields that hold years only when this holds."""
    return bool(
        re.search(
            rf"\b(?:1\d|20)\d\d(?:'?s)?\b|\b'?\d0'?s\b|{'|'.join(_DECADE_WORDS)}|\b(?:{_MONTH_RE})\b|"
            r"\b(?:year|month|week|decade|today|yesterday)s?\b",
            phrase.lower(),
        )
    )
