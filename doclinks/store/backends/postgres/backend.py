"""`PostgresBackend`: the connection (made again after it was lost), errors and table names; its tables,
bulk loads, reads and writes are its parts (`schema`, `bulk`, `reads`, `writes`)."""

from __future__ import annotations

import contextlib

from ..base import Backend
from ..postgres_sources import PostgresSourceRecords
from .connection import PostgresSettings, connect, redacted, sql
from .reads import PostgresReads
from .writes import PostgresWrites

__all__ = ["PostgresBackend"]


class PostgresBackend(PostgresSourceRecords, PostgresReads, PostgresWrites, Backend):
    """Chunks in PostgreSQL tables (see the module docstring, and `Backend` for each method).

    Args:
        dsn: libpq connection string or URI.
        postgres: `PostgresSettings` (default `PostgresSettings()`).
    """

    def __init__(self, dsn: str, postgres: PostgresSettings | None = None) -> None:
        if not isinstance(dsn, str):
            raise TypeError(f"dsn must be a str, got {type(dsn).__name__}")
        self.pg = postgres or PostgresSettings()
        self._where = redacted(dsn)
        self._dsn = dsn
        self._conn = self._connect()
        p = self.pg.collection
        self._t = {
            name: sql.Identifier(f"{p}_{name}")
            for name in ("chunks", "tags", "out_links", "in_links", "chunk_meta", "meta")
        }
        self._dim: int | None = None
        self._bulk = False
        with self._errors():
            self._dim = self._read_dimension()
            if self._dim is not None:
                self._restore_index()

    def __repr__(self) -> str:
        return f"PostgresBackend({self._where!r}, collection={self.pg.collection!r})"

    def _connect(self):
        """A new connection, with pgvector's types registered."""
        return connect(self._dsn, self.pg, self._where)

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        """See `Backend.close`."""
        self._conn.close()

    def refresh(self) -> None:
        """See `Backend.refresh`: reconnect after a lost connection; notice tables another client made."""
        if self._conn.closed or self._conn.broken:  # the server restarted, or the network failed: reconnect
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = self._connect()
        if self._dim is None:  # another client may have created the tables since
            with self._errors():
                self._dim = self._read_dimension()
