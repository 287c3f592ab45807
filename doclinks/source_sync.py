"""Ingest that keeps a store in sync with its files: what ``doclinks ingest`` runs (`sync_sources`).

Each file is a *source*, keyed by its absolute path; the store records per source a hash of the
file's bytes (and of the settings that turn bytes into chunks, `read_fingerprint`) and its chunk ids
(`doclinks.store.source_records`). Then:

1. `plan_sources`: a file whose hash is recorded is *unchanged* and skipped before it is read (a
   PDF is not even parsed); the others are read (`doclinks.sources`, every check, ``skip_bad``).
2. `sync_sources`: chunks already stored (same id: same file, place and text) are kept as they are;
   only new chunks go through the model, in batches. A source is committed once all its new chunks
   are extracted: one transaction (`GraphStore.replace_sources`) puts its new chunks in, takes the
   chunks of its old version that the new one does not keep out, with their links, and updates its
   record. Sources vanished from the folders given (`vanished_sources`, ``--prune``) are deleted the
   same way.
3. Tag normalisation over the tags the new chunks carry and the removed ones carried (a merge that
   rested on a removed chunk is recomputed): `doclinks.pipeline.normalize_store`, incremental.

Crash safety: a kill at any moment leaves each source in its old version or its new one (its
transaction committed or not). The tags a committed source touched are written in the same
transaction (setting `PENDING_TAGS`) and cleared after normalisation, so a run killed before it
normalised has the next run normalise them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pipeline import (
    EXTRACT_STEP,
    TAG_POLICY,
    IngestReport,
    IngestSettings,
    chunk_documents,
    count_entities,
    link_documents,
    record_contrast_labels,
    start_extraction,
)  # fmt: skip

__all__ = [
    "PENDING_TAGS", "SourceGroup", "SourcePlan", "SyncReport", "read_fingerprint", "file_hash", "plan_sources",
    "vanished_sources", "sync_sources", "sync_paths", "group_chunks", "tag_keys", "RemoveReport", "remove_from_store",
]  # fmt: skip

#: The store setting holding the ``(kind, tag)`` keys committed sources touched and normalisation has not
#: yet covered (a JSON list of pairs; "[]" or absent: none).
PENDING_TAGS = "pending_tags"

#: Bumped when the readers change what a file's chunks are (so that every source is read again).
READ_VERSION = "1"


def read_fingerprint(chunk_size: int, chunk_overlap: int, text_field: str, encoding: str) -> str:
    """What besides a file's bytes decides its chunks: mixed into every source hash, so that another
    ``--chunk-size`` (etc.) reads every file again."""
    return json.dumps([READ_VERSION, chunk_size, chunk_overlap, text_field, encoding])


def file_hash(path: Path, fingerprint: str) -> str:
    """sha256 of the file's bytes and `fingerprint` (hex). Raises OSError when the file cannot be read."""
    digest = hashlib.sha256(fingerprint.encode("utf-8") + b"\0")
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_key(path: Path) -> str:
    """A file's source key: its absolute path, links resolved."""
    return str(path.resolve())


@dataclass
class SourcePlan:
    """What `plan_sources` found: the files to read, the unchanged ones, each file's key and hash."""

    to_read: list[Path]
    unchanged: list[Path]
    keys: dict[Path, str]
    hashes: dict[Path, str]  # files whose bytes could be read (a file that cannot is left to the read step)
    recorded: dict[str, Any]  # the store's records of these files, by key (`SourceRecord`)


def plan_sources(
    records: Callable[[list[str]], dict], files: Sequence[Path], fingerprint: str, *, reread: bool = False
) -> SourcePlan:
    """Split `files` into those to read and those unchanged since their record (see the module docstring).

    Args:
        records: ``records(keys)`` -> the store's `SourceRecord`s of those keys (`GraphStore.source_records`).
        files: from `doclinks.sources.collect_files`.
        fingerprint: `read_fingerprint`.
        reread: read every file, unchanged or not (``--relabel``: stored chunks are extracted again).
    """
    keys = {f: source_key(f) for f in files}
    recorded = records(list(keys.values())) if keys else {}
    hashes: dict[Path, str] = {}
    to_read: list[Path] = []
    unchanged: list[Path] = []
    for f in files:
        try:
            hashes[f] = file_hash(f, fingerprint)
        except OSError:
            to_read.append(f)  # the read step names it
            continue
        old = recorded.get(keys[f])
        (unchanged if old is not None and old.content_hash == hashes[f] and not reread else to_read).append(f)
    return SourcePlan(to_read, unchanged, keys, hashes, recorded)


def vanished_sources(sources_under: Callable[[str], list[str]], roots: Sequence[str | os.PathLike]) -> list[str]:
    """The recorded sources under the folders `roots` whose file no longer exists (what ``--prune`` deletes):
    a source of another folder, or one whose file is there (read or not), is never among them."""
    gone: list[str] = []
    for root in roots:
        path = Path(root)
        if not path.is_dir():
            continue
        prefix = str(path.resolve()).rstrip(os.sep) + os.sep
        gone += [s for s in sources_under(prefix) if not os.path.lexists(s)]
    return sorted(set(gone))


@dataclass
class SourceGroup:
    """The chunks of one source read in this run, to be committed together."""

    key: str
    content_hash: str
    chunks: list[Any]  # `doclinks.sources.Chunk`s, in order


def group_chunks(plan: SourcePlan, files_read: Sequence[Path], chunks: Sequence[Any]) -> list[SourceGroup]:
    """The chunks of `read_sources` by file (``metadata["source"]`` is the path as collected), one group
    per file read (an empty file is a group without chunks: its old chunks go)."""
    by_source: dict[str, list[Any]] = {str(f): [] for f in files_read}
    for c in chunks:
        by_source[c.metadata["source"]].append(c)
    groups = []
    for f in files_read:
        if f in plan.hashes:
            unique = {c.id: c for c in by_source[str(f)]}  # a chunk id repeated in a file is one chunk
            groups.append(SourceGroup(plan.keys[f], plan.hashes[f], list(unique.values())))
    return groups


@dataclass
class SyncReport(IngestReport):
    """`IngestReport`, plus what happened to each source."""

    sources_added: list[str] = field(default_factory=list)
    sources_updated: list[str] = field(default_factory=list)
    sources_deleted: list[str] = field(default_factory=list)
    deleted_chunks: int = 0  # of old versions and deleted sources


def tag_keys(doc: Any) -> set[tuple[str, str]]:
    """The ``(kind, tag)`` keys a chunk brings to the corpus before any merge: its links, and the tags its
    mention records were merged from (what normalisation must look at again when the chunk comes or goes)."""
    keys = {link.key for link in doc.metadata.get("links", []) or []}
    for r in doc.metadata.get("entities", []) or []:
        if isinstance(r, dict) and isinstance(r.get("kind"), str) and isinstance(r.get("merged_from"), str):
            keys.add((r["kind"], r["merged_from"]))
    return keys


def _pending(store: Any) -> set[tuple[str, str]]:
    value = store.get_setting(PENDING_TAGS) if len(store) else None
    return {tuple(p) for p in json.loads(value)} if value else set()


def sync_sources(
    store: Any,
    groups: Sequence[SourceGroup],
    settings: IngestSettings,
    *,
    delete: Sequence[str] = (),
    unchanged_ids: Sequence[str] = (),
    extractor: Any = None,
    on_model: Callable[[], Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> SyncReport:
    """Commit the sources read (`groups`) and delete `delete`, extracting only the new chunks (see the
    module docstring). `unchanged_ids`: the chunks of the sources skipped as unchanged, checked for links
    of other labels (the report's ``stale_chunks``) like those read. Callbacks and `extractor` as in
    `doclinks.pipeline.ingest_chunks`.

    Returns a `SyncReport`. A ``KeyboardInterrupt`` carries ``.stored`` (new chunks committed) and ``.total``.
    """
    from .normalize_pass import normalized_ids
    from .store.sync import SourceUpdate

    recorded = store.source_records([g.key for g in groups]) if groups else {}
    all_ids = [c.id for g in groups for c in g.chunks]
    stored = store.stored_ids(all_ids) if all_ids else set()
    checked = sorted(stored | set(unchanged_ids))
    labels = store.metadata_values(checked, "ner_labels") if checked else {}
    stale = {i for i, value in labels.items() if value is not None and value != settings.labels}
    redo = stale if settings.relabel else set()
    todo = {g.key: [c for c in g.chunks if c.id not in stored or c.id in redo] for g in groups}
    new = [c for g in groups for c in todo[g.key]]
    touched = _pending(store)
    for d in store.get_by_ids(sorted(redo), missing="skip") if redo else []:
        touched |= tag_keys(d)  # relabelled: their old tags leave the corpus
    report = SyncReport(chunks=len(all_ids), new_chunks=0, skipped_chunks=len(all_ids) - len(new),
                        stale_chunks=0 if settings.relabel else len(stale),
                        stale_labels=sorted({",".join(labels[i]) for i in stale}), entities=0, renormalized_chunks=0,
                        work_seconds=0.0)  # fmt: skip
    for g in groups:
        old = recorded.get(g.key)
        if old is None:
            report.sources_added.append(g.key)
        elif old.content_hash != g.content_hash or redo.intersection(c.id for c in g.chunks):
            report.sources_updated.append(g.key)
    extracted: dict[str, Any] = {}
    changed = {*report.sources_added, *report.sources_updated}
    waiting = [g for g in groups if g.key in changed]

    def commit(ready: list[SourceGroup], gone: Sequence[str] = ()) -> None:
        """One transaction: the `ready` sources replaced, the `gone` ones deleted, the tags they touch
        recorded as pending (the removed chunks' tags read first: the commit deletes them)."""
        updates, docs = [], []
        for g in ready:
            mine = [extracted.pop(c.id) for c in todo[g.key]]
            updates.append(SourceUpdate(g.key, g.content_hash, [c.id for c in g.chunks], mine))
            docs += mine
        pending = touched | _removed_keys(store, updates, gone)
        for d in docs:
            pending |= tag_keys(d)
        removed = store.replace_sources(
            updates, delete=gone, settings={PENDING_TAGS: json.dumps(sorted(pending))} if pending else None
        )
        touched.update(pending)
        report.deleted_chunks += len(removed)
        report.entities += count_entities(docs)

    try:
        if delete:
            report.sources_deleted = list(delete)
        ready = [g for g in waiting if not todo[g.key]]  # nothing to extract: commit now
        if ready or delete:
            commit(ready, delete)
        waiting = [g for g in waiting if todo[g.key]]
        if new:
            extractor, transformer, start = start_extraction(extractor, settings, len(new), on_model, on_progress)
            done = 0
            for i in range(0, len(new), settings.batch_size):
                batch = new[i : i + settings.batch_size]
                for j in range(0, len(batch), EXTRACT_STEP):
                    for d in link_documents(transformer, chunk_documents(batch[j : j + EXTRACT_STEP], settings.labels)):
                        extracted[str(d.id)] = d
                    if on_progress is not None and j + EXTRACT_STEP < len(batch):
                        on_progress(done + j + EXTRACT_STEP, len(new))
                ready = [g for g in waiting if all(c.id in extracted for c in todo[g.key])]
                if ready:
                    commit(ready)
                    report.new_chunks += sum(len(todo[g.key]) for g in ready)
                    waiting = [g for g in waiting if g not in ready]
                done += len(batch)
                if on_progress is not None:
                    on_progress(done, len(new))
            record_contrast_labels(store, getattr(extractor, "contrast_labels", []))
            report.work_seconds = time.perf_counter() - start
        policy = "merge" if settings.merge else "no-merge"
        if touched or settings.keep_apart or (len(store) and store.get_setting(TAG_POLICY) != policy):
            rewritten = normalized_ids(store, merge=settings.merge, keep_apart=settings.keep_apart, touched=touched)
            fresh = {c.id for c in new}
            report.renormalized_chunks = sum(1 for i in rewritten if i not in fresh)
        if len(store) and store.get_setting(PENDING_TAGS) not in (None, "[]"):
            store.set_setting(PENDING_TAGS, "[]")
    except KeyboardInterrupt as exc:
        exc.stored = report.new_chunks  # type: ignore[attr-defined]
        exc.total = len(new)  # type: ignore[attr-defined]
        raise
    return report


def _removed_keys(store: Any, updates: list, gone: Sequence[str]) -> set[tuple[str, str]]:
    """The tag keys of the chunks a commit will remove (read before it: the commit deletes them)."""
    keep = {i for u in updates for i in u.chunk_ids}
    records = store.source_records([*(u.source for u in updates), *gone])
    remove = [i for r in records.values() for i in r.chunk_ids if i not in keep]
    keys: set[tuple[str, str]] = set()
    for d in store.get_by_ids(remove, missing="skip") if remove else []:
        keys |= tag_keys(d)
    return keys


@dataclass
class RemoveReport:
    """What `remove_from_store` did."""

    sources: list[str]  # sources deleted whole
    chunks: int  # chunks deleted
    renormalized_chunks: int  # stored chunks whose tags the removal changed


def remove_from_store(store: Any, *, sources: Sequence[str] = (), ids: Sequence[str] = ()) -> RemoveReport:
    """Delete sources (with their chunks and records) and single chunks by id, then renormalise the tags the
    removed chunks carried (with the store's own merge rule). A chunk deleted by id leaves its source's record
    too, the source's hash kept: the next ingest leaves the file alone until it changes.

    Raises:
        doclinks.store.UnknownIdError: an id the store does not hold (nothing deleted).
    """
    from .pipeline import normalize_store
    from .store.sync import SourceUpdate

    ids = list(dict.fromkeys(ids))
    missing = set(ids) - store.stored_ids(ids) if ids else set()
    if missing:
        from .store import UnknownIdError

        raise UnknownIdError(sorted(missing))
    removed_ids = set(ids)
    owners = [r for r in store.source_records().values() if removed_ids.intersection(r.chunk_ids)] if ids else []
    deleted = set(sources)
    owners = [r for r in owners if r.source not in deleted]
    updates = [SourceUpdate(r.source, r.content_hash, [i for i in r.chunk_ids if i not in removed_ids]) for r in owners]
    loose = sorted(removed_ids - {i for r in owners for i in r.chunk_ids})  # chunks no source records
    touched: set[tuple[str, str]] = set()
    for d in store.get_by_ids(loose, missing="skip") if loose else []:
        touched |= tag_keys(d)
    removed = store.replace_sources(updates, delete=list(sources)) if updates or sources else []
    if loose:
        store.delete(loose, missing="ignore")
    for d in removed:
        touched |= tag_keys(d)
    renormalized = 0
    if touched and len(store):
        renormalized = normalize_store(store, merge=store.get_setting(TAG_POLICY) != "no-merge", touched=touched)
    return RemoveReport(sources=list(sources), chunks=len(removed) + len(loose), renormalized_chunks=renormalized)


def sync_paths(store: Any, paths: Sequence[str | os.PathLike], settings: IngestSettings, *, chunk_size: int = 1000,
               chunk_overlap: int = 0, text_field: str = "text", encoding: str = "utf-8", skip_bad: bool = False,
               prune: bool = False, extractor: Any = None) -> SyncReport:  # fmt: skip
    """``doclinks ingest PATHS [--prune]`` from Python, on an open store: files found, unchanged ones skipped
    unread, the others read (raising `doclinks.sources.SourceError` as the command does) and synced
    (`sync_sources`); with `prune`, the sources vanished from the folders given deleted. Defaults as the
    command's."""
    from .sources import Splitter, collect_files, read_sources

    files = collect_files(paths)
    plan = plan_sources(store.source_records, files, read_fingerprint(chunk_size, chunk_overlap, text_field, encoding),
                        reread=settings.relabel)  # fmt: skip
    read = read_sources(plan.to_read, Splitter(chunk_size, chunk_overlap), text_field=text_field, encoding=encoding,
                        skip_bad=skip_bad)  # fmt: skip
    bad = {p for p, _ in read.bad_files}
    groups = group_chunks(plan, [f for f in plan.to_read if f not in bad], read.chunks)
    gone = vanished_sources(store.sources_under, paths) if prune else []
    unchanged = [i for f in plan.unchanged for i in plan.recorded[plan.keys[f]].chunk_ids]
    return sync_sources(store, groups, settings, delete=gone, unchanged_ids=unchanged, extractor=extractor)
