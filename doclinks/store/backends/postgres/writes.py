"""The PostgreSQL backend's writes (`PostgresWrites`, a part of `PostgresBackend`): each one transaction
under the collection's advisory lock, its rows sent as arrays (``unnest``), never one statement a row."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import StoreError, UnknownIdError
from ...filters import index_text
from ...records import ChunkRecord
from ..table_rows import check_dimension, check_missing, link_rows
from .connection import Vector, sql
from .schema import PostgresSchema

__all__ = ["PostgresWrites"]


class PostgresWrites(PostgresSchema):
    """The writes of `PostgresBackend` (a mixin: it uses the backend's connection, table names and
    schema; see `Backend` for each method)."""

    def set_setting(self, name: str, value: str) -> None:
        """See `Backend.set_setting`."""
        if self._dim is None:
            raise StoreError("set_setting: the store holds no chunks yet")
        with self._errors(), self._conn.transaction():
            self._conn.execute(self._q("INSERT INTO {meta} VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = "
                                       "EXCLUDED.value"), (f"setting:{name}", value))  # fmt: skip

    def _lock_collection(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"doclinks:{self.pg.collection}",))

    def _unlink(self, keys: list[int]) -> set[int]:
        c = self._conn
        touched = {
            r[0] for r in c.execute(self._q("SELECT tag_id FROM {in_links} WHERE chunk = ANY(%s::bigint[])"), [keys])
        }
        for table in ("out_links", "in_links", "chunk_meta"):
            c.execute(sql.SQL("DELETE FROM {t} WHERE chunk = ANY(%s::bigint[])").format(t=self._t[table]), [keys])
        return touched

    def _finish(self, touched: set[int]) -> None:
        c = self._conn
        if touched:
            c.execute(
                self._q(
                    "UPDATE {tags} t SET in_degree = (SELECT count(*) FROM {in_links} i WHERE i.tag_id = t.tag_id)"
                    " WHERE t.tag_id = ANY(%s::bigint[])"
                ),
                [sorted(touched)],
            )
        c.execute(self._q("UPDATE {meta} SET value = (SELECT count(*) FROM {chunks})::text WHERE key = 'count'"))

    def write(self, records: list[ChunkRecord]) -> None:
        """See `Backend.write`."""
        for r in records:
            if "\x00" in r.content or "\x00" in r.metadata_json or "\x00" in r.links_json:
                raise ValueError(f"document {r.id!r}: PostgreSQL text cannot contain NUL (\\x00) characters")
        if "\x00" in "".join(r.id for r in records):
            raise ValueError("PostgreSQL text cannot contain NUL (\\x00) characters: found one in an id")
        vectors = [r.written_vector() for r in records]
        dim = vectors[0].shape[0]
        ids = [r.id for r in records]
        with self._errors(), self._conn.transaction():
            c = self._conn
            self._lock_collection()
            stored = self._read_dimension()  # again, under the lock: another client may have written first
            if stored is None:
                self._create_tables(dim)
            check_dimension(dim, stored)
            existing = dict(
                c.execute(self._q("SELECT id, key FROM {chunks} WHERE id = ANY(%s::text[])"), [ids]).fetchall()
            )
            touched = self._unlink(list(existing.values())) if existing else set()
            with c.cursor() as cur:
                cur.executemany(
                    self._q(
                        "INSERT INTO {chunks} (id, content, metadata, links, embedding) VALUES (%s, %s, %s, %s, %b) "
                        "ON CONFLICT (id) DO UPDATE SET content = excluded.content, metadata = excluded.metadata, "
                        "links = excluded.links, embedding = excluded.embedding"
                    ),
                    [(r.id, r.content, r.metadata_json, r.links_json, Vector(v)) for r, v in zip(records, vectors)],
                )
            keys = dict(c.execute(self._q("SELECT id, key FROM {chunks} WHERE id = ANY(%s::text[])"), [ids]).fetchall())
            rows = link_rows(records, keys, self._ensure_tags(records).__getitem__)
            touched |= rows.in_tag_ids()
            c.execute(
                self._q("INSERT INTO {out_links} SELECT * FROM unnest(%s::bigint[], %s::bigint[])"),
                _columns(rows.out_rows, 2),
            )
            c.execute(
                self._q("INSERT INTO {in_links} SELECT * FROM unnest(%s::bigint[], %s::bigint[])"),
                _columns(rows.in_rows, 2),
            )
            c.execute(
                self._q("INSERT INTO {chunk_meta} SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[])"),
                _columns(rows.meta_rows, 3),
            )
            self._finish(touched)
        self._dim = dim

    def _ensure_tags(self, records: list[ChunkRecord]) -> dict[tuple[str, str], int]:
        """The tag ids of every ``(kind, tag)`` the records carry, the missing tags inserted first. Long
        kinds and tags are indexed by a digest (a btree entry holds at most ~2.7 KB)."""
        all_tags = sorted({t for r in records for t in r.out_tags | r.in_tags})
        if not all_tags:
            return {}
        c = self._conn
        kinds, tags = [index_text(t[0]) for t in all_tags], [index_text(t[1]) for t in all_tags]
        c.execute(
            self._q(
                "INSERT INTO {tags} (kind, tag) SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING"
            ),
            [kinds, tags],
        )
        rows = c.execute(
            self._q(
                "SELECT t.tag_id, t.kind, t.tag FROM {tags} t JOIN unnest(%s::text[], %s::text[]) "
                "AS u(kind, tag) ON t.kind = u.kind AND t.tag = u.tag"
            ),
            [kinds, tags],
        ).fetchall()
        by_index = {(r[1], r[2]): r[0] for r in rows}
        return {t: by_index[(k, g)] for t, k, g in zip(all_tags, kinds, tags)}

    def delete(self, ids: Sequence[str], missing: str) -> int:
        """See `Backend.delete`."""
        ids = list(ids)
        if self._dim is None:
            if missing == "raise":
                raise UnknownIdError(ids)
            return 0
        with self._errors(), self._conn.transaction():
            c = self._conn
            self._lock_collection()
            existing = dict(
                c.execute(self._q("SELECT id, key FROM {chunks} WHERE id = ANY(%s::text[])"), [ids]).fetchall()
            )
            keys = check_missing(ids, existing, missing)
            if keys:
                touched = self._unlink(keys)
                c.execute(self._q("DELETE FROM {chunks} WHERE key = ANY(%s::bigint[])"), [keys])
                self._finish(touched)
        return len(keys)


def _columns(rows: list[tuple], width: int) -> list[list]:
    """`rows` as `width` column lists, the arrays an ``unnest`` insert takes."""
    return [list(column) for column in zip(*rows)] if rows else [[] for _ in range(width)]
