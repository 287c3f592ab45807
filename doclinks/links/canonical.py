"""Choosing canonical tags across a corpus (pure): `canonicalize` and its `MergePolicy`.

A tag's canonical form depends only on the tags of its kind that share a word of its match
key (the same key, or a longer key containing it). So a batch of new chunks can change only
tags that share a word with the batch's tags: `scope_of` gives those ``(kind, word)`` pairs,
`in_scope` tests a tag against them (used by `doclinks.links.rewrite.renormalize`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..boundaries import break_positions
from .normalize import (
    DEFAULT_HONORIFICS,
    NAME_PARTICLES,
    best_form,
    is_person_kind,
    key_words,
    normalize_tag,
)

__all__ = ["MergePolicy", "canonicalize", "scope_of", "in_scope", "match_query_tags", "MAX_PARTIAL_MATCHES"]

#: ``(kind, match-key word)`` pairs: the tags an incremental normalisation may change.
Scope = frozenset

# Marks that a name does not hold; a longer form with one is a badly cut span ("Scotland, also ...").
_SENTENCE_MARKS = re.compile(r"[,;:!?\u2026]|\s[-\u2013\u2014]\s")


def scope_of(
    pairs: Iterable[tuple[str, str]],
    *,
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
    fold_accents: bool = True,
) -> frozenset[tuple[str, str]]:
    """The ``(kind, word)`` pairs of the match keys of ``(kind, tag)`` `pairs`: every tag whose
    canonical form a batch with these tags can change shares one of them (see the module)."""
    hons = tuple(honorifics) if honorifics is not None else ()
    out: set[tuple[str, str]] = set()
    for kind, tag in pairs:
        key = normalize_tag(tag, honorifics=hons, fold_accents=fold_accents)[0]
        if key:
            out.update((kind, w) for w in key_words(key))
    return frozenset(out)


def in_scope(
    kind: str, tag: str, scope: frozenset[tuple[str, str]] | None, *,
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS, fold_accents: bool = True,
) -> bool:  # fmt: skip
    """Whether ``(kind, tag)`` shares a match-key word with `scope` (None: everything is in scope)."""
    if scope is None:
        return True
    hons = tuple(honorifics) if honorifics is not None else ()
    key = normalize_tag(tag, honorifics=hons, fold_accents=fold_accents)[0]
    return any((kind, w) in scope for w in key_words(key)) if key else False


@dataclass(frozen=True)
class MergePolicy:
    """When a short tag may join a longer tag that contains it (corpus normalisation).

    The longer form must be trustworthy: seen in at least `min_chunks` chunks (2), or with a mention
    scored at least `min_score` (0.9; scores come from the entity records, where there are any); it
    must hold no sentence punctuation (a comma, semicolon, colon, "!" or "?", or a sentence end per
    `doclinks.boundaries`); and it may be at most `max_extra_words` words (2) longer than the
    short tag. In kinds that name people (`is_person_kind`), a one-word tag joins only as the last
    word of the longer one (`surnames_only`). Ambiguity still leaves a tag alone: when two longer
    tags that are not parts of one another contain it, trusted or not ("Hall": "G. Stanley Hall" and
    "Tom T. Hall").

    `MergePolicy.permissive()` is the rule before these checks (any longer form, any length).
    """

    min_chunks: int = 2
    min_score: float = 0.9
    max_extra_words: int | None = 2
    reject_punctuation: bool = True
    surnames_only: bool = True

    @classmethod
    def permissive(cls) -> MergePolicy:
        """Join a short tag to the one longer tag containing it, whatever that tag's evidence."""
        return cls(min_chunks=1, min_score=0.0, max_extra_words=None, reject_punctuation=False, surnames_only=False)

    def trusts(self, readable: str, chunks: int, best_score: float | None) -> bool:
        """Whether a longer form, seen in `chunks` chunks with this best mention score, may absorb tags.

        With `reject_punctuation`, a cased form must also be cased like a name: every word but
        function words inside it ("Bank of England") starts with a capital or a digit, so that a
        span that took in a common word ("the new England captain") absorbs nothing."""
        if chunks < self.min_chunks and (best_score is None or best_score < self.min_score):
            return False
        if self.reject_punctuation:
            if _SENTENCE_MARKS.search(readable) or break_positions(readable):
                return False
            words = readable.split(" ")
            if any(c.isupper() for c in readable):
                for i, word in enumerate(words):
                    inner = 0 < i < len(words) - 1
                    if not (
                        word[:1].isupper()
                        or word[:1].isdigit()
                        or not word[:1].isalpha()
                        or (inner and word.casefold() in NAME_PARTICLES)
                    ):
                        return False
        return True

    def fits(self, kind: str, short: tuple[str, ...], long: tuple[str, ...]) -> bool:
        """Whether `short` may join `long` by their words (length, and surnames in people kinds)."""
        if self.max_extra_words is not None and len(long) - len(short) > self.max_extra_words:
            return False
        if self.surnames_only and len(short) == 1 and is_person_kind(kind):
            return long[-1] == short[0]
        return True


def canonicalize(
    occurrences: Iterable[tuple[str, str] | tuple[str, str, float | None]],
    *,
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
    fold_accents: bool = True,
    merge_partial: bool = True,
    policy: MergePolicy | None = None,
    keep_apart: Iterable[tuple[str, str]] = (),
) -> dict[tuple[str, str], str]:
    """Choose one canonical tag per entity across a corpus.

    Args:
        occurrences: ``(kind, tag)`` or ``(kind, tag, score)`` items, one per document (or
            mention) where the tag occurs; the counts choose the readable form and, with the
            scores (None: unknown), decide which longer forms are trusted (see `MergePolicy`).
        honorifics, fold_accents: as in `normalize_tag`.
        merge_partial: a tag whose match key is a whole-word part of the keys of other
            tags of the same kind ("zelenskyy" in "volodymyr zelenskyy") takes the tag of
            the longest of them when exactly one is not itself part of another (they are
            all parts of that one) and `policy` accepts it; when two unrelated longer tags
            contain it ("biden" in "joe biden" and "jill biden") it is left alone. Words are
            split on spaces (hyphens count as spaces).
        policy: which longer tags a short one may join (default `MergePolicy()`: trusted,
            well-formed, not much longer, surnames only for people).
        keep_apart: ``(kind, tag)`` pairs (compared by match key) that never join a longer
            tag: merges a user undid.

    Returns:
        ``{(kind, tag): canonical_tag}`` for every distinct input pair. Tags with the same
        match key get the same canonical tag: the form seen most often, ties going to a
        form that is not all upper or all lower case, then to the first in code point
        order, so the result does not depend on the order of the input.
    """
    policy = MergePolicy() if policy is None else policy
    hons = tuple(honorifics) if honorifics is not None else ()
    apart = {(kind, normalize_tag(tag, honorifics=hons, fold_accents=fold_accents)[0]) for kind, tag in keep_apart}
    forms: dict[tuple[str, str], Counter] = defaultdict(Counter)  # (kind, key) -> readable form -> count
    best: dict[tuple[str, str], float] = {}  # (kind, key) -> best known mention score
    key_of: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, tag) -> (key, readable)
    for item in occurrences:
        kind, tag = item[0], item[1]
        score = item[2] if len(item) > 2 else None
        if (kind, tag) not in key_of:
            key_of[(kind, tag)] = normalize_tag(tag, honorifics=hons, fold_accents=fold_accents)
        key, readable = key_of[(kind, tag)]
        if key:
            forms[(kind, key)][readable] += 1
            if score is not None:
                best[(kind, key)] = max(best.get((kind, key), 0.0), float(score))
    canonical_key: dict[tuple[str, str], str] = {k: k[1] for k in forms}
    if merge_partial:
        by_kind: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for kind, key in forms:
            by_kind[kind].append(key_words(key))
        for kind, keys in by_kind.items():
            index: dict[str, list[tuple[str, ...]]] = defaultdict(list)
            for words in keys:
                for w in set(words):
                    index[w].append(words)
            for short in keys:
                if (kind, " ".join(short)) in apart:
                    continue
                rarest = min(short, key=lambda w: len(index[w]))
                longer = [w for w in index[rarest] if len(w) > len(short) and _contains(w, short)]
                if not longer:
                    continue
                tops = [w for w in longer if not any(len(o) > len(w) and _contains(o, w) for o in longer)]
                if len(tops) != 1:
                    continue
                top = (kind, " ".join(tops[0]))
                top_forms = forms[top]
                if policy.fits(kind, short, tops[0]) and policy.trusts(
                    best_form(top_forms), sum(top_forms.values()), best.get(top)
                ):
                    canonical_key[(kind, " ".join(short))] = top[1]
    out: dict[tuple[str, str], str] = {}
    for (kind, tag), (key, _) in key_of.items():
        if not key:
            out[(kind, tag)] = tag
            continue
        target = canonical_key[(kind, key)]
        out[(kind, tag)] = best_form(forms[(kind, target)])
    return out


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


#: Most stored tags one query mention may match by a partial rule (more is too vague to seed with).
MAX_PARTIAL_MATCHES = 5


def match_query_tags(
    mentions: Iterable[tuple[str, str]],
    stored: Iterable[tuple[str, str]],
    *,
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
    fold_accents: bool = True,
) -> list[tuple[str, str]]:
    """The stored ``(kind, tag)`` pairs that the query's ``(kind, mention)`` pairs name.

    The rules, in order, per mention (the first that matches wins):

    1. the same match key in the same kind (case, accents, honorifics, "J. K." = "JK": `match_key`);
    2. in the same kind, a whole-word part of a stored tag or the other way round ("Zelenskyy" ->
       "Volodymyr Zelenskyy", "President Joe Biden" -> "Joe Biden"); in people kinds a one-word
       mention only as a surname (the last word: "Anna" is not "Anna Freud"), at most
       `MAX_PARTIAL_MATCHES` tags (a word that many tags hold names none of them);
    3. the same match key in another kind (the query's model may label it otherwise).

    Unlike corpus merges, ambiguity is allowed (up to the cap): a query naming "Smith" seeds every
    Smith, and the graph walk sorts them out. Returns pairs in mention order, without duplicates.
    """
    hons = tuple(honorifics) if honorifics is not None else ()

    def key(text: str) -> str:
        return normalize_tag(text, honorifics=hons, fold_accents=fold_accents)[0]

    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_word: dict[tuple[str, str], list[tuple[tuple[str, ...], tuple[str, str]]]] = defaultdict(list)
    for kind, tag in dict.fromkeys(stored):
        k = key(tag)
        if k:
            by_key[k].append((kind, tag))
            words = key_words(k)
            for w in set(words):
                by_word[(kind, w)].append((words, (kind, tag)))
    out: dict[tuple[str, str], None] = {}
    for kind, text in mentions:
        k = key(text)
        if not k:
            continue
        exact = [p for p in by_key.get(k, []) if p[0] == kind]
        if exact:
            out.update(dict.fromkeys(exact))
            continue
        words = key_words(k)
        person = is_person_kind(kind)
        partial = []
        for w in set(words):
            for stored_words, pair in by_word.get((kind, w), []):
                if len(words) == 1 and person:
                    hit = stored_words[-1] == words[0] and len(stored_words) > 1
                else:
                    hit = _contains(stored_words, words) or _contains(words, stored_words)
                if hit:
                    partial.append(pair)
        partial = list(dict.fromkeys(partial))
        if partial and len(partial) <= MAX_PARTIAL_MATCHES:
            out.update(dict.fromkeys(partial))
            continue
        out.update(dict.fromkeys(by_key.get(k, [])))
    return list(out)
