"""Bulk loads into PostgreSQL (`BulkLoad`, a part of `PostgresBackend`): the HNSW index dropped for the
load and built once at its end, under a session-wide advisory lock that tells other stores a load runs."""

from __future__ import annotations

import warnings

from .connection import sql
from .parts import PostgresParts

__all__ = ["BulkLoad"]


class BulkLoad(PostgresParts):
    """The bulk-load lock and the HNSW index of `PostgresBackend` (a part)."""

    def _bulk_key(self) -> str:
        return f"doclinks-bulk:{self.pg.collection}"

    def _index_sql(self) -> sql.Composed:
        return sql.SQL(
            "CREATE INDEX IF NOT EXISTS {i} ON {chunks} USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = {m}, ef_construction = {ef})").format(
                i=sql.Identifier(f"{self.pg.collection}_chunks_hnsw"), chunks=self._t["chunks"],
                m=sql.Literal(self.pg.hnsw_m), ef=sql.Literal(self.pg.hnsw_ef_construction))  # fmt: skip

    def _bulk_load_elsewhere(self) -> bool:
        """Whether another session holds the collection's bulk lock: a bulk load (e.g. the driver of a
        distributed ingest, whose workers write) that builds the HNSW index at its end."""
        key = self._bulk_key()
        if self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()[0]:
            self._conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
            return False
        return True

    def _restore_index(self) -> None:
        """Rebuild the HNSW index when a `bulk_ingest` was interrupted before rebuilding it (its process
        killed): no bulk load holds the collection's bulk lock, yet the index is missing."""
        name = f"{self.pg.collection}_chunks_hnsw"
        if self._conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None:
            return
        if not self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self._bulk_key(),)).fetchone()[0]:
            return  # a bulk load is running in another session: it builds the index at its end
        try:
            warnings.warn(
                f"{self!r}: the HNSW index was missing (an interrupted bulk_ingest); rebuilding it",
                RuntimeWarning,
                stacklevel=4,  # the caller of PostgresGraphStore(...)
            )
            self._conn.execute(self._index_sql())
        finally:
            self._conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self._bulk_key(),))

    def begin_bulk(self) -> None:
        """Start a bulk load (`PostgresGraphStore.bulk_ingest`): take the collection's bulk lock, for
        the whole load, and drop the HNSW index."""
        self._bulk = True  # tables created during the load get no index yet
        with self._errors():
            # Held for the whole load (released by the server if this process dies), so that a store
            # opened meanwhile does not rebuild the index, and one opened after a crash does.
            self._conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (self._bulk_key(),))
            if self._dim is not None:
                self._conn.execute(
                    sql.SQL("DROP INDEX IF EXISTS {i}").format(i=sql.Identifier(f"{self.pg.collection}_chunks_hnsw"))
                )

    def end_bulk(self) -> None:
        """End a bulk load: build the HNSW index and release the bulk lock (nothing to do once closed)."""
        self._bulk = False
        if self._conn.closed:
            return
        with self._errors():
            if self._dim is None:  # the tables may have been made by other sessions during the load
                self._dim = self._read_dimension()
            if self._dim is not None:
                self._conn.execute(self._index_sql())
            self._conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self._bulk_key(),))
