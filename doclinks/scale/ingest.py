"""`ray_ingest`: the driver of the distributed ingest (the stages are in `doclinks.scale.stages`).

The driver lists the files, builds the Ray Data pipeline and reads back only small rows: what was
read (one row per file and per block), then one row per written batch (the progress). It never
holds the chunks, their vectors or the corpus's tags.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..links.contrast import contrast_for
from ..pipeline import TAG_POLICY, IngestReport, IngestSettings, record_contrast_labels
from .settings import RaySettings, ReadSettings

__all__ = ["RayIngestResult", "ray_ingest", "SQLITE_REFUSED", "check_postgres_dsn"]

#: Why the Ray engine refuses an SQLite store, and what to use instead.
SQLITE_REFUSED = (
    "the Ray engine writes from many processes at once, and SQLite has one writer at a time: "
    'give a PostgreSQL store (--db postgresql://user@host/db, pip install "doclinks[postgres]"), '
    "or ingest into SQLite on one machine without --engine ray"
)


def check_postgres_dsn(db: Any) -> str:
    """`db` as a PostgreSQL connection string; ValueError (`SQLITE_REFUSED`) for anything else."""
    if not isinstance(db, str):
        raise ValueError(f"{db}: {SQLITE_REFUSED}")
    text = db.strip()
    if text.lower().startswith(("postgresql://", "postgres://")):
        return text
    try:  # a libpq key=value string ("host=... dbname=...")
        import psycopg

        params = psycopg.conninfo.conninfo_to_dict(text)
    except ImportError:
        raise ImportError('a PostgreSQL store needs psycopg: pip install "doclinks[postgres]"') from None
    except psycopg.Error:  # not a connection string: a file name
        params = {}
    if "=" in text and params:
        return text
    raise ValueError(f"{db}: {SQLITE_REFUSED}")


@dataclass
class RayIngestResult:
    """What a `ray_ingest` run did: the single-process ingest's report, and what was read.

    ``report.renormalized_chunks`` counts the chunks stored before the run (by key) that the tag
    normalisation rewrote; unlike the single-process count, it includes chunks extracted again with
    ``relabel`` (they keep their keys)."""

    report: IngestReport
    files_read: int
    documents: int
    empty_files: list[str] = field(default_factory=list)
    bad_files: list[tuple[str, str]] = field(default_factory=list)  # (file, why), left out with skip_bad
    skipped_by_type: dict[str, int] = field(default_factory=dict)  # files of folders not read, by suffix
    actors: int = 0  # NER actors that ran
    bulk: bool = False  # whether the HNSW index was dropped and built again
    normalized_chunks: int = 0  # chunks the tag normalisation rewrote, new ones included


def ray_ingest(
    paths: Sequence[str | Path],
    dsn: str,
    settings: IngestSettings,
    *,
    read: ReadSettings | None = None,
    ray_settings: RaySettings | None = None,
    postgres: Any = None,
    embedding: Callable[[], Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RayIngestResult:
    """Ingest files into a PostgreSQL store on a Ray cluster: what `doclinks ingest` stores, distributed.

    Args:
        paths: files and folders (`doclinks.sources.collect_files`); on a cluster, at the same path
            on every node (a shared file system): the workers read them.
        dsn: the PostgreSQL store (a ``postgresql://`` URL or libpq string) every worker can reach.
        settings: the ingest's `IngestSettings` (labels, model, thresholds; ``batch_size`` is the
            NER actors' batch).
        read: `ReadSettings` (chunk size, overlap, text field, encoding, skip_bad).
        ray_settings: `RaySettings` (cluster address, actors, resources, writers, batch sizes).
        postgres: the store's `PostgresSettings` (collection, HNSW parameters); None: the defaults.
        embedding: a picklable callable returning the embedder each NER actor uses; None: the
            default embedder (all-MiniLM-L6-v2), as `doclinks ingest` uses.
        on_progress: called with (chunks written, chunks to write) when the NER stage starts (0
            written), then after each written batch.
        on_stage: called with a few words when a stage starts ("reading", "normalising tags", ...).

    Returns:
        A `RayIngestResult`; a ``KeyboardInterrupt`` carries ``.stored`` and ``.total``.

    Raises:
        ValueError: an SQLite path or other non-PostgreSQL `dsn` (`SQLITE_REFUSED`), GPUs asked of
            a cluster without any.
        doclinks.sources.SourceError: missing or unreadable files (all named, nothing written), no text.
        ImportError: Ray (``pip install "doclinks[ray]"``) or psycopg missing.
        doclinks.store.StoreConnectionError: the database cannot be reached.
    """
    from ..sources import collect_files
    from ..store import PostgresGraphStore
    from .session import quiet_ray_data, ray_session

    dsn = check_postgres_dsn(dsn)
    read = read or ReadSettings()
    ray_settings = ray_settings or RaySettings()
    by_type: Counter = Counter()
    files = collect_files(paths, skipped=by_type)
    stage = on_stage or (lambda _: None)
    # The store first: a server that cannot be reached fails before Ray starts.
    with PostgresGraphStore(dsn, postgres=postgres) as store, ray_session(ray_settings.address) as ray:
        quiet_ray_data()
        cluster = ray.cluster_resources()
        if ray_settings.actor_gpus > 0 and cluster.get("GPU", 0) < ray_settings.actor_gpus:
            raise ValueError(f"actor_gpus={ray_settings.actor_gpus}, but the Ray cluster has {cluster.get('GPU', 0):g} "
                             "GPUs: start GPU nodes, or run CPU actors (actor_gpus=0)")  # fmt: skip
        stage("reading and splitting the files")
        table = _read_table(ray, files, read, dsn, store.pg, settings, ray_settings).materialize()
        found = _Read.of(table.map_batches(_summarize, batch_size=None, batch_format="numpy").take_all(),
                         [str(f) for f in files], read.skip_bad, settings.relabel)  # fmt: skip
        existing = len(store)
        bounds = store.backend.key_bounds()
        policy = "merge" if settings.merge else "no-merge"
        normalise = (
            found.total > 0 or bool(settings.keep_apart) or (existing > 0 and store.get_setting(TAG_POLICY) != policy)
        )
        bulk = (ray_settings.bulk if ray_settings.bulk is not None else found.total >= existing) and normalise
        actors = min(ray_settings.actor_count(cluster), max(1, -(-found.total // settings.batch_size)))
        done = entities = 0
        work_seconds = 0.0
        rewritten = renormalized = 0
        try:
            with store.bulk_ingest() if bulk else contextlib.nullcontext():
                if found.total:
                    stage(f"extracting, embedding and writing {found.total:,} chunks on {actors} NER actors")
                    chunks_in = _to_extract(table, found.statuses, settings.batch_size)
                    del table  # its blocks are freed: the extraction reads its own copy
                    written = _write_pipeline(chunks_in, settings, ray_settings, actors, dsn, store.pg, embedding)
                    start = time.perf_counter()
                    if on_progress is not None:
                        on_progress(0, found.total)
                    for batch in written.iter_batches(batch_size=None, batch_format="numpy"):
                        done += int(np.sum(batch["chunks"]))
                        entities += int(np.sum(batch["entities"]))
                        if on_progress is not None:
                            on_progress(done, found.total)
                    work_seconds = time.perf_counter() - start
                    if done:
                        record_contrast_labels(store, contrast_for(settings.labels, settings.contrast_labels or ()))
                if normalise:
                    stage("normalising tags across the store")
                    from .normalize import normalize_with_ray

                    rewritten, renormalized = normalize_with_ray(
                        ray, store, dsn, merge=settings.merge, keep_apart=list(settings.keep_apart),
                        range_size=ray_settings.normalize_range, readers=ray_settings.readers,
                        writers=ray_settings.writers, last_old_key=bounds[1] if bounds else 0,
                    )  # fmt: skip
                if bulk:
                    stage("building the HNSW index")
            if normalise and len(store) and store.get_setting(TAG_POLICY) != policy:
                store.set_setting(TAG_POLICY, policy)
        except KeyboardInterrupt as exc:
            exc.stored = done  # type: ignore[attr-defined]
            exc.total = found.total  # type: ignore[attr-defined]
            raise
    report = IngestReport(
        chunks=found.chunks, new_chunks=done, skipped_chunks=found.chunks - found.total,
        stale_chunks=0 if settings.relabel else found.stale, stale_labels=found.stale_labels, entities=entities,
        renormalized_chunks=renormalized, work_seconds=work_seconds,
    )  # fmt: skip
    return RayIngestResult(
        report=report, files_read=found.files_read, documents=found.documents, empty_files=found.empty_files,
        bad_files=found.bad_files, skipped_by_type=dict(by_type), actors=actors if found.total else 0, bulk=bulk,
        normalized_chunks=rewritten,
    )  # fmt: skip


@dataclass
class _Read:
    """What the read stages found, from their small rows (one per file, one per block)."""

    chunks: int  # distinct chunks of the files
    total: int  # chunks to extract: new (and stale, with relabel)
    stale: int  # stored with links of other labels
    stale_labels: list[str]
    statuses: tuple[str, ...]  # the statuses extracted
    files_read: int
    documents: int
    empty_files: list[str]
    bad_files: list[tuple[str, str]]

    @classmethod
    def of(cls, rows: list[dict], files: list[str], skip_bad: bool, relabel: bool) -> _Read:
        """Raises `SourceError` for unreadable files (unless `skip_bad`) and for files without text.
        Files are listed in the order given (`files`), as the single-process ingest lists them."""
        from ..sources import SourceError, unreadable_files_error

        order = {f: i for i, f in enumerate(files)}
        file_rows = sorted((r for r in rows if r["kind"] == "file"), key=lambda r: order.get(r["source"], len(order)))
        bad = [(r["source"], r["error"]) for r in file_rows if r["error"]]
        if bad and not skip_bad:
            raise unreadable_files_error(bad, len(files))
        counts = {s: sum(int(r[s]) for r in rows) for s in ("new", "stored", "stale")}
        if not sum(counts.values()):
            raise SourceError("nothing to ingest: the files hold no text")
        statuses = ("new", "stale") if relabel else ("new",)
        return cls(
            chunks=sum(counts.values()), total=sum(counts[s] for s in statuses), stale=counts["stale"],
            stale_labels=sorted({label for r in rows for label in json.loads(r["stale_labels"])}), statuses=statuses,
            files_read=len(file_rows) - len(bad), documents=sum(int(r["documents"]) for r in file_rows),
            empty_files=[r["source"] for r in file_rows if not r["error"] and not int(r["chunks"])], bad_files=bad,
        )  # fmt: skip


def _summarize(batch: dict[str, np.ndarray]) -> dict[str, list]:
    from .stages import summarize_block

    return summarize_block(batch)


def _read_table(ray, files, read, dsn, postgres, settings, ray_settings):
    """Stages 1-2: files -> chunk rows marked new, stored or stale (and one row per file)."""
    from ray.data import TaskPoolStrategy

    from .stages import mark_stored, read_files

    items = [{"path": str(Path(f).resolve()), "source": str(f)} for f in files]
    return (
        ray.data.from_items(items, override_num_blocks=min(len(items), 1024))
        .map_batches(read_files, batch_size=1, batch_format="numpy", fn_kwargs={"read": read})
        .map_batches(
            mark_stored, batch_size=ray_settings.lookup_batch_size, batch_format="numpy",
            compute=TaskPoolStrategy(size=ray_settings.readers),
            fn_kwargs={"dsn": dsn, "postgres": postgres, "labels": settings.labels, "relabel": settings.relabel},
        )
    )  # fmt: skip


def _to_extract(table, statuses, batch_size: int):
    """The chunk rows to extract, materialised in blocks of one NER batch: the actor pool hands out
    blocks, so the chunks of a file in one block would all go to one actor. Materialised before the
    NER actors start, which take every CPU they can: tasks left for later could not run."""
    from .stages import rows_with_status

    return (
        table.map_batches(rows_with_status, batch_size=None, batch_format="numpy", fn_kwargs={"statuses": statuses})
        .repartition(target_num_rows_per_block=batch_size)
        .materialize()
    )


def _write_pipeline(table, settings, ray_settings, actors, dsn, postgres, embedding):
    """Stages 3-4: the chunks to extract -> NER, links and vectors (actor pool) -> writes (actor pool)."""
    from ray.data import ActorPoolStrategy

    from .stages import LinkAndEmbed, PostgresWriter

    return (
        table.map_batches(
            LinkAndEmbed, batch_size=settings.batch_size, batch_format="numpy",
            compute=ActorPoolStrategy(size=actors), num_cpus=ray_settings.actor_cpus, num_gpus=ray_settings.actor_gpus,
            fn_constructor_kwargs={"settings": settings, "device": ray_settings.device,
                                   "threads": ray_settings.torch_threads, "embedding": embedding},
        )
        .map_batches(
            PostgresWriter, batch_size=ray_settings.write_batch_size, batch_format="numpy",
            compute=ActorPoolStrategy(size=ray_settings.writers), num_cpus=ray_settings.writer_cpus,
            fn_constructor_kwargs={"dsn": dsn, "postgres": postgres},
        )
    )  # fmt: skip
