"""Values the model missed, found by their shape: a number with a field's unit ("under $5", "4 stars or
more"), a year or decade for a field that holds years ("from the 80s"), a boolean field named by its
own words ("with subtitles"). Spans for `QueryParser` to read like the model's (label ``"pattern"``).
"""

from __future__ import annotations

import re

from .fields import FieldSpec
from .numbers import NUMBER_WORDS
from .periods import _DECADE_WORDS

__all__ = ["pattern_spans"]

_NUM = r"(?:[$€£]\s?)?\d[\d,]*(?:\.\d+)?|" + "|".join(sorted((w for w in NUMBER_WORDS if len(w) > 2), key=len,
                                                              reverse=True))  # fmt: skip
_PERIOD = re.compile(
    r"\b(?:1\d|20)\d\d(?:'?s)?\b|(?<![\w$])'?\d0'?s\b|\b(?:" + "|".join(_DECADE_WORDS) + r")\b|"
    r"\b(?:last|this|next|past)\s+(?:year|month|week|decade)\b",
    re.I,
)


def pattern_spans(query: str, spec: FieldSpec) -> list[tuple[int, int]]:
    """(start, end) spans of `query` that hold a value of `spec` by their shape alone."""
    out: list[tuple[int, int]] = []
    if spec.type in ("integer", "float") and spec.units:
        words = [u for u in spec.units if u[:1].isalnum()]
        signs = [u for u in spec.units if not u[:1].isalnum()]
        if words:
            unit = "|".join(re.escape(u) for u in sorted(words, key=len, reverse=True))
            out += [m.span(1) for m in re.finditer(rf"\b({_NUM})\+?\s*(?:{unit})\b", query, re.I)]
        for sign in signs:
            out += [m.span(0) for m in re.finditer(rf"{re.escape(sign)}\s?\d[\d,]*(?:\.\d+)?", query)]
    if spec.holds_periods:
        out += [m.span(0) for m in _PERIOD.finditer(query)]
    if spec.type == "boolean":
        names = {spec.name.replace("_", " "), *spec.labels}
        pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        out += [m.span(0) for m in re.finditer(rf"\b(?:{pattern})\b", query, re.I)]
    return sorted(set(out))
