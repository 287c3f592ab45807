"""The sync steps of ``doclinks ingest`` (`doclinks.source_sync`) as the command runs them: the store's
records read before any file is, unchanged files skipped, ``--prune``'s list, the summary's counts."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .common import is_url, open_store

__all__ = ["plan_files", "pruned_sources", "sources_line"]


def _with_store(db, read):
    """`read(store)` on the store ``--db`` names when it exists (read-only for an SQLite file), else None."""
    if not is_url(db) and not Path(db).exists():
        return None
    store = open_store(db)
    try:
        return read(store)
    finally:
        store.close()


def plan_files(db, files: Sequence[Path], fingerprint: str, *, reread: bool):
    """`doclinks.source_sync.plan_sources` against the records of the store ``--db`` (none when it does not exist)."""
    from ..source_sync import plan_sources

    def records(keys: list[str]) -> dict:
        found = _with_store(db, lambda store: store.source_records(keys))
        return found or {}

    return plan_sources(records, files, fingerprint, reread=reread)


def pruned_sources(db, paths: Sequence[str | os.PathLike]) -> list[str]:
    """The sources ``--prune`` deletes: recorded under the folders given, their file gone."""
    from ..source_sync import vanished_sources

    return _with_store(db, lambda store: vanished_sources(store.sources_under, paths)) or []


def sources_line(added: int, updated: int, unchanged: int, deleted: int, deleted_chunks: int) -> str:
    """The summary's sources line."""
    gone = f" ({deleted_chunks:,} old chunk{'' if deleted_chunks == 1 else 's'} removed)" if deleted_chunks else ""
    return f"  sources        {added:,} added, {updated:,} updated, {unchanged:,} unchanged, {deleted:,} deleted{gone}"
