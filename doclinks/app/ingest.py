"""`doclinks ingest`: files -> chunks -> entities and links -> embeddings -> a SQLite graph store.

The order matters for "nothing written on error, nothing stored twice":

1. everything the user gave is checked first (labels, sizes, files, the database), and
   every file is read and split, so a bad file stops the run before anything is written;
2. chunk ids derive from source, index and text (`doclinks.app.sources.chunk_id`): chunks
   already in the database are skipped *before* entity extraction, so a run that was
   interrupted continues where it stopped at the cost of reading the files again;
3. the NER model loads only when there is something new (a missing default model is an
   error before the database is created);
4. new chunks go in batches of ``batch_size``: entities and links
   (`LinkExtractorTransformer`, tags normalised across the batch), then
   ``add_documents`` (embedding and one write transaction per batch). An interrupt loses at
   most the batch in flight;
5. last, tags are normalised across the whole store (`doclinks.links.normalize_links`), so
   "PUTIN" in one batch and "Putin" in another, or "Zelenskyy" and "Volodymyr Zelenskyy",
   become one tag; chunks whose links change are written again (not re-embedded).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import console
from ..links.extractor import DEFAULT_MIN_LINK_SCORE
from .db import check_db, iter_documents, open_store, stored_ids, stored_labels
from .errors import AppError
from .inventory import Inventory
from .sources import Chunk, Splitter, collect_files, read_chunks

__all__ = ["IngestOptions", "IngestSummary", "parse_labels", "load_extractor", "ingest", "normalize_store"]


@dataclass
class IngestOptions:
    """What `ingest` does; the defaults are the CLI's."""

    labels: list[str]
    model: str | None = None  # None: doclinks.default_model()
    chunk_size: int = 1000
    chunk_overlap: int = 0
    batch_size: int = 32
    threshold: float = 0.5
    min_link_score: float | None = DEFAULT_MIN_LINK_SCORE
    merge: bool = True  # corpus normalisation may join a short tag to a longer one (MergePolicy)
    keep_apart: list[str] = field(default_factory=list)  # tags that must never join a longer one (undone merges)
    relabel: bool = False  # extract again the stored chunks given whose links came from other labels
    text_field: str = "text"
    progress: bool = True


@dataclass
class IngestSummary:
    """What an ingest did (this run), and what the database holds afterwards."""

    db: str
    files: int
    documents: int
    chunks: int  # chunks of the files given
    new_chunks: int  # stored by this run
    skipped_chunks: int  # already in the database
    entities: int  # entity mentions found in the new chunks
    stored_chunks: int  # in the database
    distinct_tags: int  # in the database
    links: int  # entity links on chunks, in the database
    linked_pairs: int | None  # chunk pairs joined by a walkable tag, in the database
    seconds: float
    chunks_per_second: float | None  # new chunks per second of extraction + storage

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        pairs = "not counted (too many)" if self.linked_pairs is None else f"{self.linked_pairs:,}"
        rate = f" ({self.chunks_per_second:.1f} chunks/s)" if self.chunks_per_second else ""
        skipped = f", {self.skipped_chunks:,} already stored" if self.skipped_chunks else ""
        return "\n".join([
            f"ingested into {self.db}",
            f"  documents      {self.documents:,} in {self.files:,} file(s)",
            f"  chunks         {self.chunks:,} ({self.new_chunks:,} new{skipped})",
            f"  entities       {self.entities:,} mentions in the new chunks",
            f"  database       {self.stored_chunks:,} chunks, {self.distinct_tags:,} distinct tags, "
            f"{self.links:,} links, {pairs} linked chunk pairs",
            f"  time           {self.seconds:.1f} s{rate}",
        ])  # fmt: skip


def parse_labels(text: str | None) -> list[str]:
    """``"Person, Organization,Location"`` -> ``["Person", "Organization", "Location"]``.

    Labels that differ only in case are one label (the first spelling is kept): "Person" and "person"
    would never link to each other. A label holding ";" or "|" is most likely a list with the wrong
    separator. Both are said on stderr as warnings."""
    labels: list[str] = []
    folded: dict[str, str] = {}
    for part in (text or "").split(","):
        part = " ".join(part.split())
        if not part:
            continue
        if part.casefold() in folded:
            if folded[part.casefold()] != part:
                print(f"doclinks: warning: label {part!r} is {folded[part.casefold()]!r} in another case: "
                      "read as one label", file=sys.stderr)  # fmt: skip
            continue
        folded[part.casefold()] = part
        labels.append(part)
        if ";" in part or "|" in part:
            print(f"doclinks: warning: label {part!r} holds {';' if ';' in part else '|'}: separate labels with commas, "
                  'e.g. --labels "Person,Location"', file=sys.stderr)  # fmt: skip
    if not labels:
        raise AppError('labels missing: give the entity types to find, e.g. --labels "Person,Organization,Location"')
    return labels


def _check_model_name(model: str | None) -> None:
    if model is None:
        return
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise AppError(f"--model {model}: not a folder (give a GLiNER checkpoint folder or a hub id)")
        return
    parts = model.split("/")
    looks_like_hub_id = len(parts) == 2 and all(parts) and not model.startswith((".", "~"))
    if not looks_like_hub_id:
        raise AppError(f"--model {model}: no such folder")


def load_extractor(
    labels: Sequence[str], model: str | None, threshold: float = 0.5, min_link_score: float | None = DEFAULT_MIN_LINK_SCORE
):
    """A `GLiNERLinkExtractor` for `labels` (loads the model; None: the shipped default); an entity
    links when a mention scored at least `min_link_score` (None: every mention above `threshold`)."""
    _check_model_name(model)
    from ..links import GLiNERLinkExtractor

    return GLiNERLinkExtractor(
        list(labels), model=model, extract_kwargs={"threshold": threshold}, min_link_score=min_link_score
    )


def _progress(enabled: bool):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("- chunks/s" if speed is None else f"{speed:.2f} chunks/s", style="progress.data.speed")

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        console=console.err(), disable=not enabled,
    )  # fmt: skip


def _snapshot(doc: Any) -> tuple:
    links = tuple((l.kind, l.direction, l.tag) for l in doc.metadata.get("links", []) or [])
    tags = tuple((r.get("tag"), r.get("merged_from"), r.get("keep_apart")) for r in doc.metadata.get("entities", []) or [] if isinstance(r, dict))
    return links, tags


#: Chunks rewritten per transaction by the corpus normalisation of `ingest`.
NORMALIZE_BATCH = 500


def normalize_store(
    store: Any, db: str | os.PathLike, merge: bool = True, keep_apart: Sequence[str] = ()
) -> tuple[int, list[Any]]:
    """Give each entity one tag across the whole database.

    Merges recorded by earlier runs are undone first and recomputed from the mentions, so the
    result does not depend on how often or in how many runs the corpus was normalised, and
    `merge=False` (`--no-merge`) undoes every merge (case and spelling variants still join).
    `keep_apart` (`--keep-apart TAG`) undoes the merges of these tags for good: their mentions are
    marked in the stored records, so later runs keep them apart too.
    Returns the number of chunks rewritten, and every chunk as now stored.
    """
    from ..links import keep_apart as mark_apart
    from ..links import normalize_links, revert_merges

    docs = list(iter_documents(db))
    before = [_snapshot(d) for d in docs]
    for tag in keep_apart:
        mark_apart(docs, tag)
    reverted = revert_merges(docs)
    if not normalize_links(docs, kinds=("entity",), merge_partial=merge) and not reverted:
        return 0, docs
    changed = [d for d, b in zip(docs, before) if _snapshot(d) != b]
    # Bounded transactions: other processes' writes wait for the lock one batch at a time, not the corpus.
    for i in range(0, len(changed), NORMALIZE_BATCH):
        store.add_documents(changed[i : i + NORMALIZE_BATCH])
    return len(changed), docs


def ingest(paths: Sequence[str | os.PathLike], db: str | os.PathLike, options: IngestOptions) -> IngestSummary:
    """Ingest files and folders into the SQLite database `db` (created if absent).

    Raises:
        AppError: bad options, missing files, an empty folder, a bad file, a database that
            is not doclinks'.
        KeyboardInterrupt: with ``.stored`` (chunks stored so far) set on it.
    """
    start = time.perf_counter()
    labels = parse_labels(",".join(options.labels))
    if options.batch_size < 1:
        raise AppError(f"--batch-size must be at least 1, got {options.batch_size}")
    if not 0.0 < options.threshold < 1.0:
        raise AppError(f"--threshold must lie in (0, 1), got {options.threshold}")
    if options.min_link_score is not None and not 0.0 < options.min_link_score < 1.0:
        raise AppError(f"--min-link-score must lie in [0, 1), got {options.min_link_score}")
    _check_model_name(options.model)
    splitter = Splitter(options.chunk_size, options.chunk_overlap)
    files = collect_files(paths)
    exists = check_db(db, must_exist=False)
    documents, chunks = read_chunks(files, splitter, text_field=options.text_field)
    if not chunks:
        raise AppError("nothing to ingest: the files hold no text")
    unique: dict[str, Chunk] = {}
    for c in chunks:
        unique.setdefault(c.id, c)
    have = stored_ids(db, unique) if exists else set()
    new = [c for c in unique.values() if c.id not in have]
    # Chunks already stored whose links came from other labels: the new labels would silently not apply.
    old_labels = stored_labels(db, have) if have else {}
    stale = [c for c in unique.values() if c.id in old_labels and old_labels[c.id] is not None and old_labels[c.id] != labels]
    if stale and options.relabel:
        new += stale
    elif stale:
        shown = ", ".join(sorted({",".join(old_labels[c.id]) for c in stale}))
        print(f"doclinks: warning: {len(stale)} of the chunks given are stored with links of other labels ({shown}); "
              f"the labels {','.join(labels)} apply only to new chunks: add --relabel to extract them again",
              file=sys.stderr)  # fmt: skip

    entities = 0
    done = 0
    work_seconds = 0.0
    store = None
    try:
        if new:
            err = console.err()
            with err.status("loading the NER model", spinner="dots") if options.progress else _null():
                extractor = load_extractor(labels, options.model, options.threshold, options.min_link_score)
            from ..document import Document
            from ..links import LinkExtractorTransformer

            transformer = LinkExtractorTransformer([extractor])
            store = open_store(db)
            work_start = time.perf_counter()
            with _progress(options.progress) as bar:
                task = bar.add_task("ingest", total=len(new))
                for i in range(0, len(new), options.batch_size):
                    batch = new[i : i + options.batch_size]
                    docs = [Document(page_content=c.text, metadata={**c.metadata, "ner_labels": labels}, id=c.id) for c in batch]
                    docs = transformer.transform_documents(docs)
                    store.add_documents(docs)
                    done += len(batch)
                    entities += sum(len(d.metadata.get("entities") or []) for d in docs)
                    bar.advance(task, len(batch))
            work_seconds = time.perf_counter() - work_start
        elif exists:
            store = open_store(db)
        _, stored = (
            normalize_store(store, db, options.merge, options.keep_apart) if store is not None else (0, list(iter_documents(db)))
        )
    except KeyboardInterrupt as exc:
        exc.stored = done  # type: ignore[attr-defined]
        exc.total = len(new)  # type: ignore[attr-defined]
        raise
    finally:
        if store is not None:
            store.close()

    inventory = Inventory.from_documents(stored)
    from ..store import TraversalSettings

    return IngestSummary(
        db=str(db), files=len(files), documents=documents, chunks=len(chunks), new_chunks=done,
        skipped_chunks=len(unique) - len(new), entities=entities, stored_chunks=len(inventory.docs),
        distinct_tags=len(inventory.tags), links=inventory.links,
        linked_pairs=inventory.linked_pairs(TraversalSettings().degree_limit(len(inventory.docs))),
        seconds=time.perf_counter() - start,
        chunks_per_second=(done / work_seconds) if done and work_seconds > 0 else None,
    )  # fmt: skip


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None
