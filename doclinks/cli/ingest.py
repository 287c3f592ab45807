"""`doclinks ingest`: files -> chunks (`doclinks.sources`) -> the store (`doclinks.pipeline`).

Everything the user gave is checked first (labels, sizes, every file: all unreadable files are
listed at once), so a bad input stops the run before anything is written; ``--skip-bad`` leaves
unreadable files out instead, listed in the summary. The pipeline then skips stored chunks,
extracts entities, links, embeds and writes in batches, and renormalises the tags the new chunks
can change (see `doclinks.pipeline`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..links.contrast import DEFAULT_CONTRAST_LABELS
from ..links.extractor import DEFAULT_MIN_LINK_SCORE
from .common import (
    add_db,
    add_labels,
    add_model,
    check_model_name,
    interrupted,
    is_url,
    label_names,
    open_store,
    parse_labels,
    remove_database_file,
    shown_db,
)  # fmt: skip
from .errors import CommandError
from .ingest_ray import RayOptions, add_ray_flags, check_engine, ray_options
from .ingest_sync import plan_files, pruned_sources, sources_line
from .progress import IngestProgress, progress_bar, rate_text

__all__ = ["add_parser", "run", "IngestOptions", "IngestSummary", "ingest", "rate_text"]


@dataclass
class IngestOptions:
    """What `ingest` does; the defaults are the command line's."""

    labels: list[str]
    labels_exact: bool = False  # True: no check that a label looks like a list (--labels-exact, JSON labels)
    model: str | None = None  # None: doclinks.default_model()
    chunk_size: int = 1000
    chunk_overlap: int = 0
    batch_size: int = 32
    threshold: float = 0.5
    min_link_score: float | None = DEFAULT_MIN_LINK_SCORE  # None: every kept mention links
    merge: bool = True
    keep_apart: list[str] = field(default_factory=list)
    relabel: bool = False
    text_field: str = "text"
    encoding: str = "utf-8"
    skip_bad: bool = False
    prune: bool = False  # delete the sources recorded under the folders given whose file is gone
    progress: bool = True
    engine: str = "local"  # "ray": doclinks.scale on a Ray cluster, into PostgreSQL
    ray: RayOptions | None = None  # the --ray-* flags (None: their defaults)
    # Asked beside the labels, their spans dropped (doclinks.links.contrast); None or []: none.
    contrast_labels: list[str] | None = field(default_factory=lambda: list(DEFAULT_CONTRAST_LABELS))


@dataclass
class IngestSummary:
    """What an ingest did (this run), and what the store holds afterwards."""

    db: str
    files: int  # files read
    documents: int
    chunks: int  # distinct chunks of the files given
    new_chunks: int  # stored by this run
    skipped_chunks: int  # already in the store
    entities: int  # entity mentions found in the new chunks
    renormalized_chunks: int  # stored chunks whose tags the new ones changed
    stored_chunks: int  # in the store
    distinct_tags: int  # in the store
    seconds: float
    chunks_per_second: float | None  # new chunks per second of extraction + storage (with Ray: + actor start-up)
    empty_files: list[str] = field(default_factory=list)
    bad_files: list[dict[str, str]] = field(default_factory=list)  # skipped with --skip-bad: file, why
    skipped_by_type: dict[str, int] = field(default_factory=dict)  # files of folders not read, by suffix
    engine: str = "local"
    ner_actors: int = 0  # with --engine ray: the NER actors that ran
    # Sources (files, by absolute path; doclinks.source_sync): what this run did to each.
    sources_added: int = 0
    sources_updated: int = 0
    sources_unchanged: int = 0  # skipped unread: their bytes hash as recorded
    sources_deleted: int = 0  # with --prune
    deleted_chunks: int = 0  # of old versions and deleted sources

    def to_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready dict."""
        return asdict(self)

    def text(self) -> str:
        """The summary for people."""
        rate = f" ({self.chunks_per_second:.1f} chunks/s)" if self.chunks_per_second else ""
        skipped = f", {self.skipped_chunks:,} already stored" if self.skipped_chunks else ""
        if self.chunks and not self.new_chunks:
            skipped = "nothing new to ingest: all already stored"
        other = ", ".join(f"{n} {suffix or 'without suffix'}" for suffix, n in sorted(self.skipped_by_type.items()))
        lines = [
            f"ingested into {self.db}",
            f"  files          {self.files:,} read" + (f", {len(self.empty_files)} empty" if self.empty_files else "")
            + (f", {len(self.bad_files)} unreadable (skipped)" if self.bad_files else "")
            + (f"; not read: {other}" if other else ""),
            f"  documents      {self.documents:,}" + (" (of the files read)" if self.sources_unchanged else ""),
            f"  chunks         {self.chunks:,} (" + (f"{self.new_chunks:,} new" if self.new_chunks else "") + f"{skipped})",
            *([sources_line(self.sources_added, self.sources_updated, self.sources_unchanged, self.sources_deleted,
                            self.deleted_chunks)] if self.engine == "local" else []),
            f"  entities       {self.entities:,} mentions in the new chunks"
            + (f"; tags of {self.renormalized_chunks:,} stored chunks renormalised" if self.renormalized_chunks else ""),
            f"  store          {self.stored_chunks:,} chunks, {self.distinct_tags:,} distinct tags "
            "(`doclinks stats` for links and hubs)",
            f"  time           {self.seconds:.1f} s{rate}"
            + (f" on Ray, {self.ner_actors} NER actor{'s' if self.ner_actors != 1 else ''}" if self.engine == "ray" else ""),
        ]  # fmt: skip
        lines += [f"  skipped        {b['why'] if b['why'].startswith(b['file']) else b['file'] + ': ' + b['why']}"
                  for b in self.bad_files[:20]]  # fmt: skip
        return "\n".join(lines)


def ingest(paths, db, options: IngestOptions) -> IngestSummary:
    """Ingest files and folders into the store `db` (an SQLite file, created if absent, or a URL).

    Raises:
        CommandError: bad options, missing files, an empty folder, unreadable files (all named),
            a database that is not doclinks'.
        KeyboardInterrupt: with ``.stored`` (chunks stored so far) and ``.total`` set on it.
    """
    from ..pipeline import IngestSettings
    from ..source_sync import group_chunks, read_fingerprint, sync_sources
    from ..sources import SourceError, Splitter, collect_files, read_sources

    start = time.perf_counter()
    if isinstance(options.labels, str):  # "Person,Location" from a caller: read as --labels is
        labels = parse_labels(options.labels, exact=options.labels_exact)
    else:
        labels = label_names(
            [" ".join(x.split()) if isinstance(x, str) else x for x in options.labels], exact=options.labels_exact
        )
    try:
        settings = IngestSettings(
            labels=labels, model=options.model, threshold=options.threshold, min_link_score=options.min_link_score,
            batch_size=options.batch_size, merge=options.merge, keep_apart=options.keep_apart, relabel=options.relabel,
            contrast_labels=options.contrast_labels,
        )  # fmt: skip
        splitter = Splitter(options.chunk_size, options.chunk_overlap)
    except (ValueError, TypeError) as exc:
        from .errors import with_flags

        raise CommandError(with_flags(str(exc))) from None
    check_model_name(options.model)
    check_engine(options.engine, db, options.ray)
    if options.model is None:
        from ..ner.default import default_model_path

        default_model_path()  # a broken install fails here, before the database is created
    if options.engine == "ray":
        if options.prune:
            raise CommandError(
                "--prune works with the local engine only (the Ray engine does not keep source records yet)"
            )
        return _ingest_on_ray(paths, db, options, settings, start)
    by_type: Counter = Counter()
    try:
        files = collect_files(paths, skipped=by_type)
        fingerprint = read_fingerprint(options.chunk_size, options.chunk_overlap, options.text_field, options.encoding)
        plan = plan_files(db, files, fingerprint, reread=options.relabel)  # unchanged files are not read
        read = read_sources(plan.to_read, splitter, text_field=options.text_field, encoding=options.encoding,
                            skip_bad=options.skip_bad)  # fmt: skip
    except LookupError:
        raise CommandError(f"--encoding {options.encoding}: no such text encoding") from None
    except SourceError as exc:
        raise CommandError(_source_message(str(exc))) from None
    gone = pruned_sources(db, paths) if options.prune else []
    if not read.chunks and not plan.unchanged and not plan.recorded and not gone:
        raise CommandError("nothing to ingest: the files hold no text")
    bad = {p for p, _ in read.bad_files}
    groups = group_chunks(plan, [f for f in plan.to_read if f not in bad], read.chunks)
    unchanged_ids = [i for f in plan.unchanged for i in plan.recorded[plan.keys[f]].chunk_ids]
    unchanged_chunks = len(unchanged_ids)
    created = not is_url(db) and not Path(db).exists()
    try:
        store = open_store(db, create=True)
        try:
            with IngestProgress(options.progress) as progress:
                report = sync_sources(store, groups, settings, delete=gone, unchanged_ids=unchanged_ids, on_model=progress.on_model,
                                      on_progress=progress.on_progress)  # fmt: skip
            stored_chunks, distinct_tags = len(store), store.tag_count()
        finally:
            store.close()
    except BaseException as exc:
        if created and not getattr(exc, "stored", 0):  # an interrupted run that stored chunks is continued
            remove_database_file(db)
        raise
    chunks = report.chunks + unchanged_chunks
    if options.progress and not report.new_chunks and not report.deleted_chunks:
        print(f"doclinks ingest: nothing new to ingest: {_chunks(chunks)} of the files "
              f"{'is' if chunks == 1 else 'are all'} stored in {shown_db(db)} already", file=sys.stderr)  # fmt: skip
    _warn_stale(report, labels)
    return IngestSummary(
        db=shown_db(db), files=read.files_read, documents=read.documents, chunks=chunks, new_chunks=report.new_chunks,
        skipped_chunks=report.skipped_chunks + unchanged_chunks, entities=report.entities,
        renormalized_chunks=report.renormalized_chunks,
        stored_chunks=stored_chunks, distinct_tags=distinct_tags, seconds=time.perf_counter() - start,
        chunks_per_second=(report.new_chunks / report.work_seconds) if report.new_chunks and report.work_seconds > 0 else None,
        empty_files=[str(p) for p in read.empty_files], bad_files=[{"file": str(p), "why": w} for p, w in read.bad_files],
        skipped_by_type=dict(by_type), sources_added=len(report.sources_added), sources_updated=len(report.sources_updated),
        sources_unchanged=len(plan.unchanged), sources_deleted=len(report.sources_deleted), deleted_chunks=report.deleted_chunks,
    )  # fmt: skip


def _ingest_on_ray(paths, db, options: IngestOptions, settings, start: float) -> IngestSummary:
    """`ingest` with ``--engine ray`` (`doclinks.scale.ray_ingest`): the same summary."""
    from ..sources import SourceError
    from ..store import StoreError
    from .ingest_ray import run_ray_ingest

    try:
        result = run_ray_ingest(paths, db, settings, options, progress_bar(options.progress))
    except LookupError:
        raise CommandError(f"--encoding {options.encoding}: no such text encoding") from None
    except SourceError as exc:
        raise CommandError(_source_message(str(exc))) from None
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    report = result.report
    store = open_store(db)
    try:
        stored_chunks, distinct_tags = len(store), store.tag_count()
    finally:
        store.close()
    _warn_stale(report, settings.labels)
    return IngestSummary(
        db=shown_db(db), files=result.files_read, documents=result.documents, chunks=report.chunks,
        new_chunks=report.new_chunks, skipped_chunks=report.skipped_chunks, entities=report.entities,
        renormalized_chunks=report.renormalized_chunks, stored_chunks=stored_chunks, distinct_tags=distinct_tags,
        seconds=time.perf_counter() - start,
        chunks_per_second=(report.new_chunks / report.work_seconds) if report.new_chunks and report.work_seconds > 0 else None,
        empty_files=list(result.empty_files), bad_files=[{"file": f, "why": w} for f, w in result.bad_files],
        skipped_by_type=dict(result.skipped_by_type), engine="ray", ner_actors=result.actors,
    )  # fmt: skip


def _chunks(n: int) -> str:
    return f"{n:,} chunk" + ("" if n == 1 else "s")


def _source_message(message: str) -> str:
    """A `SourceError` message with the flag that helps."""
    if "text field" in message:
        message += " (see --text-field)"
    if "cannot be read" in message:
        message += "; add --skip-bad to ingest the other files"
    return message


def _warn_stale(report, labels: list[str]) -> None:
    if report.stale_chunks:
        print(f"doclinks: warning: {report.stale_chunks} of the chunks given are stored with links of other labels "
              f"({', '.join(report.stale_labels)}); the labels {','.join(labels)} apply only to new chunks: "
              "add --relabel to extract them again", file=sys.stderr)  # fmt: skip


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks ingest``."""
    p = sub.add_parser(
        "ingest", help="read files, link their chunks on shared entities, store them",
        description="Read .txt, .md, .jsonl, .pdf, .html and .docx files (folders recursively), split them into chunks, "
        "find their entities, link chunks that share one, embed and store them. Run again, it keeps the store in sync: "
        "unchanged files are skipped unread, a changed file's chunks are replaced in one transaction, --prune deletes "
        "the files gone. Interrupted and run again, it continues where it stopped.",
    )  # fmt: skip
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    add_labels(p, 'entity types to find (required): comma-separated, e.g. "Person,Organization,Location"')
    add_db(p)
    add_model(p)
    p.add_argument(
        "--chunk-size", type=int, default=1000, metavar="N", help="largest chunk in characters (default 1000)"
    )
    p.add_argument(
        "--chunk-overlap", type=int, default=0, metavar="N", help="characters shared by neighbouring chunks (default 0)"
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=32,
        metavar="N",
        help="chunks per batch: one NER pass, one embedding pass, one write (default 32)",
    )
    p.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help='the text field of .jsonl lines (default "text"; other fields become metadata)',
    )
    p.add_argument(
        "--encoding", default="utf-8", metavar="NAME", help="text encoding of the files (default utf-8; e.g. latin-1)"
    )
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="leave out files that cannot be read (listed in the summary) instead of stopping; "
        "without it every unreadable file is listed and nothing is stored",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="delete the files recorded under the folders given that no longer exist (their chunks and links); "
        "files elsewhere, and files still there, are never touched",
    )
    p.add_argument(
        "--min-link-score",
        type=float,
        default=DEFAULT_MIN_LINK_SCORE,
        metavar="S",
        help=f"an entity links only when a mention scored at least this (default {DEFAULT_MIN_LINK_SCORE}; "
        "0 links every mention above --threshold)",
    )
    p.add_argument(
        "--contrast-labels",
        metavar="LIST",
        help="labels asked beside --labels whose spans are dropped, not linked, comma-separated "
        f'(default "{",".join(DEFAULT_CONTRAST_LABELS)}": "French" is no location; "none": the model reads --labels only)',
    )
    p.add_argument(
        "--no-merge",
        action="store_true",
        help="never join a short tag to a longer one across chunks (undoes earlier merges; case and spelling variants still join)",
    )
    p.add_argument(
        "--relabel",
        action="store_true",
        help="extract again the chunks already stored whose links came from other --labels",
    )
    p.add_argument(
        "--keep-apart",
        action="append",
        default=[],
        metavar="TAG",
        help="undo the merges of this tag for good (it never joins a longer tag again); repeatable",
    )
    add_ray_flags(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)
    return p


def parse_contrast_labels(text: str | None) -> list[str]:
    """``--contrast-labels``: None -> the default set; "none" (or nothing but commas) -> []; else the
    comma-separated labels."""
    if text is None:
        return list(DEFAULT_CONTRAST_LABELS)
    labels = [" ".join(part.split()) for part in text.split(",")]
    labels = [label for label in labels if label]
    return [] if [label.casefold() for label in labels] in ([], ["none"]) else labels


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks ingest``."""
    options = IngestOptions(
        labels=parse_labels(args.labels, exact=args.labels_exact), labels_exact=True, model=args.model, chunk_size=args.chunk_size,
        chunk_overlap=args.chunk_overlap, batch_size=args.batch_size, threshold=args.threshold,
        min_link_score=args.min_link_score or None, merge=not args.no_merge, keep_apart=list(args.keep_apart),
        relabel=args.relabel, text_field=args.text_field, encoding=args.encoding, skip_bad=args.skip_bad, prune=args.prune,
        progress=not args.no_progress, engine=args.engine, ray=ray_options(args),
        contrast_labels=parse_contrast_labels(args.contrast_labels),
    )  # fmt: skip
    try:
        summary = ingest(args.paths, args.db, options)
    except KeyboardInterrupt as exc:
        return interrupted("ingest", exc)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(summary.text())
    return 0
