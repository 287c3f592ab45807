"""The PostgreSQL store's tables (`PostgresSchema`, a part of `PostgresBackend`): made by the first write,
when the vector dimension is known, with the HNSW index unless a bulk load builds it at its end."""

from __future__ import annotations

from .bulk import BulkLoad
from .connection import sql

__all__ = ["PostgresSchema"]


class PostgresSchema(BulkLoad):
    """The tables of `PostgresBackend` (a part: a table made outside a bulk load gets its HNSW index)."""

    def _create_tables(self, dim: int) -> None:
        c = self._conn
        c.execute(self._q("CREATE TABLE IF NOT EXISTS {meta} (key text PRIMARY KEY, value text NOT NULL)"))
        c.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {chunks} (key bigserial PRIMARY KEY, id text NOT NULL UNIQUE, "
                "content text NOT NULL, metadata text NOT NULL, links text NOT NULL, "
                "embedding vector({dim}) NOT NULL)"
            ).format(chunks=self._t["chunks"], dim=sql.Literal(dim))
        )
        if not self._bulk and not self._bulk_load_elsewhere():
            c.execute(self._index_sql())
        c.execute(
            self._q(
                "CREATE TABLE IF NOT EXISTS {tags} (tag_id bigserial PRIMARY KEY, kind text NOT NULL, "
                "tag text NOT NULL, in_degree integer NOT NULL DEFAULT 0, UNIQUE (kind, tag))"
            )
        )
        c.execute(
            self._q(
                "CREATE TABLE IF NOT EXISTS {out_links} (chunk bigint NOT NULL, tag_id bigint NOT NULL, "
                "PRIMARY KEY (chunk, tag_id))"
            )
        )
        c.execute(
            self._q(
                "CREATE TABLE IF NOT EXISTS {in_links} (tag_id bigint NOT NULL, chunk bigint NOT NULL, "
                "PRIMARY KEY (tag_id, chunk))"
            )
        )
        c.execute(
            self._q(
                "CREATE TABLE IF NOT EXISTS {chunk_meta} (key text NOT NULL, value text NOT NULL, "
                "chunk bigint NOT NULL, PRIMARY KEY (key, value, chunk))"
            )
        )
        for table in ("in_links", "chunk_meta"):  # deleting a chunk finds its rows by chunk
            c.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {name} ON {t} (chunk)").format(
                    name=sql.Identifier(f"{self.pg.collection}_{table}_chunk"), t=self._t[table]
                )
            )
        c.execute(
            self._q("INSERT INTO {meta} VALUES ('dimension', %s), ('count', '0') ON CONFLICT DO NOTHING"), (str(dim),)
        )
