"""The SQLite backend's reads (`SQLiteReads`, a part of `SQLiteBackend`): searches over the vector
matrix, link walks and lookups through the tables, each statement reading the last commit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ....document import Document
from ...filter_sql import SQLITE, condition_sql
from ...ranking import Neighbours
from ...records import StoredChunk, decode_document
from ...vector_cache import CachedSearch
from ..base import Tokens, documents_by_key
from .parts import SQLiteParts
from .schema import IN

__all__ = ["SQLiteReads"]


class SQLiteReads(CachedSearch, SQLiteParts):
    """The reads of `SQLiteBackend` (a mixin: it uses the backend's connection and vector matrix; see
    `Backend` for each method)."""

    def dimension(self) -> int | None:
        """See `Backend.dimension`."""
        return self._dim

    def count(self) -> int:
        """See `Backend.count`."""
        return 0 if self._cache is None else self._cache.count

    def _matching(self, tokens: Tokens) -> list[int] | None:
        """Keys of the chunks that match the filter `tokens`; None for no filter."""
        if tokens is None:
            return None
        where, params = condition_sql(tokens, "key", "chunk_meta", SQLITE)
        sql = f"SELECT key FROM chunks WHERE {where}"
        with self._errors():
            return [r[0] for r in self._conn.execute(sql, params)]

    def expand(
        self, keys: Sequence[int], query: np.ndarray, tokens: Tokens, max_degree: int, seen: set[int]
    ) -> Neighbours:
        """See `Backend.expand`."""
        sql = (
            "SELECT DISTINCT i.chunk, i.tag_id, t.in_degree FROM out_links o "
            "JOIN tags t ON t.tag_id = o.tag_id "
            "JOIN in_links i ON i.tag_id = o.tag_id "
            f"WHERE o.chunk IN {IN} AND t.in_degree <= ?"
        )
        params: list = [json.dumps(list(keys)), max_degree]
        if tokens is not None:
            where, more = condition_sql(tokens, "i.chunk", "chunk_meta", SQLITE)
            sql += " AND " + where
            params += more
        with self._errors():
            rows = self._conn.execute(sql, params).fetchall()
        if not rows:
            return Neighbours.empty()
        pairs = np.array(rows, dtype=np.int64)  # chunk, tag_id, degree
        pairs = self._in_snapshot(pairs)
        if seen:
            pairs = pairs[~np.isin(pairs[:, 0], np.fromiter(seen, dtype=np.int64, count=len(seen)))]
        if not len(pairs):
            return Neighbours.empty()
        found, index = np.unique(pairs[:, 0], return_inverse=True)
        cache = self._held_cache()
        return Neighbours(found, cache.id_view(found), cache.similarities(found, query), index, pairs[:, 2])

    def _in_snapshot(self, rows: np.ndarray) -> np.ndarray:
        """The `rows` (chunk key first) whose chunk the vector matrix holds. Each statement reads the last
        commit, which may be newer than the matrix `refresh` loaded when the operation began (another
        connection wrote since): its chunks wait for the next operation, which sees them whole."""
        if self._cache is None:
            return rows[:0]
        return rows[self._cache.held(rows[:, 0])]

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        """See `Backend.vectors`."""
        return self._held_cache().vectors(keys)

    def documents(self, keys: Sequence[int]) -> list[Document]:
        """See `Backend.documents`."""
        if not keys:
            return []
        with self._errors():
            rows = self._conn.execute(
                f"SELECT key, id, content, metadata, links FROM chunks WHERE key IN {IN}",
                (json.dumps(list(keys)),),
            ).fetchall()
        by_key = {r[0]: decode_document(*r[1:]) for r in rows}
        return [by_key[k] for k in keys]

    def get(self, ids: Sequence[str]) -> dict[str, Document]:
        """See `Backend.get`."""
        with self._errors():
            rows = self._conn.execute(
                f"SELECT id, content, metadata, links FROM chunks WHERE id IN {IN}", (json.dumps(list(ids)),)
            ).fetchall()
        return {r[0]: decode_document(*r) for r in rows}

    def stored(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """See `Backend.stored`."""
        with self._errors():
            rows = self._conn.execute(
                f"SELECT id, content, metadata, links, vector FROM chunks WHERE id IN {IN}",
                (json.dumps(list(ids)),),
            ).fetchall()
        return {r[0]: StoredChunk(r[1], r[2], r[3], np.frombuffer(r[4], dtype=np.float32)) for r in rows}

    def stored_ids(self, ids: Sequence[str]) -> set[str]:
        """See `Backend.stored_ids`."""
        with self._errors():
            return {
                r[0] for r in self._conn.execute(f"SELECT id FROM chunks WHERE id IN {IN}", (json.dumps(list(ids)),))
            }

    def iter_documents(self, batch_size: int) -> Iterator[list[Document]]:
        """See `Backend.iter_documents`: by key, the rowid, which follows insertion."""

        def read(after: int, limit: int) -> list[tuple]:
            with self._errors():
                return self._conn.execute(
                    "SELECT key, id, content, metadata, links FROM chunks WHERE key > ? ORDER BY key LIMIT ?",
                    (after, limit),
                ).fetchall()

        return documents_by_key(read, batch_size)

    def tag_degrees(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """See `Backend.tag_degrees`."""
        pairs = list(pairs)
        with self._errors():
            rows = self._conn.execute(
                "SELECT kind, tag, in_degree FROM tags WHERE (kind, tag) IN "
                "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
                (json.dumps(pairs),),
            ).fetchall()
        found = {(k, t): d for k, t, d in rows}
        return {p: found.get(p, 0) for p in pairs}

    def get_setting(self, name: str) -> str | None:
        """See `Backend.get_setting`: a row of ``doclinks_meta`` (``setting:<name>``)."""
        with self._errors():
            row = self._conn.execute("SELECT value FROM doclinks_meta WHERE key = ?", (f"setting:{name}",)).fetchone()
        return None if row is None else row[0]

    def chunk_tags(self, keys: Sequence[int], max_degree: int) -> list[tuple[int, str, str, int]]:
        """See `Backend.chunk_tags`."""
        with self._errors():
            return [tuple(r) for r in self._conn.execute(
                "SELECT o.chunk, t.kind, t.tag, t.in_degree FROM out_links o JOIN tags t ON t.tag_id = o.tag_id "
                f"WHERE o.chunk IN {IN} AND t.in_degree <= ? ORDER BY o.chunk, t.tag_id",
                (json.dumps(list(keys)), max_degree))]  # fmt: skip

    def tag_chunks(self, pairs: Sequence[tuple[str, str]], max_degree: int) -> list[tuple[int, str, str, int]]:
        """See `Backend.tag_chunks`."""
        with self._errors():
            return [tuple(r) for r in self._conn.execute(
                "SELECT i.chunk, t.kind, t.tag, t.in_degree FROM tags t JOIN in_links i ON i.tag_id = t.tag_id "
                "WHERE (t.kind, t.tag) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
                "FROM json_each(?)) AND t.in_degree <= ? ORDER BY t.tag_id, i.chunk",
                (json.dumps(list(pairs)), max_degree)) if self._cache is not None and self._cache.has(r[0])]  # fmt: skip

    def distinct_values(self, key: str, limit: int) -> list[str]:
        """See `Backend.distinct_values`: a range of the filter index."""
        sql = "SELECT DISTINCT substr(value, 3) FROM chunk_meta WHERE key = ? AND value >= 's:' AND value < 's;' ORDER BY 1 LIMIT ?"
        with self._errors():
            return [r[0] for r in self._conn.execute(sql, (key, limit))]

    def tags(self) -> list[tuple[str, str]]:
        """See `Backend.tags`: the tag table (a tag no chunk carries any more may stay listed)."""
        with self._errors():
            return [(k, t) for k, t in self._conn.execute("SELECT kind, tag FROM tags ORDER BY tag_id")]

    def tag_count(self) -> int:
        """See `Backend.tag_count`: tags with an incoming side (their degree), or an outgoing one (read from
        ``out_links`` only when some tag has no incoming side)."""
        with self._errors():
            return self._conn.execute(
                "SELECT count(*) FROM tags WHERE in_degree > 0 OR tag_id IN (SELECT tag_id FROM out_links)"
            ).fetchone()[0]

    def documents_with_tags(self, pairs: Sequence[tuple[str, str]]) -> list[Document]:
        """See `Backend.documents_with_tags`: through the link tables."""
        wanted = (
            "(SELECT tag_id FROM tags WHERE (kind, tag) IN "
            "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)))"
        )
        with self._errors():
            rows = self._conn.execute(
                f"SELECT id, content, metadata, links FROM chunks WHERE key IN (SELECT chunk FROM in_links WHERE "
                f"tag_id IN {wanted} UNION SELECT chunk FROM out_links WHERE tag_id IN {wanted}) ORDER BY key",
                (json.dumps(list(pairs)),) * 2,
            ).fetchall()
        return [decode_document(*r) for r in rows]
