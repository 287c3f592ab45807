"""The PostgreSQL backend's reads (`PostgresReads`, a part of `PostgresBackend`): searches by the HNSW
index (or an exact scan), link walks and lookups, each one statement."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ....document import Document
from ...filter_sql import POSTGRES, condition_sql
from ...filters import index_text
from ...ranking import Hit, Neighbours, exact_top_k
from ...records import StoredChunk, decode_document
from ..base import Tokens, documents_by_key
from .connection import Vector, sql
from .parts import PostgresParts

__all__ = ["PostgresReads"]


class PostgresReads(PostgresParts):
    """The reads of `PostgresBackend` (a mixin: it uses the backend's connection and table names; see
    `Backend` for each method)."""

    def _filter_sql(self, tokens: Tokens, column: str) -> tuple[sql.Composable, list]:
        if tokens is None:
            return sql.SQL(""), []
        where, params = condition_sql(tokens, column, "{m}", POSTGRES)
        return sql.SQL(" AND ") + sql.SQL(where).format(m=self._t["chunk_meta"]), params

    def dimension(self) -> int | None:
        """See `Backend.dimension`."""
        return self._dim

    def count(self) -> int:
        """See `Backend.count`."""
        if self._dim is None:
            return 0
        with self._errors():
            row = self._conn.execute(self._q("SELECT value FROM {meta} WHERE key = 'count'")).fetchone()
        return int(row[0]) if row else 0

    def search(self, query: np.ndarray, k: int, tokens: Tokens) -> list[Hit]:
        """See `Backend.search`: the HNSW index, unless `PostgresSettings.exact`."""
        if k == 0:
            return []
        where, params = self._filter_sql(tokens, "c.key")
        q = Vector(query)
        with self._errors(), self._conn.transaction():
            if self.pg.exact:
                rows = self._conn.execute(
                    self._q("SELECT c.key, c.id, 1 - (c.embedding <=> %b) AS sim FROM {chunks} c WHERE true ")
                    + where
                    + sql.SQL(" ORDER BY sim DESC, c.id LIMIT %s"),
                    [q, *params, k],
                ).fetchall()
                return [Hit(r[0], r[1], float(r[2])) for r in rows]
            # Over-fetch a little, then sort by (similarity, id) here: the index orders by
            # distance only, and equal distances must still break by id.
            limit = k + 16
            self._conn.execute(
                "SELECT set_config('hnsw.ef_search', %s, true)", (str(min(1000, max(self.pg.ef_search, limit))),)
            )
            self._conn.execute("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)")
            rows = self._conn.execute(
                self._q("SELECT c.key, c.id, 1 - (c.embedding <=> %b) FROM {chunks} c WHERE true ")
                + where
                + sql.SQL(" ORDER BY c.embedding <=> %b LIMIT %s"),
                [q, *params, q, limit],
            ).fetchall()
        sims = np.array([r[2] for r in rows], dtype=np.float64)
        return exact_top_k(sims, [r[0] for r in rows], [r[1] for r in rows], k)

    def expand(
        self, keys: Sequence[int], query: np.ndarray, tokens: Tokens, max_degree: int, seen: set[int]
    ) -> Neighbours:
        """See `Backend.expand`."""
        where, params = self._filter_sql(tokens, "c.key")
        query_sql = (
            self._q(
                "WITH shared AS ("
                " SELECT DISTINCT i.chunk, t.tag_id, t.in_degree FROM {out_links} o"
                " JOIN {tags} t ON t.tag_id = o.tag_id AND t.in_degree <= %s"
                " JOIN {in_links} i ON i.tag_id = o.tag_id"
                " WHERE o.chunk = ANY(%s::bigint[]) AND NOT (i.chunk = ANY(%s::bigint[]))),"
                " grouped AS (SELECT chunk, array_agg(in_degree) AS degrees FROM shared GROUP BY chunk)"
                " SELECT c.key, c.id, 1 - (c.embedding <=> %b), g.degrees FROM grouped g"
                " JOIN {chunks} c ON c.key = g.chunk WHERE true "
            )
            + where
        )
        with self._errors():
            rows = self._conn.execute(
                query_sql, [max_degree, list(keys), list(seen), Vector(query), *params]
            ).fetchall()
        if not rows:
            return Neighbours.empty()
        found = np.array([r[0] for r in rows], dtype=np.int64)
        index = np.repeat(np.arange(len(rows)), [len(r[3]) for r in rows])
        degree = np.array([d for r in rows for d in r[3]], dtype=np.int64)
        return Neighbours(found, [r[1] for r in rows], np.array([r[2] for r in rows], dtype=np.float64), index, degree)

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        """See `Backend.vectors`."""
        with self._errors(), self._conn.cursor(binary=True) as cur:
            rows = cur.execute(
                self._q("SELECT key, embedding FROM {chunks} WHERE key = ANY(%s::bigint[])"), [list(keys)]
            ).fetchall()
        by_key = dict(rows)
        return np.stack([by_key[k] for k in keys]) if keys else np.zeros((0, self._dim or 0), np.float32)

    def documents(self, keys: Sequence[int]) -> list[Document]:
        """See `Backend.documents`."""
        if not keys:
            return []
        with self._errors():
            rows = self._conn.execute(
                self._q("SELECT key, id, content, metadata, links FROM {chunks} WHERE key = ANY(%s::bigint[])"),
                [list(keys)],
            ).fetchall()
        by_key = {r[0]: decode_document(*r[1:]) for r in rows}
        return [by_key[k] for k in keys]

    def get(self, ids: Sequence[str]) -> dict[str, Document]:
        """See `Backend.get`."""
        if self._dim is None:
            return {}
        with self._errors():
            rows = self._conn.execute(
                self._q("SELECT id, content, metadata, links FROM {chunks} WHERE id = ANY(%s::text[])"), [list(ids)]
            ).fetchall()
        return {r[0]: decode_document(*r) for r in rows}

    def stored(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """See `Backend.stored`."""
        if self._dim is None:
            return {}
        with self._errors(), self._conn.cursor(binary=True) as cur:
            rows = cur.execute(
                self._q("SELECT id, content, metadata, links, embedding FROM {chunks} WHERE id = ANY(%s::text[])"),
                [list(ids)],
            ).fetchall()
        return {r[0]: StoredChunk(*r[1:]) for r in rows}

    def stored_ids(self, ids: Sequence[str]) -> set[str]:
        """See `Backend.stored_ids`."""
        if self._dim is None:
            return set()
        with self._errors():
            rows = self._conn.execute(self._q("SELECT id FROM {chunks} WHERE id = ANY(%s::text[])"), [list(ids)])
            return {r[0] for r in rows}

    def iter_documents(self, batch_size: int) -> Iterator[list[Document]]:
        """See `Backend.iter_documents`: by key, a sequence, which follows insertion."""

        def read(after: int, limit: int) -> list[tuple]:
            if self._dim is None:  # no table yet
                return []
            with self._errors():
                return self._conn.execute(
                    self._q(
                        "SELECT key, id, content, metadata, links FROM {chunks} WHERE key > %s ORDER BY key LIMIT %s"
                    ),
                    [after, limit],
                ).fetchall()

        return documents_by_key(read, batch_size)

    def key_bounds(self) -> tuple[int, int] | None:
        """The least and greatest chunk key (keys follow insertion, with gaps); None: no chunk stored.
        Ranges of keys split the store into parts that workers read in parallel (`documents_between`)."""
        if self._dim is None:
            return None
        with self._errors():
            row = self._conn.execute(self._q("SELECT min(key), max(key) FROM {chunks}")).fetchone()
        return None if row[0] is None else (int(row[0]), int(row[1]))

    def documents_between(self, first: int, last: int) -> list[tuple[int, Document]]:
        """(key, document) of every chunk with ``first <= key <= last``, by key."""
        if self._dim is None:
            return []
        with self._errors():
            rows = self._conn.execute(
                self._q("SELECT key, id, content, metadata, links FROM {chunks} WHERE key BETWEEN %s AND %s ORDER BY key"),
                [first, last]).fetchall()  # fmt: skip
        return [(r[0], decode_document(*r[1:])) for r in rows]

    def tag_degrees(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """See `Backend.tag_degrees`."""
        pairs = list(pairs)
        if self._dim is None or not pairs:
            return dict.fromkeys(pairs, 0)
        # Stored as indexes hold them (long kinds and tags by a digest, as `write` does).
        kinds, tags = [index_text(p[0]) for p in pairs], [index_text(p[1]) for p in pairs]
        with self._errors():
            rows = self._conn.execute(
                self._q(
                    "SELECT t.kind, t.tag, t.in_degree FROM {tags} t JOIN unnest(%s::text[], %s::text[]) "
                    "AS u(kind, tag) ON t.kind = u.kind AND t.tag = u.tag"
                ),
                [kinds, tags],
            ).fetchall()
        found = {(r[0], r[1]): r[2] for r in rows}
        return {p: found.get((k, t), 0) for p, k, t in zip(pairs, kinds, tags)}

    def get_setting(self, name: str) -> str | None:
        """See `Backend.get_setting`: a row of the collection's meta table (``setting:<name>``)."""
        if self._dim is None:
            return None
        with self._errors():
            row = self._conn.execute(
                self._q("SELECT value FROM {meta} WHERE key = %s"), (f"setting:{name}",)
            ).fetchone()
        return None if row is None else row[0]

    def chunk_tags(self, keys: Sequence[int], max_degree: int) -> list[tuple[int, str, str, int]]:
        """See `Backend.chunk_tags`."""
        if self._dim is None or not keys:
            return []
        with self._errors():
            return [tuple(r) for r in self._conn.execute(self._q(
                "SELECT o.chunk, t.kind, t.tag, t.in_degree FROM {out_links} o JOIN {tags} t ON t.tag_id = o.tag_id "
                "WHERE o.chunk = ANY(%s::bigint[]) AND t.in_degree <= %s ORDER BY o.chunk, t.tag_id"),
                [list(map(int, keys)), max_degree]).fetchall()]  # fmt: skip

    def tag_chunks(self, pairs: Sequence[tuple[str, str]], max_degree: int) -> list[tuple[int, str, str, int]]:
        """See `Backend.tag_chunks`."""
        pairs = list(pairs)
        if self._dim is None or not pairs:
            return []
        kinds, tags = [index_text(p[0]) for p in pairs], [index_text(p[1]) for p in pairs]
        with self._errors():
            return [tuple(r) for r in self._conn.execute(self._q(
                "SELECT i.chunk, t.kind, t.tag, t.in_degree FROM {tags} t "
                "JOIN unnest(%s::text[], %s::text[]) AS u(kind, tag) ON t.kind = u.kind AND t.tag = u.tag "
                "JOIN {in_links} i ON i.tag_id = t.tag_id WHERE t.in_degree <= %s ORDER BY t.tag_id, i.chunk"),
                [kinds, tags, max_degree]).fetchall()]  # fmt: skip

    def distinct_values(self, key: str, limit: int) -> list[str]:
        """See `Backend.distinct_values`: a range of the filter index."""
        if self._dim is None:
            return []
        query = self._q(
            'SELECT DISTINCT substr(value, 3) COLLATE "C" AS v FROM {chunk_meta} WHERE key = %s '
            "AND substr(value, 1, 2) = 's:' ORDER BY v LIMIT %s"
        )
        with self._errors():
            return [r[0] for r in self._conn.execute(query, (key, limit))]

    def tags(self) -> list[tuple[str, str]]:
        """See `Backend.tags`: the tag table (a tag no chunk carries any more may stay listed)."""
        if self._dim is None:
            return []
        with self._errors():
            return [(r[0], r[1]) for r in self._conn.execute(self._q("SELECT kind, tag FROM {tags} ORDER BY tag_id"))]

    def tag_count(self) -> int:
        """See `Backend.tag_count`: tags with an incoming side (their degree), or an outgoing one."""
        if self._dim is None:
            return 0
        with self._errors():
            return self._conn.execute(
                self._q("SELECT count(*) FROM {tags} WHERE in_degree > 0 OR tag_id IN (SELECT tag_id FROM {out_links})")
            ).fetchone()[0]

    def documents_with_tags(self, pairs: Sequence[tuple[str, str]]) -> list[Document]:
        """See `Backend.documents_with_tags`: through the link tables."""
        pairs = list(pairs)
        if self._dim is None or not pairs:
            return []
        kinds, tags = [index_text(p[0]) for p in pairs], [index_text(p[1]) for p in pairs]
        wanted = ("(SELECT t.tag_id FROM {tags} t JOIN unnest(%s::text[], %s::text[]) AS u(kind, tag) "
                  "ON t.kind = u.kind AND t.tag = u.tag)")  # fmt: skip
        with self._errors():
            query = ("SELECT id, content, metadata, links FROM {chunks} WHERE key IN (SELECT chunk FROM {in_links} "
                     "WHERE tag_id IN " + wanted + " UNION SELECT chunk FROM {out_links} WHERE tag_id IN " + wanted
                     + ") ORDER BY key")  # fmt: skip
            rows = self._conn.execute(self._q(query), [kinds, tags, kinds, tags]).fetchall()
        return [decode_document(*r) for r in rows]
