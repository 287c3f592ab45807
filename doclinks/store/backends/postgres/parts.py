"""What the parts of `PostgresBackend` share: the state its constructor sets (declared here, for readers
and type checkers), errors, table names, and the stored dimension."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ...errors import StoreConnectionError
from .connection import PostgresSettings, psycopg, sql

__all__ = ["PostgresParts"]


class PostgresParts:
    """The base of `PostgresBackend`'s parts (`BulkLoad`, `PostgresSchema`, `PostgresReads`, `PostgresWrites`)."""

    pg: PostgresSettings
    _where: str  # the server, without the password (for messages)
    _dsn: str
    _conn: Any  # a psycopg connection, autocommit, with pgvector's types registered
    _t: dict[str, sql.Identifier]  # table names: chunks, tags, out_links, in_links, chunk_meta, meta
    _dim: int | None  # None: no tables yet
    _bulk: bool  # in a bulk load: tables made now get no HNSW index

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            lost = self._conn.closed or self._conn.broken
            hint = " (the connection was lost; the next call reconnects)" if lost else ""
            raise StoreConnectionError(f"PostgreSQL store at {self._where}: {exc}{hint}") from exc

    def _q(self, text: str) -> sql.Composed:
        """SQL text with {chunks}, {tags}, ... replaced by this collection's table names."""
        return sql.SQL(text).format(**self._t)

    def _read_dimension(self) -> int | None:
        exists = self._conn.execute("SELECT to_regclass(%s)", (f"{self.pg.collection}_meta",)).fetchone()[0]
        if exists is None:
            return None
        row = self._conn.execute(self._q("SELECT value FROM {meta} WHERE key = 'dimension'")).fetchone()
        return None if row is None else int(row[0])
