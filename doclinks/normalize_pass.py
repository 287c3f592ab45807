"""The corpus-wide tag normalisation of a store (`normalize_store`), and the pieces of its full pass
(`prepare_full_pass`, `TagCounts`, `corpus_tag_changes`), which a distributed ingest (`doclinks.scale`)
runs over a store too large for one process's memory. `doclinks.pipeline.ingest_chunks` runs it after
each batch, incrementally; every name here is also imported from `doclinks.pipeline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "normalize_store", "normalized_ids", "prepare_full_pass", "TagCounts", "corpus_tag_changes", "snapshot",
    "NORMALIZE_BATCH", "TAG_POLICY", "NORMALIZED_KINDS",
]  # fmt: skip

#: Chunks rewritten per transaction by the corpus normalisation.
NORMALIZE_BATCH = 500

#: The store setting that records how the stored tags were normalised ("merge" or "no-merge").
TAG_POLICY = "tag_policy"

#: The link kinds the corpus normalisation rewrites (``entity`` and ``entity:<label>``).
NORMALIZED_KINDS = ("entity",)


def snapshot(doc: Any) -> tuple:
    """What the corpus normalisation can change in a chunk: its links and its records' tags."""
    links = tuple((link.kind, link.direction, link.tag) for link in doc.metadata.get("links", []) or [])
    records = doc.metadata.get("entities", []) or []
    tags = tuple((r.get("tag"), r.get("merged_from"), r.get("keep_apart")) for r in records if isinstance(r, dict))
    return links, tags


def prepare_full_pass(docs: Sequence[Any], keep_apart: Sequence[str] = ()) -> None:
    """Per chunk, in place: mark the mentions of the `keep_apart` tags, then undo recorded merges."""
    from .links import keep_apart as mark_apart
    from .links import revert_merges

    for tag in keep_apart:
        mark_apart(docs, tag)
    revert_merges(docs)


@dataclass
class TagCounts:
    """What `canonicalize` needs of a corpus, summed over chunks in any order and anywhere.

    Attributes:
        chunks: ``(kind, tag)`` -> the number of chunks whose links carry it (after `prepare_full_pass`).
        best: ``(kind, tag)`` -> the best mention score recorded for it (only where one is).
        apart: the ``(kind, tag)`` pairs that records keep apart.
    """

    chunks: dict[tuple[str, str], int] = field(default_factory=dict)
    best: dict[tuple[str, str], float] = field(default_factory=dict)
    apart: set[tuple[str, str]] = field(default_factory=set)

    def add(self, docs: Iterable[Any]) -> TagCounts:
        """Count prepared chunks in; returns self."""
        from .links.rewrite import tag_occurrences

        for doc in docs:
            found, apart = tag_occurrences(doc, kinds=NORMALIZED_KINDS)
            for kind, tag, score in found:
                self.chunks[(kind, tag)] = self.chunks.get((kind, tag), 0) + 1
                if score is not None:
                    self.best[(kind, tag)] = max(self.best.get((kind, tag), score), score)
            self.apart |= apart
        return self

    def merge(self, other: TagCounts) -> TagCounts:
        """Add another part of the corpus's counts; returns self."""
        for pair, n in other.chunks.items():
            self.chunks[pair] = self.chunks.get(pair, 0) + n
        for pair, score in other.best.items():
            self.best[pair] = max(self.best.get(pair, score), score)
        self.apart |= other.apart
        return self

    def occurrences(self) -> Iterator[tuple[str, str, float | None]]:
        """The counts as `canonicalize`'s occurrences: one per chunk, the best score on the first."""
        for pair, n in self.chunks.items():
            yield (*pair, self.best.get(pair))
            for _ in range(n - 1):
                yield (*pair, None)


def corpus_tag_changes(counts: TagCounts, *, merge: bool = True) -> dict[tuple[str, str], str]:
    """The corpus-wide step of the full pass: ``{(kind, tag): new_tag}`` for every tag that changes."""
    from .links import canonicalize

    mapping = canonicalize(counts.occurrences(), merge_partial=merge, keep_apart=counts.apart)
    return {pair: new for pair, new in mapping.items() if new != pair[1]}


def normalize_store(
    store: Any,
    *,
    merge: bool = True,
    keep_apart: Sequence[str] = (),
    touched: Iterable[tuple[str, str]] | None = None,
) -> int:
    """Give each entity one tag across the store; returns the number of chunks rewritten.

    Merges recorded earlier are undone and recomputed from the mentions, so the result does not
    depend on how often or in how many runs the corpus was normalised.

    Args:
        store: a `doclinks.store.GraphStore`.
        merge: False undoes every merge (a full pass when the store was normalised with merges).
        keep_apart: tags whose merges are undone for good: their mentions are marked in the
            stored records, so later runs keep them apart too.
        touched: the ``(kind, tag)`` keys a batch added or removed: only the tags sharing a
            match-key word with them are recomputed, reading only the chunks that carry one.
            None: a full pass over every stored chunk.
    """
    return len(normalized_ids(store, merge=merge, keep_apart=keep_apart, touched=touched))


def normalized_ids(
    store: Any, *, merge: bool, keep_apart: Sequence[str], touched: Iterable[tuple[str, str]] | None
) -> list[str]:
    """`normalize_store`, returning the ids of the chunks rewritten (what an ingest reports)."""
    from .links import keep_apart as mark_apart
    from .links import renormalize, scope_of

    policy = "merge" if merge else "no-merge"
    if len(store) and store.get_setting(TAG_POLICY) != policy:
        touched = None  # normalised with another rule (or before the rule was recorded): a full pass
    if touched is None:
        from .links.rewrite import apply_tag_changes

        docs = list(store.iter_documents())
        before = [snapshot(d) for d in docs]
        prepare_full_pass(docs, keep_apart)
        apply_tag_changes(docs, corpus_tag_changes(TagCounts().add(docs), merge=merge))
    else:
        from .links import in_scope

        stored = store.tags()  # read once: the kinds of keep_apart, and the tags in scope
        pairs = set(touched)
        if keep_apart:
            pairs |= {(kind, tag) for kind in {kind for kind, _ in stored} for tag in keep_apart}
        scope = scope_of(pairs)
        if not scope:
            return []
        carrying = [(kind, tag) for kind, tag in stored if in_scope(kind, tag, scope)]
        docs = store.documents_with_tags(carrying)
        before = [snapshot(d) for d in docs]
        for tag in keep_apart:
            mark_apart(docs, tag)
        renormalize(docs, scope=scope, kinds=NORMALIZED_KINDS, merge_partial=merge)
    changed = [d for d, b in zip(docs, before) if snapshot(d) != b]
    # Bounded transactions: other writers wait for the lock one batch at a time, not the corpus.
    for i in range(0, len(changed), NORMALIZE_BATCH):
        store.add_documents(changed[i : i + NORMALIZE_BATCH])
    if len(store) and store.get_setting(TAG_POLICY) != policy:
        store.set_setting(TAG_POLICY, policy)
    return [d.id for d in changed]
