"""Tag normalisation: one readable tag per entity, and one match key to compare tags.

Pure functions, no model. `normalize_tag` works on one mention; `canonicalize` and
`normalize_links` work across a corpus (case variants get one tag; a short mention that
is part of exactly one longer mention of the same kind takes the longer tag).

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
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..boundaries import break_positions

__all__ = [
    "DEFAULT_HONORIFICS",
    "TITLE_HONORIFICS",
    "normalize_tag",
    "match_key",
    "canonicalize",
    "MergePolicy",
    "is_person_kind",
    "normalize_links",
    "merges_of",
    "revert_merges",
    "keep_apart",
    "kind_matches",
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


def _prepare_honorifics(honorifics: Iterable[str] | None) -> tuple[tuple[str, ...], ...]:
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
    hons = _prepare_honorifics(honorifics)
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


def _form_rank(form: str, count: int) -> tuple:
    """Sort key, best first: most frequent, then not all upper or all lower case, then by code point."""
    letters = [c for c in form if c.isalpha()]
    cased = [c for c in letters if c.isupper() or c.islower()]
    uniform = bool(cased) and (all(c.isupper() for c in cased) or all(c.islower() for c in cased))
    return (-count, uniform, form)


def best_form(forms: Mapping[str, int]) -> str:
    """The readable form to show for a group of forms with the same match key (`forms`: form -> count)."""
    return min(forms, key=lambda f: _form_rank(f, forms[f]))


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


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
# Marks that a name does not hold; a longer form with one is a badly cut span ("Scotland, also ...").
_SENTENCE_MARKS = re.compile(r"[,;:!?\u2026]|\s[-\u2013\u2014]\s")


def is_person_kind(kind: str) -> bool:
    """Whether the label of a link kind ("entity:Person" -> "Person") names people (`PERSON_LABEL_WORDS`)."""
    label = kind.rsplit(":", 1)[-1]
    return bool(PERSON_LABEL_WORDS.intersection(re.findall(r"[^\W\d_]+", label.casefold())))


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
                    if not (word[:1].isupper() or word[:1].isdigit() or not word[:1].isalpha()
                            or (inner and word.casefold() in NAME_PARTICLES)):
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
            by_kind[kind].append(tuple(key.split(" ")))
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


def kind_matches(kind: str, kinds: Iterable[str] | None) -> bool:
    """True when `kinds` is None, or `kind` is one of `kinds` or starts with one of them and ":"."""
    if kinds is None:
        return True
    return any(kind == k or kind.startswith(k + ":") for k in kinds)


def normalize_links(
    documents: Iterable[Any],
    *,
    kinds: Iterable[str] | None = ("entity",),
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
    fold_accents: bool = True,
    merge_partial: bool = True,
    policy: MergePolicy | None = None,
) -> dict[tuple[str, str], str]:
    """Give every entity one tag across `documents`, rewriting their links in place.

    Runs `canonicalize` over the links of the chosen kinds (each document counts once
    per tag, with the best score of its entity records for that tag, if any), then
    replaces each such link's tag by its canonical tag, keeping the direction, the order
    and no duplicates. Where a document also holds ``metadata["entities"]`` (written by
    `GLiNERLinkExtractor.annotate` or the transformer), each record's ``"tag"`` follows,
    and a record whose tag joined a longer one (a different match key: a merge, not a
    change of case or spelling) keeps the tag it had in ``"merged_from"``, so merges can
    be listed (`merges_of`) and undone (`revert_merges`; `keep_apart` marks a tag that must
    never merge again, and a record with ``"keep_apart": True`` is honoured here); where it
    holds graph-retriever metadata fields
    for these kinds (`doclinks.links.add_link_fields`), their values follow too.

    Args:
        documents: doclinks or LangChain documents (anything with a ``metadata`` dict);
            the iterable is read once into a list.
        kinds: link kinds to touch: a kind matches ``"entity"`` when it is ``"entity"``
            or starts with ``"entity:"``. None: every kind.
        honorifics, fold_accents, merge_partial, policy: as in `canonicalize`.

    Returns:
        The changes made, ``{(kind, old_tag): new_tag}``.
    """
    from .fields import rewrite_field_values
    from .link import Link, get_links

    docs = list(documents)
    kinds = None if kinds is None else ((kinds,) if isinstance(kinds, str) else tuple(kinds))
    occurrences = []
    apart = set()
    for doc in docs:
        seen = set()
        scores = _record_scores(doc)
        for record in doc.metadata.get("entities") or []:
            if isinstance(record, dict) and record.get("keep_apart") and isinstance(record.get("tag"), str):
                apart.add((record.get("kind"), record["tag"]))
        for link in get_links(doc):
            if not isinstance(link, Link):
                raise TypeError(f'metadata["links"] must hold Link objects, got {type(link).__name__}')
            pair = (link.kind, link.tag)
            if pair not in seen and kind_matches(link.kind, kinds):
                seen.add(pair)
                occurrences.append((link.kind, link.tag, scores.get(pair)))
    mapping = canonicalize(
        occurrences, honorifics=honorifics, fold_accents=fold_accents, merge_partial=merge_partial, policy=policy,
        keep_apart=apart,
    )
    changes = {pair: new for pair, new in mapping.items() if new != pair[1]}
    if not changes:
        return changes
    hons = tuple(honorifics) if honorifics is not None else ()

    def is_merge(old: str, new: str) -> bool:
        return normalize_tag(old, honorifics=hons, fold_accents=fold_accents)[0] != normalize_tag(
            new, honorifics=hons, fold_accents=fold_accents
        )[0]

    merges = {pair for pair, new in changes.items() if is_merge(pair[1], new)}
    for doc in docs:
        links = doc.metadata.get("links")
        if links:
            new_links, seen_links = [], set()
            touched = False
            for link in links:
                new_tag = changes.get((link.kind, link.tag))
                if new_tag is not None:
                    link = Link(kind=link.kind, direction=link.direction, tag=new_tag)
                    touched = True
                if link not in seen_links:
                    seen_links.add(link)
                    new_links.append(link)
            if touched:
                links[:] = new_links
        records = doc.metadata.get("entities")
        if isinstance(records, list):
            for record in records:
                if isinstance(record, dict):
                    pair = (record.get("kind"), record.get("tag"))
                    new_tag = changes.get(pair)
                    if new_tag is not None:
                        if pair in merges:
                            record.setdefault("merged_from", pair[1])
                        record["tag"] = new_tag
        rewrite_field_values(doc, changes, fold_accents=fold_accents)
    return changes


def _record_scores(doc: Any) -> dict[tuple[str, str], float]:
    """(kind, tag) -> the best score of a document's entity records with that tag."""
    out: dict[tuple[str, str], float] = {}
    records = doc.metadata.get("entities")
    if isinstance(records, list):
        for record in records:
            if not isinstance(record, dict):
                continue
            kind, tag, score = record.get("kind"), record.get("tag"), record.get("score")
            if isinstance(kind, str) and isinstance(tag, str) and isinstance(score, (int, float)):
                out[(kind, tag)] = max(out.get((kind, tag), 0.0), float(score))
    return out


def merges_of(documents: Iterable[Any]) -> list[dict[str, Any]]:
    """The merges recorded in documents' entity records (see `normalize_links`), most chunks first:
    ``[{"kind", "from", "to", "chunks"}]``; `chunks` counts the documents where the merge happened."""
    counts: Counter = Counter()
    for doc in documents:
        seen = set()
        for record in doc.metadata.get("entities") or []:
            if isinstance(record, dict) and isinstance(record.get("merged_from"), str):
                item = (record.get("kind"), record["merged_from"], record.get("tag"))
                if item not in seen:
                    seen.add(item)
                    counts[item] += 1
    return [
        {"kind": kind, "from": old, "to": new, "chunks": n}
        for (kind, old, new), n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    ]


def revert_merges(documents: Iterable[Any]) -> int:
    """Undo the merges recorded in documents' entity records (`normalize_links`), in place.

    Each record with ``"merged_from"`` gets that tag back, and the document's links follow: the
    merged tag's link is replaced by the original one (kept too while another record of the document
    still carries the merged tag). Running `normalize_links` afterwards recomputes every merge from
    the mentions, so a corpus normalised twice, or with another policy, ends up as if normalised
    once. Returns the number of records reverted.
    """
    from .link import Link

    reverted = 0
    for doc in documents:
        records = doc.metadata.get("entities")
        if not isinstance(records, list):
            continue
        undone: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)  # (kind, merged tag) -> original tags
        for record in records:
            if isinstance(record, dict) and isinstance(record.get("merged_from"), str):
                undone[(record.get("kind"), record.get("tag"))][record["merged_from"]] = None
                record["tag"] = record.pop("merged_from")
                reverted += 1
        if not undone:
            continue
        still = {(r.get("kind"), r.get("tag")) for r in records if isinstance(r, dict)}
        links = doc.metadata.get("links") or []
        new_links: list[Any] = []
        for link in links:
            originals = undone.get((link.kind, link.tag))
            if originals is None:
                new_links.append(link)
                continue
            if (link.kind, link.tag) in still:
                new_links.append(link)
            new_links.extend(Link(kind=link.kind, direction=link.direction, tag=t) for t in originals)
        deduped = list(dict.fromkeys(new_links))
        doc.metadata["links"] = deduped
    return reverted


def keep_apart(documents: Iterable[Any], tag: str, *, kind: str | None = None, fold_accents: bool = True) -> int:
    """Mark the mentions of `tag` (by match key; of one `kind`, or of every kind), in place, so that it
    never joins a longer tag again. `normalize_links` honours the mark, and it is stored with the
    documents' entity records, so later runs keep it. The marking undoes nothing by itself: run
    `revert_merges` and `normalize_links` afterwards. Returns the number of records marked."""
    key = normalize_tag(tag, fold_accents=fold_accents)[0]
    if not key:
        raise ValueError(f"keep_apart: {tag!r} has no match key (nothing left after normalisation)")
    marked = 0
    for doc in documents:
        for record in doc.metadata.get("entities") or []:
            if not isinstance(record, dict) or (kind is not None and record.get("kind") != kind):
                continue
            original = record.get("merged_from", record.get("tag"))
            if isinstance(original, str) and normalize_tag(original, fold_accents=fold_accents)[0] == key:
                record["keep_apart"] = True
                marked += 1
    return marked
