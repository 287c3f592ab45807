"""Source records of the PostgreSQL backend (`doclinks.store.source_records`): a
``<collection>_sources`` table, made by the first write of a record.

`atomic` is one transaction holding the collection's write lock; the backend's own writes inside it
become savepoints of it (psycopg nests ``transaction()`` blocks), so all of them commit together or
none does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from psycopg import sql

from ..source_records import SourceRecord, SourceRecords, decode_ids, encode_ids

__all__ = ["PostgresSourceRecords"]


class PostgresSourceRecords(SourceRecords):
    """`SourceRecords` in the ``<collection>_sources`` table (a mixin of `PostgresBackend`)."""

    if TYPE_CHECKING:  # what it uses of `PostgresBackend`
        _conn: Any
        _dim: int | None
        pg: Any

        # declared as the backend defines it (a generator context manager), so the two agree
        @contextlib.contextmanager
        def _errors(self) -> Iterator[None]: ...
        def _lock_collection(self) -> None: ...
        def _read_dimension(self) -> int | None: ...

    def _sources_table(self) -> sql.Identifier:
        return sql.Identifier(f"{self.pg.collection}_sources")

    def _has_sources(self) -> bool:
        return (
            self._conn.execute("SELECT to_regclass(%s)", (f"{self.pg.collection}_sources",)).fetchone()[0] is not None
        )

    def _sources_sql(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(sources=self._sources_table())

    def source_records(self, sources: Sequence[str] | None) -> dict[str, SourceRecord]:
        """See `SourceRecords.source_records`."""
        with self._errors():
            if not self._has_sources():
                return {}
            if sources is None:
                rows = self._conn.execute(
                    self._sources_sql("SELECT source, content_hash, chunk_ids FROM {sources}")
                ).fetchall()
            else:
                rows = self._conn.execute(
                    self._sources_sql(
                        "SELECT source, content_hash, chunk_ids FROM {sources} WHERE source = ANY(%s::text[])"
                    ),
                    [list(sources)],
                ).fetchall()
        return {r[0]: SourceRecord(r[0], r[1], decode_ids(r[2])) for r in rows}

    def sources_under(self, prefix: str) -> list[str]:
        """See `SourceRecords.sources_under` (``left`` compares exactly; LIKE would read ``%`` and ``_``)."""
        with self._errors():
            if not self._has_sources():
                return []
            rows = self._conn.execute(
                self._sources_sql(
                    'SELECT source FROM {sources} WHERE left(source, %s) = %s ORDER BY source COLLATE "C"'
                ),
                (len(prefix), prefix),
            ).fetchall()
        return [r[0] for r in rows]

    def put_source_records(self, records: Sequence[SourceRecord]) -> None:
        """See `SourceRecords.put_source_records`."""
        with self._errors(), self._conn.transaction():
            self._conn.execute(
                self._sources_sql(
                    "CREATE TABLE IF NOT EXISTS {sources} (source text PRIMARY KEY, content_hash text NOT NULL, chunk_ids text NOT NULL)"
                )
            )
            with self._conn.cursor() as cur:
                cur.executemany(
                    self._sources_sql("INSERT INTO {sources} VALUES (%s, %s, %s) ON CONFLICT (source) DO UPDATE SET "
                                      "content_hash = EXCLUDED.content_hash, chunk_ids = EXCLUDED.chunk_ids"),
                    [(r.source, r.content_hash, encode_ids(r.chunk_ids)) for r in records],
                )  # fmt: skip

    def drop_source_records(self, sources: Sequence[str]) -> None:
        """See `SourceRecords.drop_source_records`."""
        with self._errors(), self._conn.transaction():
            if self._has_sources():
                self._conn.execute(
                    self._sources_sql("DELETE FROM {sources} WHERE source = ANY(%s::text[])"), [list(sources)]
                )

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """See `SourceRecords.atomic`."""
        try:
            with self._errors(), self._conn.transaction():
                self._lock_collection()
                yield
        except BaseException:
            with contextlib.suppress(Exception):
                self._dim = self._read_dimension()  # rolled back: tables made inside it are gone again
            raise
