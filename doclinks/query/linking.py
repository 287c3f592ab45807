"""Value linking: a string the query writes, snapped to a value the store holds.

In order, the first that matches wins: the same string; the same after folding (case, accents,
punctuation, a plural "s"/"ies"); a whole-word part ("hitchcock" -> "Alfred Hitchcock", when only
one value has it); then the closest spelling (difflib's ratio on folded strings, at least
`FUZZY_CUTOFF`). A value the store does not hold links to nothing: the parser reports it and does not
filter on it (a filter on it would return nothing).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["fold", "ValueLinker", "Link", "FUZZY_CUTOFF"]

#: Least difflib ratio (0..1) of a fuzzy link, on folded strings: one typo in a 10-letter word is ~0.9.
FUZZY_CUTOFF = 0.85


def fold(text: str) -> str:
    """Case, accents, punctuation and a trailing plural folded: "Comédies!" -> "comedy"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = re.findall(r"\w+", text)
    return " ".join(_singular(w) for w in words)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Link:
    """How a written value linked: `value` (the stored one; None when unknown) and `how`
    (``"exact"``, ``"folded"``, ``"part"``, ``"fuzzy"`` or ``"unknown"``)."""

    value: str | None
    how: str


class ValueLinker:
    """The values each field holds, indexed for linking.

    Args:
        vocabulary: field name -> the string values the store holds under it.
    """

    def __init__(self, vocabulary: Mapping[str, Iterable[str]]) -> None:
        self.vocabulary = {
            f: sorted({v for v in values if isinstance(v, str) and v.strip()}) for f, values in vocabulary.items()
        }
        self._folded: dict[str, dict[str, list[str]]] = {}
        self._starts: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
        self._words: dict[str, dict[str, set[str]]] = {}
        for f, values in self.vocabulary.items():
            by_fold, by_word = defaultdict(list), defaultdict(set)
            for v in values:
                key = fold(v)
                by_fold[key].append(v)
                for w in key.split():
                    by_word[w].add(v)
            self._folded[f], self._words[f] = dict(by_fold), dict(by_word)

    def knows(self, field: str) -> bool:
        """Whether values of `field` are linked (a field the store holds no strings for is not)."""
        return field in self.vocabulary

    def link(self, field: str, text: str) -> Link:
        """The stored value of `field` that `text` names (see the module docstring)."""
        values = self.vocabulary.get(field)
        if values is None:
            return Link(text, "exact")  # nothing to link against: taken as written
        text = text.strip()
        if text in values:
            return Link(text, "exact")
        key = fold(text)
        hits = self._folded[field].get(key, [])
        if hits:
            return Link(hits[0], "folded")
        words = key.split()
        if words:
            common = set.intersection(*(self._words[field].get(w, set()) for w in words))
            if len(common) == 1:
                return Link(next(iter(common)), "part")
        close = difflib.get_close_matches(key, list(self._folded[field]), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return Link(self._folded[field][close[0]][0], "fuzzy")
        if len(words) == 1:  # a misspelt part: "Hitchcok" -> the one value with the word "hitchcock"
            close = difflib.get_close_matches(key, [w for w, v in self._words[field].items() if len(v) == 1],
                                              n=1, cutoff=FUZZY_CUTOFF)  # fmt: skip
            if close:
                return Link(next(iter(self._words[field][close[0]])), "fuzzy")
        return Link(None, "unknown")

    def find_values(self, field: str, query: str) -> list[tuple[int, int, str]]:
        """The stored values of `field` the query writes out whole, as ``(start, end, value)``, longest
        first where they overlap: folded word by word ("comedies" finds "comedy"), or the last word of a
        value of several words when no other value holds it and it has 5 letters or more ("almodovar"
        finds "Pedro Almodóvar", "lee" does not find "Spike Lee")."""
        if field not in self._starts:
            starts: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
            for key, values in self._folded.get(field, {}).items():
                words = tuple(key.split())
                if words:
                    starts[words[0]].append((words, values[0]))
                # a surname-like last word that no other value holds names its value: "hitchcock"
                last = words[-1] if len(words) > 1 else ""
                if len(last) >= 5 and len(self._words[field].get(last, ())) == 1:
                    starts[last].append(((last,), values[0]))
            self._starts[field] = dict(starts)
        index = self._starts[field]
        tokens = [(m.start(), m.end(), fold(m.group(0))) for m in re.finditer(r"\w+(?:['’-]\w+)*", query)]
        found = []
        for i, (start, _, word) in enumerate(tokens):
            for value_words, value in index.get(word, ()):
                n = len(value_words)
                if tuple(w for _, _, w in tokens[i : i + n]) == value_words:
                    found.append((start, tokens[i + n - 1][1], value))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        out: list[tuple[int, int, str]] = []
        for f in found:
            if not out or f[0] >= out[-1][1]:
                out.append(f)
        return out

    @classmethod
    def from_store(cls, store, fields: Iterable[str], limit: int = 100_000) -> ValueLinker:
        """The string values `store` (a doclinks `GraphStore`) holds under each of `fields` (at most
        `limit` per field, read from its filter index)."""
        return cls({f: store.distinct_metadata_values(f, limit=limit) for f in fields})
