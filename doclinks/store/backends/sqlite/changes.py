"""The SQLite backend's vector matrix kept in step with the file: the change log that writers keep, and
the loads that apply another process's commits (`ChangeLog`, a part of `SQLiteBackend`)."""

from __future__ import annotations

import json
import sqlite3

import numpy as np

from ...vector_cache import VectorCache
from .parts import SQLiteParts
from .schema import IN

__all__ = ["ChangeLog", "CHANGE_LOG_ROWS"]


# Writers log the keys they write or delete here, so that another process's store loads only what
# changed (not the whole vector matrix) after a commit. Created by the first write of a store that lacks
# it (older files), pruned to the last CHANGE_LOG_ROWS rows; a reader that fell behind reloads fully.
CHANGES = "CREATE TABLE IF NOT EXISTS chunk_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, key INTEGER NOT NULL)"
CHANGE_LOG_ROWS = 100_000


class ChangeLog(SQLiteParts):
    """The change log and the loads of `SQLiteBackend` (a mixin: it uses the backend's connection,
    cache and dimension)."""

    def refresh(self) -> None:
        """See `Backend.refresh`: apply another process's commits to the vector matrix."""
        with self._errors():
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._data_version:
                if not self._load_changes():
                    self._load()
                self._data_version = version

    def _log_changes(self, keys: list[int]) -> int | None:
        """In a write transaction: log the keys written or deleted and prune the log. Returns the new
        newest sequence number when this store had seen every earlier change (its cache stays current
        once the write commits), else None."""
        c = self._conn
        c.execute(CHANGES)
        before = c.execute("SELECT COALESCE(MAX(seq), 0) FROM chunk_changes").fetchone()[0]
        c.executemany("INSERT INTO chunk_changes (key) VALUES (?)", [(k,) for k in keys])
        c.execute("DELETE FROM chunk_changes WHERE seq <= (SELECT MAX(seq) FROM chunk_changes) - ?", (CHANGE_LOG_ROWS,))
        after = c.execute("SELECT MAX(seq) FROM chunk_changes").fetchone()[0]
        return after if before == (self._seen_change or 0) else None

    def _last_change(self) -> int | None:
        """The newest sequence number of the change log (None: no log in this file)."""
        try:
            return self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM chunk_changes").fetchone()[0]
        except sqlite3.OperationalError:  # an older file: no log yet
            return None

    def _load_changes(self) -> bool:
        """Apply another process's commits from the change log; False when only a full load can
        (no cache or log yet, or the log was pruned past what this store has seen)."""
        if self._cache is None or self._seen_change is None:
            return False
        try:
            first = self._conn.execute("SELECT MIN(seq) FROM chunk_changes").fetchone()[0]
            rows = self._conn.execute(
                "SELECT seq, key FROM chunk_changes WHERE seq > ?", (self._seen_change,)
            ).fetchall()
        except sqlite3.OperationalError:
            return False
        if first is not None and first > self._seen_change + 1:
            return False
        self._tag_ids.clear()
        if not rows:
            return True
        keys = sorted({r[1] for r in rows})
        found = self._conn.execute(
            f"SELECT key, id, vector FROM chunks WHERE key IN {IN}", (json.dumps(keys),)
        ).fetchall()
        present = {r[0] for r in found}
        self._cache.remove([k for k in keys if k not in present])
        if found:
            matrix = np.frombuffer(b"".join(r[2] for r in found), dtype=np.float32).reshape(
                len(found), self._cache.dimension
            )
            self._cache.set([r[0] for r in found], [r[1] for r in found], matrix)
        self._seen_change = max(r[0] for r in rows)
        return True

    def _load(self) -> None:
        """(Re)build the vector matrix from the file."""
        self._seen_change = self._last_change()  # before the rows: a change between is applied again later
        row = self._conn.execute("SELECT value FROM doclinks_meta WHERE key='dimension'").fetchone()
        self._tag_ids.clear()
        if row is None:
            self._dim, self._cache = None, None
            return
        self._dim = int(row[0])
        rows = self._conn.execute("SELECT key, id, vector FROM chunks ORDER BY key").fetchall()
        cache = VectorCache(self._dim, capacity=(rows[-1][0] + 1) if rows else 1024)
        if rows:
            keys = [r[0] for r in rows]
            matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), self._dim)
            cache.set(keys, [r[1] for r in rows], matrix)
        self._cache = cache
