"""Where a text breaks: line breaks and sentence ends, which no entity of a link should cross.

Pure functions over character offsets. A *break* is the position of a character that separates two
units of text: a line break, or the whitespace right after a sentence-ending mark. A span of
characters ``[start, end)`` crosses a break when a break lies strictly inside it.

A full stop ends a sentence when whitespace and then an upper-case letter, a digit or an opening
quote or bracket follow it, unless the word before it is an initial ("G. Stanley Hall"), an
initialism ("U.S."), or a common abbreviation ("Mr.", "St.", "Inc."); "!" and "?" always end one
when whitespace follows. This is the rule of thumb of sentence splitters without a model; it errs
towards *not* breaking, so a name is never cut at an abbreviation.
"""

from __future__ import annotations

import bisect
import re

__all__ = ["ABBREVIATIONS", "break_positions", "crosses_break", "BreakIndex"]

#: Words that take a full stop without ending a sentence (compared case-insensitively, without the dot).
ABBREVIATIONS = frozenset(
    """mr mrs ms mx dr prof sr jr st mt ft gen col capt lt sgt cpl rev gov sen rep pres hon messrs
    inc corp ltd co bros plc llc no nos vol vols pp fig figs ed eds est approx dept univ assn vs etc
    al cf ca jan feb mar apr jun jul aug sep sept oct nov dec ave blvd rd e.g i.e""".split()
)

# A sentence-ending mark, optional closing quotes or brackets, then whitespace.
_END = re.compile(r"([.!?])[\"'\u201d\u2019)\]]*(\s+)")
_NEXT_STARTS_SENTENCE = re.compile(r"[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u00de]")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")


def _word_before(text: str, dot: int) -> str:
    start = dot
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:dot]


def break_positions(text: str) -> list[int]:
    """Sorted character positions of the breaks of `text`: every line break ("\\n", "\\r", U+2028,
    U+2029, form feed, vertical tab) and the first whitespace character after a sentence end."""
    breaks = {i for i, ch in enumerate(text) if ch in "\n\r\u2028\u2029\x0b\x0c\x85"}
    for match in _END.finditer(text):
        mark, gap = match.group(1), match.start(2)
        if mark == ".":
            word = _word_before(text, match.start(1)).lstrip("\"'(\u201c\u2018[")
            if word and (_INITIALS.fullmatch(word) or word.casefold().rstrip(".") in ABBREVIATIONS):
                continue
            if not _NEXT_STARTS_SENTENCE.match(text, match.end()):
                continue
        breaks.add(gap)
    return sorted(breaks)


def crosses_break(breaks: list[int], start: int, end: int) -> bool:
    """Whether a break of `breaks` (sorted, from `break_positions`) lies inside ``[start, end)``."""
    i = bisect.bisect_left(breaks, start)
    return i < len(breaks) and breaks[i] < end


class BreakIndex:
    """The breaks of one text, computed once: ``BreakIndex(text).crosses(start, end)``."""

    def __init__(self, text: str):
        self.breaks = break_positions(text)

    def crosses(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` (character offsets) crosses a line break or a sentence end."""
        return crosses_break(self.breaks, start, end)
