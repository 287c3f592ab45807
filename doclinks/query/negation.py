"""Negation and exclusion around a value: "not comedies", "non-American", "without subtitles".

A cue negates the value right after it (a few words at most, within one clause). Short pure functions.
"""

from __future__ import annotations

import re

__all__ = ["strip_negation", "negation_before", "NEGATION_CUES"]

#: Words that exclude what follows them.
NEGATION_CUES = (
    "not",
    "no",
    "non",
    "without",
    "except",
    "excluding",
    "exclude",
    "but not",
    "other than",
    "never",
    "nothing",
    "isn't",
    "aren't",
    "don't",
    "doesn't",
    "avoid",
    "avoiding",
    "anything but",
    "apart from",
    "minus",
    "w/o",
)
_CUE = "|".join(re.escape(c) for c in sorted(NEGATION_CUES, key=len, reverse=True))
# Inside a span the model gave, only unambiguous cues count: "No Country for Old Men" is a title.
_LEADING = re.compile(r"^\s*(?:non|not|without|except|excluding)(?:\s+|-)(?=\S)", re.I)
# The cue, then at most `_GAP` words that are not a clause break, then the value.
_GAP = 2
_BREAK = re.compile(r"[,;.!?]|\b(?:and|or|but|with|that|which)\b", re.I)


def strip_negation(text: str) -> tuple[bool, str]:
    """``(negated, value)`` of a span that may carry its own cue: "non-American" -> (True, "American"),
    "not comedies" -> (True, "comedies"), "comedies" -> (False, "comedies"). Two cues cancel: "not
    non-fiction" -> (False, "fiction")."""
    negated = False
    while m := _LEADING.match(text):
        negated, text = not negated, text[m.end() :]
    return negated, text.strip()


def negation_before(query: str, start: int) -> int | None:
    """Offset where a negation cue starts that governs the value at `query[start:]`, or None: "not
    really a comedy" -> the offset of "not"; "with Tom Hanks, not a comedy" governs only "comedy"."""
    before = query[:start]
    m = re.search(rf"(?:^|[^\w'])({_CUE})(\s+|-)((?:[\w']+\s+){{0,{_GAP}}})$", before, re.I)
    if m is None or _BREAK.search(m.group(3)):
        return None
    if m.group(2) == "-" and m.group(3):  # "non-American thrillers": the hyphen ties the cue to one word
        return None
    return m.start(1)
