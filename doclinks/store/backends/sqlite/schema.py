"""The SQLite store's tables, its connection settings, and the check that a file holds this store."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ...errors import StoreError

__all__ = ["SCHEMA_VERSION", "SCHEMA", "IN", "SQLiteSettings", "check_schema"]

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS doclinks_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    content TEXT NOT NULL,
    metadata TEXT NOT NULL,
    links TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (
    tag_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    tag TEXT NOT NULL,
    in_degree INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, tag)
);
CREATE TABLE IF NOT EXISTS out_links (
    chunk INTEGER NOT NULL, tag_id INTEGER NOT NULL, PRIMARY KEY (chunk, tag_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS in_links (
    tag_id INTEGER NOT NULL, chunk INTEGER NOT NULL, PRIMARY KEY (tag_id, chunk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS in_links_chunk ON in_links (chunk);
CREATE TABLE IF NOT EXISTS chunk_meta (
    key TEXT NOT NULL, value TEXT NOT NULL, chunk INTEGER NOT NULL,
    PRIMARY KEY (key, value, chunk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS chunk_meta_chunk ON chunk_meta (chunk);
"""

# Sets of keys or ids go to SQL as one JSON array parameter, expanded by json_each:
# no statement is ever built from data, and no variable-count limit applies.
IN = "(SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class SQLiteSettings:
    """Connection settings of `SQLiteGraphStore`.

    Args:
        busy_timeout_s: seconds to wait for another process's write lock (default 10.0).
        synchronous: SQLite ``synchronous`` pragma (default ``"NORMAL"``: in WAL mode
            a crash of the process never loses a committed write; an OS crash may lose
            the last ones, never corrupt the file). ``"FULL"`` for more.
        read_only: open an existing store for reading only (default False): the file must
            exist and hold a doclinks store, nothing in it is ever changed, and writes raise
            `StoreError`.
    """

    busy_timeout_s: float = 10.0
    synchronous: str = "NORMAL"
    read_only: bool = False

    def __post_init__(self) -> None:
        if self.synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, got {self.synchronous!r}")
        if not self.busy_timeout_s >= 0:
            raise ValueError(f"busy_timeout_s must be >= 0, got {self.busy_timeout_s}")


def check_schema(conn: sqlite3.Connection, path: Path) -> bool:
    """True when the file at `path` holds this store's tables at this schema version; False when it
    holds no table at all (a new store). A file with other tables, or another schema version, is a
    StoreError: doclinks never adds its tables to someone else's database."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return False
    if "doclinks_meta" not in tables:
        shown = ", ".join(sorted(tables)[:5])
        raise StoreError(
            f"{str(path)!r} is a SQLite database that is not a doclinks store (it holds the tables {shown}); "
            "choose another file"
        )
    row = conn.execute("SELECT value FROM doclinks_meta WHERE key='schema'").fetchone()
    if row is None:
        raise StoreError(f"{str(path)!r} has a doclinks_meta table without a schema version")
    if row[0] != SCHEMA_VERSION:
        raise StoreError(f"{str(path)!r} holds schema version {row[0]}, this doclinks reads {SCHEMA_VERSION}")
    return True
