"""`SQLiteBackend`: opening the file (refusing what is not this store), transactions and errors; its
reads, writes and change log are its parts (`reads`, `writes`, `changes`)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from urllib.request import pathname2url

from ...errors import StoreConnectionError, StoreError
from ...vector_cache import VectorCache
from ..base import Backend
from ..sqlite_sources import SQLiteSourceRecords
from .reads import SQLiteReads
from .schema import SCHEMA, SCHEMA_VERSION, SQLiteSettings, check_schema
from .writes import SQLiteWrites

__all__ = ["SQLiteBackend"]


class SQLiteBackend(SQLiteSourceRecords, SQLiteReads, SQLiteWrites, Backend):
    """Chunks in one SQLite file (see the package docstring, and `Backend` for each method).

    Args:
        path: the database file (see `SQLiteGraphStore`).
        settings: connection settings (default `SQLiteSettings()`).
    """

    def __init__(self, path: str | os.PathLike, settings: SQLiteSettings | None = None) -> None:
        self.path = Path(path)
        self.settings = settings or SQLiteSettings()
        if not self.path.parent.is_dir():
            raise StoreConnectionError(f"cannot open SQLite store {str(self.path)!r}: folder does not exist")
        if self.settings.read_only and not self.path.is_file():
            raise StoreConnectionError(f"cannot open SQLite store {str(self.path)!r} read-only: no such file")
        try:
            # Read-only: mode=rw never creates the file, and query_only refuses writes; mode=ro would
            # leave the WAL files behind when the connection closes.
            where = (
                f"file:{pathname2url(str(self.path.resolve()))}?mode=rw" if self.settings.read_only else str(self.path)
            )
            self._conn = sqlite3.connect(
                where,
                uri=self.settings.read_only,
                timeout=self.settings.busy_timeout_s,
                isolation_level=None,  # autocommit; writes use explicit BEGIN IMMEDIATE
                check_same_thread=False,  # the store's lock serialises use across threads
            )
            if self.settings.read_only:
                self._conn.execute("PRAGMA query_only = ON")
            # Read first: a foreign database is refused before anything (even its journal mode) changes,
            # and an existing store opens with reads only, so opening never waits for a writer's lock.
            exists = check_schema(self._conn, self.path)
            if self.settings.read_only and not exists:
                raise StoreError(f"{str(self.path)!r} holds no doclinks store (an empty database)")
            if not self.settings.read_only:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(f"PRAGMA synchronous={self.settings.synchronous.upper()}")
            if not exists:
                with self._transaction():
                    if not check_schema(self._conn, self.path):
                        for statement in SCHEMA.split(";"):
                            if statement.strip():
                                self._conn.execute(statement)
                        self._conn.execute("INSERT INTO doclinks_meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except StoreError:
            with contextlib.suppress(Exception):
                self._conn.close()
            raise
        except sqlite3.Error as exc:
            with contextlib.suppress(Exception):
                self._conn.close()
            raise StoreConnectionError(f"cannot open SQLite store {str(self.path)!r}: {exc}") from exc
        self._cache: VectorCache | None = None
        self._dim: int | None = None
        self._data_version: int | None = None
        self._seen_change: int | None = None  # newest change-log row reflected in the cache
        self._tag_ids: dict[tuple[str, str], int] = {}

    def __repr__(self) -> str:
        return f"SQLiteBackend({str(self.path)!r})"

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        """See `Backend.close`."""
        self._conn.close()
        self._cache = None
