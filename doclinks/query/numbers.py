"""Numbers, money and numeric comparisons in a query's words: "under $20" -> ``[("lt", 20.0)]``.

Short pure functions; each raises `ValueNotUnderstood` (a ValueError) naming the phrase it cannot read.
Numbers are digits ("20", "1,200", "4.5", "$1.5k") or English number words up to the thousands
("twenty five"); the comparison comes from the words around them (`COMPARATORS`).
"""

from __future__ import annotations

import re

__all__ = ["ValueNotUnderstood", "parse_number", "find_numbers", "numeric_comparisons", "NUMBER_WORDS"]


class ValueNotUnderstood(ValueError):
    """A phrase holds no value of the kind asked for (the parser leaves its span in `unused`)."""


_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
#: Number words and their values ("a dozen" is 12).
NUMBER_WORDS = {
    **{w: i for i, w in enumerate(_UNITS)},
    **{w: 10 * i for i, w in enumerate(_TENS) if w},
    "dozen": 12,
    "a": 1,
    "an": 1,
    "single": 1,
    "couple": 2,
}
_SCALES = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000, "m": 1_000_000}

_DIGITS = r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])-?\d+(?:\.\d+)?|(?<![\w\d])\.\d+"
_NUMBER_RE = re.compile(rf"(?P<cur>[$€£])?\s?(?P<num>{_DIGITS})(?:\s?(?P<scale>k\b|m\b|thousand\b|million\b))?", re.I)
_WORD_RE = re.compile(
    r"\b(?:(?:"
    + "|".join(sorted([*_UNITS, *filter(None, _TENS), "hundred", "thousand", "dozen"], key=len, reverse=True))
    + r")(?:[\s-]+(?:and\s+)?)?)+\b",
    re.I,
)

#: Comparison words: before a number ("under $20") or after it ("4 stars or more", "5+").
COMPARATORS: list[tuple[str, str]] = [
    (r"\b(?:under|below|less than|fewer than|cheaper than|lower than|younger than|shorter than|<)\s*$", "lt"),
    (r"\b(?:at most|no more than|not more than|up to|max(?:imum)?|or less|<=)\s*$", "lte"),
    (r"\b(?:over|above|more than|greater than|higher than|older than|longer than|better than|>)\s*$", "gt"),
    (r"\b(?:at least|no less than|not less than|min(?:imum)?|>=)\s*$", "gte"),
]
_UNIT = r"^\s*(?:[^\W\d]+\s+)?"  # "4 stars or more": one unit word may come between
_AFTER = [
    (r"^\s*\+|" + _UNIT + r"(?:or (?:more|higher|better|above|over|up)|and (?:up|above|over|more)|plus)\b", "gte"),
    (_UNIT + r"(?:or (?:less|fewer|lower|under|below|cheaper))\b", "lte"),
]
_RANGE_RE = re.compile(
    r"\b(?:between|from)\s+(?P<a>.+?)\s+(?:and|to|-)\s+(?P<b>.+)$|^(?P<c>.+?)\s*(?:-|–|to)\s*(?P<d>.+)$", re.I
)


def _word_number(text: str) -> float | None:
    """ "twenty five" -> 25, "two hundred" -> 200, "a dozen" -> 12; None when not all number words."""
    words = [w for w in re.split(r"[\s-]+", text.lower().strip()) if w and w != "and"]
    if not words:
        return None
    total, current = 0, 0
    for w in words:
        if w in _SCALES and w not in ("k", "m"):
            current = max(current, 1) * _SCALES[w]
            if _SCALES[w] >= 1000:
                total, current = total + current, 0
        elif w in NUMBER_WORDS:
            current += NUMBER_WORDS[w]
        else:
            return None
    return float(total + current)


def parse_number(text: str) -> float:
    """The one number `text` writes: "$20" -> 20.0, "1,200" -> 1200.0, "1.5k" -> 1500.0, "twelve" -> 12.0.

    Raises:
        ValueNotUnderstood: no number, or more than one.
    """
    found = find_numbers(text)
    if len(found) != 1:
        raise ValueNotUnderstood(f"expected one number in {text!r}, found {len(found)}")
    return found[0][2]


def find_numbers(text: str) -> list[tuple[int, int, float]]:
    """Every number in `text` as ``(start, end, value)``, in order: digits (with currency signs, thousands
    separators and k/thousand/million) and runs of number words."""
    out = []
    for m in _NUMBER_RE.finditer(text):
        value = float(m.group("num").replace(",", ""))
        if m.group("scale"):
            value *= _SCALES[m.group("scale").lower()]
        out.append((m.start(), m.end(), value))
    for m in _WORD_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e, _ in out):
            continue
        number = _word_number(m.group(0))
        if number is not None and m.group(0).strip().lower() not in ("a", "an"):
            out.append((m.start(), m.end() - (len(m.group(0)) - len(m.group(0).rstrip())), number))
    return sorted(out)


def numeric_comparisons(phrase: str) -> list[tuple[str, float]]:
    """The comparisons a phrase asks for, to be ANDed: "under $20" -> [("lt", 20.0)], "between 3 and 5"
    -> [("gte", 3.0), ("lte", 5.0)], "4 stars or more" -> [("gte", 4.0)], "15 bucks" -> [("eq", 15.0)].

    Raises:
        ValueNotUnderstood: no number ("under -$"), or numbers without a reading ("3 5 7").
    """
    text = phrase.strip()
    m = _RANGE_RE.search(text)
    if m:
        a, b = (m.group("a"), m.group("b")) if m.group("a") else (m.group("c"), m.group("d"))
        try:
            low, high = parse_number(a), parse_number(b)
        except ValueNotUnderstood:
            pass
        else:
            return [("gte", min(low, high)), ("lte", max(low, high))]
    found = find_numbers(text)
    if not found:
        raise ValueNotUnderstood(f"no number in {phrase!r}")
    if len(found) > 1:
        raise ValueNotUnderstood(f"{len(found)} numbers in {phrase!r} and no range between them")
    start, end, value = found[0]
    before, after = text[:start], text[end:]
    for pattern, op in COMPARATORS:
        if re.search(pattern, before, re.I):
            return [(op, value)]
    for pattern, op in _AFTER:
        if re.search(pattern, after, re.I):
            return [(op, value)]
    return [("eq", value)]
