"""What the parts of `SQLiteBackend` share: the state its constructor sets (declared here, for readers
and type checkers), errors and transactions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ...errors import StoreConnectionError
from ...vector_cache import VectorCache
from .schema import SQLiteSettings

__all__ = ["SQLiteParts"]


class SQLiteParts:
    """The base of `SQLiteBackend`'s parts (`ChangeLog`, `SQLiteReads`, `SQLiteWrites`)."""

    path: Path
    settings: SQLiteSettings
    _conn: sqlite3.Connection
    _cache: VectorCache | None
    _dim: int | None
    _data_version: int | None
    _seen_change: int | None  # newest change-log row reflected in the cache
    _tag_ids: dict[tuple[str, str], int]

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn database failures into StoreConnectionError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreConnectionError(f"SQLite store {str(self.path)!r}: {exc}") from exc

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction; rolled back on any exception (KeyboardInterrupt too). Inside another
        (`SQLiteSourceRecords.atomic`) it joins it: the outer one commits or rolls back."""
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
