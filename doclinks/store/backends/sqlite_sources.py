"""Source records of the SQLite backend (`doclinks.store.source_records`): a ``sources`` table.

The table is made by the first write of a record (a store made before it opens as it is, and a
read-only store without it has no records). `atomic` is one ``BEGIN IMMEDIATE`` transaction; the
backend's own writes inside it join it (`SQLiteBackend._transaction` is re-entrant), and when it rolls
back the in-process caches (vector matrix, tag ids), which the inner writes updated, are read again.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..source_records import SourceRecord, SourceRecords, decode_ids, encode_ids

__all__ = ["SQLiteSourceRecords"]

_TABLE = (
    "CREATE TABLE IF NOT EXISTS sources (source TEXT PRIMARY KEY, content_hash TEXT NOT NULL, chunk_ids TEXT NOT NULL)"
)


class SQLiteSourceRecords(SourceRecords):
    """`SourceRecords` in the ``sources`` table (a mixin of `SQLiteBackend`)."""

    if TYPE_CHECKING:  # what it uses of `SQLiteBackend`
        _conn: sqlite3.Connection

        # declared as the backend defines them (generator context managers), so the two agree
        @contextlib.contextmanager
        def _errors(self) -> Iterator[None]: ...
        @contextlib.contextmanager
        def _transaction(self) -> Iterator[None]: ...
        def _check_writable(self) -> None: ...
        def _load(self) -> Any: ...

    def _has_sources(self) -> bool:
        return (
            self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sources'").fetchone()
            is not None
        )

    def source_records(self, sources: Sequence[str] | None) -> dict[str, SourceRecord]:
        """See `SourceRecords.source_records`."""
        with self._errors():
            if not self._has_sources():
                return {}
            if sources is None:
                rows = self._conn.execute("SELECT source, content_hash, chunk_ids FROM sources").fetchall()
            else:
                rows = self._conn.execute(
                    "SELECT source, content_hash, chunk_ids FROM sources WHERE source IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(sources)),),
                ).fetchall()
        return {r[0]: SourceRecord(r[0], r[1], decode_ids(r[2])) for r in rows}

    def sources_under(self, prefix: str) -> list[str]:
        """See `SourceRecords.sources_under`: a range of the primary key (``substr`` compares exactly,
        where LIKE would read ``%`` and ``_`` in a path as wildcards)."""
        with self._errors():
            if not self._has_sources():
                return []
            rows = self._conn.execute(
                "SELECT source FROM sources WHERE substr(source, 1, ?) = ? ORDER BY source", (len(prefix), prefix)
            ).fetchall()
        return [r[0] for r in rows]

    def put_source_records(self, records: Sequence[SourceRecord]) -> None:
        """See `SourceRecords.put_source_records`."""
        self._check_writable()
        with self._errors(), self._transaction():
            self._conn.execute(_TABLE)
            self._conn.executemany(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)",
                [(r.source, r.content_hash, encode_ids(r.chunk_ids)) for r in records],
            )

    def drop_source_records(self, sources: Sequence[str]) -> None:
        """See `SourceRecords.drop_source_records`."""
        self._check_writable()
        with self._errors(), self._transaction():
            if self._has_sources():
                self._conn.execute(
                    "DELETE FROM sources WHERE source IN (SELECT value FROM json_each(?))", (json.dumps(list(sources)),)
                )

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """See `SourceRecords.atomic`."""
        self._check_writable()
        try:
            with self._errors(), self._transaction():
                yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._load()  # rolled back: what the inner writes put in the caches is gone from the file
            raise
