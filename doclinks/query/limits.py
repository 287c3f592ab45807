"""The number of results a query asks for: "top 3", "best five", "give me 10", "three westerns"."""

from __future__ import annotations

import re

from .numbers import NUMBER_WORDS

__all__ = ["find_limit", "MAX_LIMIT"]

#: Largest limit read from a query; a bigger number is not a count of results.
MAX_LIMIT = 100
_NUM = r"(\d{1,3}|" + "|".join(w for w in NUMBER_WORDS if w not in ("a", "an", "zero", "single", "couple")) + ")"
_PATTERNS = [
    re.compile(rf"\b(?:top|best|first|last|latest|newest)\s+{_NUM}\b", re.I),
    re.compile(rf"\b(?:give|show|find|recommend|suggest|list|get)\s+(?:me\s+|us\s+)?{_NUM}\b", re.I),
    re.compile(rf"^\s*{_NUM}\s+(?=[^\W\d]+s\b)", re.I),  # "three westerns": a count, then a plural noun
]


def find_limit(query: str, taken: list[tuple[int, int]]) -> tuple[int, int, int] | None:
    """``(limit, start, end)`` of the first count phrase not inside a `taken` range, or None."""
    for pattern in _PATTERNS:
        for m in pattern.finditer(query):
            s, e = m.start(1), m.end(1)
            if any(a < e and s < b for a, b in taken):
                continue
            word = m.group(1).lower()
            n = int(word) if word.isdigit() else NUMBER_WORDS[word]
            if 0 < n <= MAX_LIMIT:
                return n, m.start(), m.end(1)
    return None
