"""Corpus normalisation applied to documents: one canonical tag per entity, rewritten in place.

`normalize_links` rewrites links, entity records and graph-retriever fields by the tags
`doclinks.links.canonical.canonicalize` chooses, recording every merge so that `merges_of`
lists them, `revert_merges` undoes them and `keep_apart` forbids one for good.
`renormalize` is what a growing corpus runs: undo, then normalise again, over the whole
corpus or, incrementally, over the tags a batch can change (a scope, see `canonical`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from .canonical import MergePolicy, canonicalize, in_scope
from .fields import rewrite_field_values
from .link import Link, get_links
from .normalize import DEFAULT_HONORIFICS, kind_matches, normalize_tag

__all__ = [
    "normalize_links", "renormalize", "merges_of", "revert_merges", "keep_apart", "tag_occurrences", "apply_tag_changes",
]  # fmt: skip


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
    docs = list(documents)
    mapping = _canonical_tags(docs, kinds, honorifics, fold_accents, merge_partial, policy, None)
    changes = {pair: new for pair, new in mapping.items() if new != pair[1]}
    _apply(docs, changes, honorifics, fold_accents)
    return changes


def renormalize(
    documents: Iterable[Any],
    *,
    scope: frozenset[tuple[str, str]] | None = None,
    kinds: Iterable[str] | None = ("entity",),
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
    fold_accents: bool = True,
    merge_partial: bool = True,
    policy: MergePolicy | None = None,
) -> dict[tuple[str, str], str]:
    """Undo the recorded merges of `documents`, then normalise them again, in place: what a
    corpus gets after new chunks arrive or the policy changes.

    With `scope` None this is `revert_merges` then `normalize_links` over all `documents` (a
    full pass: pass every chunk of the corpus). With a `scope` (`scope_of` a batch's tags),
    only tags in scope are recomputed: pass every stored chunk that carries a tag in scope
    (and the batch); a merged tag out of scope keeps the tag it had. The result equals a full
    pass when the corpus was normalised before (see the module).

    Returns:
        The changes made against the reverted tags, ``{(kind, original_tag): new_tag}``.
    """
    docs = list(documents)
    kept: dict[tuple[str, str], Any] = {}  # merges out of scope: original -> the tag it had (a str when used)
    if scope is not None:
        for doc in docs:
            for record in doc.metadata.get("entities") or []:
                if isinstance(record, dict) and isinstance(record.get("merged_from"), str):
                    kind, original = record.get("kind"), record["merged_from"]
                    if not isinstance(kind, str):
                        continue
                    if not in_scope(kind, original, scope, honorifics=honorifics, fold_accents=fold_accents):
                        kept[(kind, original)] = record.get("tag")
    revert_merges(docs)
    mapping = _canonical_tags(docs, kinds, honorifics, fold_accents, merge_partial, policy, scope)
    changes = {pair: new for pair, new in mapping.items() if new != pair[1]}
    changes.update({pair: tag for pair, tag in kept.items() if isinstance(tag, str) and tag != pair[1]})
    _apply(docs, changes, honorifics, fold_accents)
    return changes


def _canonical_tags(docs, kinds, honorifics, fold_accents, merge_partial, policy, scope) -> dict[tuple[str, str], str]:
    """`canonicalize` over the links of `docs` of the chosen kinds (in `scope`, when given)."""
    occurrences = []
    apart: set[tuple[str, str]] = set()
    for doc in docs:
        found, kept_apart = tag_occurrences(
            doc, kinds=kinds, scope=scope, honorifics=honorifics, fold_accents=fold_accents
        )
        occurrences += found
        apart |= kept_apart
    return canonicalize(
        occurrences, honorifics=honorifics, fold_accents=fold_accents, merge_partial=merge_partial, policy=policy,
        keep_apart=apart,
    )  # fmt: skip


def tag_occurrences(
    doc: Any,
    *,
    kinds: Iterable[str] | None = ("entity",),
    scope: frozenset[tuple[str, str]] | None = None,
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
    fold_accents: bool = True,
) -> tuple[list[tuple[str, str, float | None]], set[tuple[str, str]]]:
    """What one document gives `canonicalize`: its ``(kind, tag, best score)`` occurrences (each tag once,
    of the chosen kinds, in `scope` when given) and the ``(kind, tag)`` pairs its records keep apart.

    Per document, so that a corpus's occurrences can be gathered anywhere (a distributed job sums them)
    and give the same canonical tags: `canonicalize` does not depend on their order."""
    kinds = None if kinds is None else ((kinds,) if isinstance(kinds, str) else tuple(kinds))
    occurrences: list[tuple[str, str, float | None]] = []
    apart: set[tuple[str, str]] = set()
    seen: set[tuple[str, str]] = set()
    scores = _record_scores(doc)
    for record in doc.metadata.get("entities") or []:
        if isinstance(record, dict) and record.get("keep_apart") and isinstance(record.get("tag"), str):
            kind_and_tag: tuple[Any, str] = (record.get("kind"), record["tag"])  # the record's kind is unchecked JSON
            apart.add(kind_and_tag)
    for link in get_links(doc):
        if not isinstance(link, Link):
            raise TypeError(f'metadata["links"] must hold Link objects, got {type(link).__name__}')
        pair = link.key
        if pair in seen or not kind_matches(link.kind, kinds):
            continue
        seen.add(pair)
        if in_scope(link.kind, link.tag, scope, honorifics=honorifics, fold_accents=fold_accents):
            occurrences.append((link.kind, link.tag, scores.get(pair)))
    return occurrences, apart


def apply_tag_changes(
    docs: Iterable[Any],
    changes: dict[tuple[str, str], str],
    *,
    honorifics: Iterable[str] | None = DEFAULT_HONORIFICS,
    fold_accents: bool = True,
) -> None:
    """Rewrite links, entity records (recording merges) and link fields of `docs` by `changes`
    (``{(kind, tag): new_tag}``), in place. Per document: a distributed job applies one corpus's
    changes to its chunks wherever they are."""
    _apply(list(docs), changes, honorifics, fold_accents)


def _apply(docs: list[Any], changes: dict[tuple[str, str], str], honorifics, fold_accents: bool) -> None:
    """Rewrite links, entity records (recording merges) and link fields of `docs` by `changes`."""
    if not changes:
        return
    hons = tuple(honorifics) if honorifics is not None else ()

    def key(tag: str) -> str:
        return normalize_tag(tag, honorifics=hons, fold_accents=fold_accents)[0]

    merges = {pair for pair, new in changes.items() if key(pair[1]) != key(new)}
    for doc in docs:
        links = doc.metadata.get("links")
        if links:
            new_links, seen_links = [], set()
            touched = False
            for link in links:
                new_tag = changes.get(link.key)
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
                # A mention that did not link keeps its own tag: no link follows it, and an
                # incremental run (which reads chunks by their links) could not find it.
                if isinstance(record, dict) and record.get("linked", True) is not False:
                    pair: tuple[Any, Any] = (record.get("kind"), record.get("tag"))  # unchecked JSON
                    new_tag = changes.get(pair)
                    if new_tag is not None:
                        if pair in merges:
                            record.setdefault("merged_from", pair[1])
                        record["tag"] = new_tag
        rewrite_field_values(doc, changes, fold_accents=fold_accents)


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
    reverted = 0
    for doc in documents:
        records = doc.metadata.get("entities")
        if not isinstance(records, list):
            continue
        # (kind, merged tag), as the records hold them (unchecked JSON) -> original tags
        undone: dict[tuple[Any, Any], dict[str, None]] = defaultdict(dict)
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
