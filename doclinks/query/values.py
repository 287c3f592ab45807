"""From a span of the model to a typed value: the words around it, the field's type, the normalisers.

`value_phrase` finds the words a span's value is read from (its cue words: "under", "at least",
"between ... and", "or more", "not"); `read_value` reads ``(operator, value)`` for a field's type.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from .fields import FieldSpec
from .negation import negation_before, strip_negation
from .numbers import ValueNotUnderstood, numeric_comparisons
from .periods import Interval, looks_temporal, parse_period

__all__ = ["value_phrase", "read_value", "MODIFIER_WORDS"]

#: Words that may stand before a value and belong to its phrase ("under $20", "in the late 90s").
MODIFIER_WORDS = frozenset(
    "under below less fewer cheaper lower younger shorter than over above more greater higher older longer better "
    "at least most no not up to max maximum min minimum between from since after before until till through in "
    "during the early mid late around about approximately roughly non without except excluding but other never "
    "prior later earlier newer starting as of post pre this last next past previous by with starring featuring "
    "< > <= >= $ € £".split()
)
_RIGHT_RANGE = re.compile(
    r"^\s*(?:-|–|to|and|through|until)\s*(?:the\s+)?(?:\$|€|£)?(?:\d[\d,.]*|'?\d0'?s|\w+ties)(?:'?s)?\b", re.I
)
_RIGHT_SUFFIX = re.compile(
    r"^(?:\s+[^\W\d]+)?\s*(?:\+|or (?:more|less|fewer|higher|lower|better|above|over|under|"
    r"older|newer|later|earlier)\b|and (?:up|above|over|more|older|newer|later)\b|[\s-]?ish\b)",
    re.I,
)
_RIGHT_UNIT = re.compile(
    r"^\s*(?:stars?|dollars?|bucks|euros?|pounds?|usd|minutes?|mins?|hours?|hrs?|points?|"
    r"years? old|years?|ratings?)\b",
    re.I,
)
_WORD = re.compile(r"[^\s]+")


def value_phrase(query: str, start: int, end: int, others: Sequence[tuple[int, int]] = ()) -> tuple[int, int, bool]:
    """``(phrase_start, phrase_end, negated)``: the span widened over the modifier words before it (at
    most 4), a range's other end and suffix cues after it, and a negation cue that governs it (not one
    that another value, among the `others` spans, stands between: "anything but horror from the 80s")."""
    words = list(_WORD.finditer(query[:start]))
    left = start
    for w in reversed(words[-4:]):
        if w.group(0).lower().strip(",") not in MODIFIER_WORDS or query[w.end() : left].strip(" "):
            break
        if w.group(0).endswith(","):
            break
        left = w.start()
    right = end
    for pattern in (_RIGHT_RANGE, _RIGHT_UNIT, _RIGHT_SUFFIX):
        m = pattern.match(query[right:])
        if m:
            right += m.end()
    cues = [
        c
        for c in (negation_before(query, start), negation_before(query, left))
        if c is not None and not any(c < a and b <= start for a, b in others)
    ]
    negated = bool(cues)
    left = min([left, *cues])
    if strip_negation(query[start:end])[0]:  # the span carries its own cue ("non-American")
        negated = not negated
    # "no more than", "not less than": comparison words, not a negation
    if re.match(r"\s*(?:no|not)\s+(?:more|less|fewer|later|earlier)\s+than\b", query[left:start], re.I):
        negated = False
    return left, right, negated


def _years(interval: Interval) -> tuple[str, object]:
    low = interval.low.year if interval.low else None
    high = interval.high.year if interval.high else None
    if low is not None and high is not None:
        return ("eq", low) if low == high else ("between", [low, high])
    return ("gte", low) if low is not None else ("lte", high)


def _days(interval: Interval) -> tuple[str, object]:
    low = interval.low.isoformat() if interval.low else None
    high = interval.high.isoformat() if interval.high else None
    if low is not None and high is not None:
        return "between", [low, high]
    return ("gte", low) if low is not None else ("lte", high)


def _numbers(phrase: str, integer: bool) -> tuple[str, object]:
    comparisons = numeric_comparisons(phrase)
    cast = (lambda v: int(v) if v == int(v) else v) if integer else float
    if len(comparisons) == 2:
        return "between", [cast(comparisons[0][1]), cast(comparisons[1][1])]
    op, v = comparisons[0]
    return op, cast(v)


def read_value(spec: FieldSpec, phrase: str, today: date) -> tuple[str, object]:
    """``(operator, value)`` of a non-string field from the words of its phrase (negation already taken
    off): numbers and money, years and decades, dates, booleans (True: the phrase names the field).

    Raises:
        ValueNotUnderstood: the phrase holds no value of the field's type.
    """
    if spec.type == "boolean":
        return "eq", True
    if spec.type == "date":
        return _days(parse_period(phrase, today))
    if spec.holds_periods:
        if not looks_temporal(phrase):
            raise ValueNotUnderstood(f"no year in {phrase!r}")
        return _years(parse_period(phrase, today))
    return _numbers(phrase, spec.type == "integer")


def negate(operator: str, value: object) -> tuple[str, object]:
    """The complement of a comparison: eq -> ne, in -> nin, gt -> lte, between -> not_between."""
    flip = {
        "eq": "ne",
        "ne": "eq",
        "in": "nin",
        "nin": "in",
        "gt": "lte",
        "gte": "lt",
        "lt": "gte",
        "lte": "gt",
        "between": "not_between",
        "not_between": "between",
    }
    if operator == "eq" and isinstance(value, bool):
        return "eq", not value
    return flip[operator], value


__all__ += ["negate"]
