"""Tag normalisation: one readable tag per entity, and one match key to compare tags.

Pure string functions, no model, no corpus: `normalize_tag` works on one mention. The
corpus-level rules (case variants get one tag; a short mention that is part of exactly one
longer mention of the same kind takes the longer tag) are in `doclinks.links.rewrite`.

Two strings come out of `normalize_tag`:

- the *readable tag*, what a `Link` carries: Unicode NFKC, typographic dashes and
  apostrophes made ASCII, invisible format characters removed, whitespace collapsed,
  surrounding punctuation and a trailing possessive stripped, a leading lowercase "the"
  dropped, leading honorifics dropped. Case and accents are kept.
- the *match key*, what tags are compared on: the readable tag case folded, accents
  removed (optional), hyphens read as spaces, dots removed, runs of initials joined
  ("J. K." and "J.K." and "JK" are all ``jk``), a leading "the" dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

__all__ = [
    "DEFAULT_HONORIFICS",
    "TITLE_HONORIFICS",
    "normalize_tag",
    "match_key",
    "key_words",
    "best_form",
    "form_rank",
    "prepare_honorifics",
    "is_person_kind",
    "kind_matches",
    "PERSON_LABEL_WORDS",
    "NAME_PARTICLES",
]

#: Honorifics stripped by default: courtesy titles, with or without a dot.
DEFAULT_HONORIFICS: tuple[str, ...] = ("Mr.", "Mrs.", "Ms.", "Mx.", "Dr.", "Prof.")

#: A longer, opt-in list: office and rank titles that precede names in news text. Not the
#: default, since some are also the first word of names ("General Motors", "Lady Gaga").
TITLE_HONORIFICS: tuple[str, ...] = DEFAULT_HONORIFICS + (
    "Sir", "Dame", "President", "Vice President", "Prime Minister", "Chancellor", "Senator", "Sen.",
    "Representative", "Rep.", "Congressman", "Congresswoman", "Governor", "Gov.", "Mayor", "Secretary",
    "Minister", "Judge", "Justice", "Chief Justice", "Speaker", "King", "Queen", "Prince", "Princess",
    "Pope", "Saint", "St.", "General", "Gen.", "Colonel", "Col.", "Captain", "Capt.", "Lt.", "Sgt.",
    "Officer", "Detective", "Professor", "Doctor", "Rev.", "Reverend", "Father", "Sister", "Rabbi",
    "Imam", "Sheikh",
)  # fmt: skip

_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63"}
_APOSTROPHES = {ord(c): "'" for c in "\u2019\u2018\u02bc\u2032\u201b"}
_OPENERS = {")": "(", "]": "[", "}": "{"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
# A trailing dot is kept after these (readable form only; the match key drops dots).
_ABBREVIATIONS = frozenset({"jr", "sr", "inc", "corp", "ltd", "co", "bros", "st", "no", "mt", "ft", "plc"})
_POSSESSIVE = re.compile(r"(?:(?<=[^\W_])|^)'s$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _keep_trailing(s: str) -> bool:
    """Whether the last character, a punctuation mark, belongs to the name."""
    last = s[-1]
    if last in _OPENERS:  # a closing bracket with its opener inside: "Amnesty (UK)"
        return s.count(_OPENERS[last]) >= s.count(last)
    if last == ".":
        word = s[:-1].rsplit(" ", 1)[-1]
        if word.casefold() in _ABBREVIATIONS:
            return True
        # An initial or an initialism: "J.", "U.S."
        return bool(re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", word))
    return False


def _keep_leading(s: str) -> bool:
    """Whether the first character, a punctuation mark, belongs to the name: "(Amnesty) UK"."""
    closer = _CLOSERS.get(s[0])
    return closer is not None and closer in s


def _rstrip_punct(s: str) -> str:
    while s and _is_punct(s[-1]) and not _keep_trailing(s):
        s = s[:-1].rstrip()
    return s


def _strip_punct(s: str) -> str:
    while True:
        before = s
        # A bracket pair wrapping everything: "(UK)" -> "UK".
        if len(s) >= 2 and s[-1] in _OPENERS and s[0] == _OPENERS[s[-1]] and s.count(s[0]) == 1:
            s = s[1:-1].strip()
        s = _rstrip_punct(s)
        while s and _is_punct(s[0]) and not _keep_leading(s):
            s = s[1:].lstrip()
        if s == before:
            return s


def _honorific_words(honorific: str) -> tuple[str, ...]:
    return tuple(w.rstrip(".").casefold() for w in _clean(honorific).split(" ") if w.rstrip("."))


def _clean(text: str) -> str:
    """NFKC, ASCII dashes and apostrophes, no format characters, collapsed whitespace."""
    s = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_APOSTROPHES)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Cf")
    return _SPACE.sub(" ", s).strip()


def _strip_honorifics(s: str, honorifics: tuple[tuple[str, ...], ...]) -> str:
    changed = True
    while changed and honorifics:
        changed = False
        words = s.split(" ")
        folded = [w.rstrip(".").casefold() for w in words]
        for hon in honorifics:
            n = len(hon)
            if n and len(words) > n and tuple(folded[:n]) == hon:
                s = _strip_punct(" ".join(words[n:]))
                changed = bool(s)
                break
    return s


def _fold_accents(s: str) -> str:
    decomposed = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _key_of_readable(readable: str, fold_accents: bool) -> str:
    k = _fold_accents(readable) if fold_accents else readable
    k = k.casefold().replace("-", " ").replace(".", " ")
    words = [w for w in k.split(" ") if w]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    # Join runs of single letters (initials): "j k rowling" -> "jk rowling".
    out: list[str] = []
    run: list[str] = []
    for w in words + [""]:
        if len(w) == 1 and w.isalpha():
            run.append(w)
            continue
        if run:
            out.extend(["".join(run)] if len(run) > 1 else run)
            run = []
        if w:
            out.append(w)
    return " ".join(out)


_HONORIFIC_CACHE: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}


def prepare_honorifics(honorifics: Iterable[str] | None) -> tuple[tuple[str, ...], ...]:
    """Honorifics as word tuples, longest first (None: none); checked once per list, then cached.

    Raises:
        TypeError: a single string, or an item that is not a string.
    """
    if honorifics is None:
        return ()
    if isinstance(honorifics, str):
        raise TypeError("honorifics: expected a list of strings, got a single str")
    items = tuple(honorifics)
    cached = _HONORIFIC_CACHE.get(items)
    if cached is not None:
        return cached
    for h in items:
        if not isinstance(h, str):
            raise TypeError(f"honorifics: every item must be a str, got {type(h).__name__}: {h!r}")
    # Longest first, so "Vice President" wins over a "Vice" that someone adds.
    prepared = tuple(sorted({w for w in map(_honorific_words, items) if w}, key=len, reverse=True))
    if len(_HONORIFIC_CACHE) > 64:
        _HONORIFIC_CACHE.clear()
    _HONORIFIC_CACHE[items] = prepared
    return prepared


def normalize_tag(
    text: str, *, honorifics: Iterable[str] | None = DEFAULT_HONORIFICS, fold_accents: bool = True
) -> tuple[str, str]:
    """Normalise one entity mention: return ``(match_key, readable_tag)``.

    Both are ``""`` when nothing is left (a mention of only punctuation, or "'s").

    Args:
        text: the mention as found in the text.
        honorifics: leading titles to drop when a name follows them, matched case
            insensitively with or without a final dot ("Dr." drops "Dr", "DR." and
            "dr."); multi-word titles work ("Prime Minister"). Default
            `DEFAULT_HONORIFICS`; ``()`` or None keeps every title; see also
            `TITLE_HONORIFICS`.
        fold_accents: remove accents in the match key ("José" matches "Jose").

    Raises:
        TypeError: `text` is not a str, or `honorifics` is not a list of str.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize_tag: expected a str, got {type(text).__name__}: {text!r}")
    hons = prepare_honorifics(honorifics)
    s = _clean(text)
    before = None
    while s and s != before:  # "Putin's," -> "Putin's" -> "Putin"; "'s" -> ""
        before = s
        s = _strip_punct(_POSSESSIVE.sub("", _rstrip_punct(s)))
    if s.startswith("the ") and len(s) > 4:
        s = _strip_punct(s[4:])
    s = _strip_honorifics(s, hons)
    if not s:
        return "", ""
    return _key_of_readable(s, fold_accents), s


def match_key(text: str, *, honorifics: Iterable[str] | None = DEFAULT_HONORIFICS, fold_accents: bool = True) -> str:
    """The match key of `text` (the first item of `normalize_tag`)."""
    return normalize_tag(text, honorifics=honorifics, fold_accents=fold_accents)[0]


def key_words(key: str) -> tuple[str, ...]:
    """The words of a match key (split on spaces; hyphens are spaces in a key): what merges compare."""
    return tuple(key.split(" "))


def form_rank(form: str, count: int) -> tuple:
    """Sort key, best first: most frequent, then not all upper or all lower case, then by code point."""
    letters = [c for c in form if c.isalpha()]
    cased = [c for c in letters if c.isupper() or c.islower()]
    uniform = bool(cased) and (all(c.isupper() for c in cased) or all(c.islower() for c in cased))
    return (-count, uniform, form)


def best_form(forms: Mapping[str, int]) -> str:
    """The readable form to show for a group of forms with the same match key (`forms`: form -> count)."""
    return min(forms, key=lambda f: form_rank(f, forms[f]))


def kind_matches(kind: str, kinds: Iterable[str] | None) -> bool:
    """True when `kinds` is None, or `kind` is one of `kinds` or starts with one of them and ":"."""
    if kinds is None:
        return True
    return any(kind == k or kind.startswith(k + ":") for k in kinds)


#: Words of a label that name people: in such kinds a one-word mention joins a longer tag only as its
#: last word (a surname: "Zelenskyy"), never as its first (a first name: "Anna" is not "Anna Freud").
PERSON_LABEL_WORDS = frozenset(
    """person persons people human individual politician actor actress author writer artist musician
    scientist researcher athlete player character director singer composer""".split()
)
#: Lower-case words that may stand inside a name ("Bank of England", "Ludwig van Beethoven").
NAME_PARTICLES = frozenset(
    "of the and for de del della di da das do dos du des la le van von der den ten ter bin ibn al el y & on upon in".split()
)


def is_person_kind(kind: str) -> bool:
    """Whether the label of a link kind ("entity:Person" -> "Person") names people (`PERSON_LABEL_WORDS`)."""
    label = kind.rsplit(":", 1)[-1]
    return bool(PERSON_LABEL_WORDS.intersection(re.findall(r"[^\W\d_]+", label.casefold())))
