"""The SQLite backend: one SQLite file (its store facade, `SQLiteGraphStore`, is in `sqlite_store`).

Tables: ``chunks`` (text, metadata, links, vector as a float32 BLOB), ``tags``
(one row per ``(kind, tag)`` with its incoming degree), ``out_links`` and the inverted
index ``in_links`` (``(tag, chunk)`` primary key), and ``chunk_meta`` (metadata values
for filters). Vectors are searched with numpy over a matrix loaded from the file on
first use: that measured ~8x faster than sqlite-vec's brute-force scan, and this
Python's ``sqlite3`` cannot load extensions anyway (docs/store.md).

Writes run in one ``BEGIN IMMEDIATE`` transaction each, in WAL mode, so a crash leaves
the file as it was before the write, and readers in other processes see either all of
a write or none of it. Another process's commits are noticed through ``PRAGMA
data_version`` and reload what changed of the vector matrix.

Over 350 lines: one database's schema, SQL and cache synchronisation, which are read together.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.request import pathname2url

import numpy as np

from ...document import Document
from ..errors import StoreConnectionError, StoreError, UnknownIdError
from ..filter_sql import SQLITE, condition_sql
from ..ranking import Hit, Neighbours
from ..records import ChunkRecord, StoredChunk, decode_document
from ..vector_cache import VectorCache
from .base import Backend, Tokens, documents_by_key
from .sqlite_sources import SQLiteSourceRecords

__all__ = ["SQLiteBackend", "SQLiteSettings"]  # and, imported on demand, SQLiteGraphStore


def __getattr__(name: str):
    # The facade lives in `sqlite_store` (it imports LangChain's base class, 0.5 s): a command that only
    # reads the file (`doclinks stats`) opens the backend without it.
    if name == "SQLiteGraphStore":
        from .sqlite_store import SQLiteGraphStore

        return SQLiteGraphStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

SCHEMA_VERSION = "1"

_SCHEMA = """
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

# Writers log the keys they write or delete here, so that another process's store loads only what
# changed (not the whole vector matrix) after a commit. Created by the first write of a store that lacks
# it (older files), pruned to the last CHANGE_LOG_ROWS rows; a reader that fell behind reloads fully.
_CHANGES = "CREATE TABLE IF NOT EXISTS chunk_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, key INTEGER NOT NULL)"
CHANGE_LOG_ROWS = 100_000

# Sets of keys or ids go to SQL as one JSON array parameter, expanded by json_each:
# no statement is ever built from data, and no variable-count limit applies.
_IN = "(SELECT value FROM json_each(?))"


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


class SQLiteBackend(SQLiteSourceRecords, Backend):
    """Chunks in one SQLite file (see the module docstring, and `Backend` for each method).

    Args:
        path: the database file (see `SQLiteGraphStore`).
        settings: connection settings (default `SQLiteSettings()`).
    """

    def __init__(self, path: str | os.PathLike, settings: SQLiteSettings | None = None) -> None:
        self.path = Path(path)
        self.settings = settings or SQLiteSettings()
        if not self.path.parent.is_dir():
            raise StoreConnectionError(f"cannot open SQLite store {str(self.path)!r}: folder does not exist")
        if self.settings.read_only and not self.path.is_file():
            raise StoreConnectionError(f"cannot open SQLite store {str(self.path)!r} read-only: no such file")
        try:
            # Read-only: mode=rw never creates the file, and query_only refuses writes; mode=ro would
            # leave the WAL files behind when the connection closes.
            where = f"file:{pathname2url(str(self.path.resolve()))}?mode=rw" if self.settings.read_only else str(self.path)
            self._conn = sqlite3.connect(
                where,
                uri=self.settings.read_only,
                timeout=self.settings.busy_timeout_s,
                isolation_level=None,  # autocommit; writes use explicit BEGIN IMMEDIATE
                check_same_thread=False,  # the store's lock serialises use across threads
            )
            if self.settings.read_only:
                self._conn.execute("PRAGMA query_only = ON")
            # Read first: a foreign database is refused before anything (even its journal mode) changes,
            # and an existing store opens with reads only, so opening never waits for a writer's lock.
            exists = self._check_schema(creating=False)
            if self.settings.read_only and not exists:
                raise StoreError(f"{str(self.path)!r} holds no doclinks store (an empty database)")
            if not self.settings.read_only:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute(f"PRAGMA synchronous={self.settings.synchronous.upper()}")
            if not exists:
                with self._transaction():
                    if not self._check_schema(creating=True):
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                self._conn.execute(statement)
                        self._conn.execute("INSERT INTO doclinks_meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except StoreError:
            with contextlib.suppress(Exception):
                self._conn.close()
            raise
        except sqlite3.Error as exc:
            with contextlib.suppress(Exception):
                self._conn.close()
            raise StoreConnectionError(f"cannot open SQLite store {str(self.path)!r}: {exc}") from exc
        self._cache: VectorCache | None = None
        self._dim: int | None = None
        self._data_version: int | None = None
        self._seen_change: int | None = None  # newest change-log row reflected in the cache
        self._tag_ids: dict[tuple[str, str], int] = {}

    def __repr__(self) -> str:
        return f"SQLiteBackend({str(self.path)!r})"

    # ------------------------------------------------------------------ plumbing
    def _check_schema(self, creating: bool) -> bool:
        """True when the file holds this store's tables at this schema version; False when it holds no
        table at all (a new store). A file with other tables, or another schema version, is a
        StoreError: doclinks never adds its tables to someone else's database."""
        tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return False
        if "doclinks_meta" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(
                f"{str(self.path)!r} is a SQLite database that is not a doclinks store (it holds the tables {shown}); "
                "choose another file"
            )
        row = self._conn.execute("SELECT value FROM doclinks_meta WHERE key='schema'").fetchone()
        if row is None:
            raise StoreError(f"{str(self.path)!r} has a doclinks_meta table without a schema version")
        if row[0] != SCHEMA_VERSION:
            raise StoreError(f"{str(self.path)!r} holds schema version {row[0]}, this doclinks reads {SCHEMA_VERSION}")
        return True

    @contextlib.contextmanager
    def _errors(self):
        """Turn database failures into StoreConnectionError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreConnectionError(f"SQLite store {str(self.path)!r}: {exc}") from exc

    @contextlib.contextmanager
    def _transaction(self):
        """One write transaction; rolled back on any exception (KeyboardInterrupt too). Inside another
        (`SQLiteSourceRecords.atomic`) it joins it: the outer one commits or rolls back."""
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def close(self) -> None:
        """See `Backend.close`."""
        self._conn.close()
        self._cache = None

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
        c.execute(_CHANGES)
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
            rows = self._conn.execute("SELECT seq, key FROM chunk_changes WHERE seq > ?", (self._seen_change,)).fetchall()
        except sqlite3.OperationalError:
            return False
        if first is not None and first > self._seen_change + 1:
            return False
        self._tag_ids.clear()
        if not rows:
            return True
        keys = sorted({r[1] for r in rows})
        found = self._conn.execute(
            f"SELECT key, id, vector FROM chunks WHERE key IN {_IN}", (json.dumps(keys),)
        ).fetchall()
        present = {r[0] for r in found}
        self._cache.remove([k for k in keys if k not in present])
        if found:
            matrix = np.frombuffer(b"".join(r[2] for r in found), dtype=np.float32).reshape(len(found), self._dim)
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

    # ------------------------------------------------------------------ reads
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

    def search(self, query: np.ndarray, k: int, tokens: Tokens) -> list[Hit]:
        """See `Backend.search`."""
        if self._cache is None:
            return []
        return self._cache.top_k(query, k, self._matching(tokens))

    def expand(
        self, keys: Sequence[int], query: np.ndarray, tokens: Tokens, max_degree: int, seen: set[int]
    ) -> Neighbours:
        """See `Backend.expand`."""
        sql = (
            "SELECT DISTINCT i.chunk, i.tag_id, t.in_degree FROM out_links o "
            "JOIN tags t ON t.tag_id = o.tag_id "
            "JOIN in_links i ON i.tag_id = o.tag_id "
            f"WHERE o.chunk IN {_IN} AND t.in_degree <= ?"
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
        keys, index = np.unique(pairs[:, 0], return_inverse=True)
        return Neighbours(keys, self._cache.id_view(keys), self._cache.similarities(keys, query), index, pairs[:, 2])

    def _in_snapshot(self, rows: np.ndarray) -> np.ndarray:
        """The `rows` (chunk key first) whose chunk the vector matrix holds. Each statement reads the last
        commit, which may be newer than the matrix `refresh` loaded when the operation began (another
        connection wrote since): its chunks wait for the next operation, which sees them whole."""
        if self._cache is None:
            return rows[:0]
        return rows[self._cache.held(rows[:, 0])]

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        """See `Backend.vectors`."""
        return self._cache.vectors(keys)

    def documents(self, keys: Sequence[int]) -> list[Document]:
        """See `Backend.documents`."""
        if not keys:
            return []
        with self._errors():
            rows = self._conn.execute(
                f"SELECT key, id, content, metadata, links FROM chunks WHERE key IN {_IN}",
                (json.dumps(list(keys)),),
            ).fetchall()
        by_key = {r[0]: decode_document(*r[1:]) for r in rows}
        return [by_key[k] for k in keys]

    def get(self, ids: Sequence[str]) -> dict[str, Document]:
        """See `Backend.get`."""
        with self._errors():
            rows = self._conn.execute(
                f"SELECT id, content, metadata, links FROM chunks WHERE id IN {_IN}", (json.dumps(list(ids)),)
            ).fetchall()
        return {r[0]: decode_document(*r) for r in rows}

    def stored(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """See `Backend.stored`."""
        with self._errors():
            rows = self._conn.execute(
                f"SELECT id, content, metadata, links, vector FROM chunks WHERE id IN {_IN}",
                (json.dumps(list(ids)),),
            ).fetchall()
        return {r[0]: StoredChunk(r[1], r[2], r[3], np.frombuffer(r[4], dtype=np.float32)) for r in rows}

    def stored_ids(self, ids: Sequence[str]) -> set[str]:
        """See `Backend.stored_ids`."""
        with self._errors():
            return {r[0] for r in self._conn.execute(f"SELECT id FROM chunks WHERE id IN {_IN}", (json.dumps(list(ids)),))}

    def iter_documents(self, batch_size: int) -> Iterator[list[Document]]:
        """See `Backend.iter_documents`: by key, the rowid, which follows insertion."""

        def read(after: int, limit: int) -> list[tuple]:
            with self._errors():
                return self._conn.execute(
                    "SELECT key, id, content, metadata, links FROM chunks WHERE key > ? ORDER BY key LIMIT ?", (after, limit)
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

    def set_setting(self, name: str, value: str) -> None:
        """See `Backend.set_setting`."""
        self._check_writable()
        with self._errors(), self._transaction():
            self._conn.execute("INSERT OR REPLACE INTO doclinks_meta VALUES (?, ?)", (f"setting:{name}", value))

    def chunk_tags(self, keys: Sequence[int], max_degree: int) -> list[tuple[int, str, str, int]]:
        """See `Backend.chunk_tags`."""
        with self._errors():
            return [tuple(r) for r in self._conn.execute(
                "SELECT o.chunk, t.kind, t.tag, t.in_degree FROM out_links o JOIN tags t ON t.tag_id = o.tag_id "
                f"WHERE o.chunk IN {_IN} AND t.in_degree <= ? ORDER BY o.chunk, t.tag_id",
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
                "SELECT count(*) FROM tags WHERE in_degree > 0 OR tag_id IN (SELECT tag_id FROM out_links)").fetchone()[0]

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

    # ------------------------------------------------------------------ writes
    def _unlink(self, keys: list[int]) -> set[int]:
        """Remove the links and filter rows of `keys`; return the tags whose degree changes."""
        arg = (json.dumps(keys),)
        c = self._conn
        touched = {r[0] for r in c.execute(f"SELECT tag_id FROM in_links WHERE chunk IN {_IN}", arg)}
        c.execute(f"DELETE FROM out_links WHERE chunk IN {_IN}", arg)
        c.execute(f"DELETE FROM in_links WHERE chunk IN {_IN}", arg)
        c.execute(f"DELETE FROM chunk_meta WHERE chunk IN {_IN}", arg)
        return touched

    def _update_degrees(self, tag_ids: set[int]) -> None:
        # Recounted, not incremented: the stored degree is always exact.
        self._conn.execute(
            "UPDATE tags SET in_degree = (SELECT count(*) FROM in_links i WHERE i.tag_id = tags.tag_id) "
            f"WHERE tag_id IN {_IN}",
            (json.dumps(sorted(tag_ids)),),
        )

    def _tag_id(self, kind: str, tag: str, new: dict[tuple[str, str], int]) -> int:
        key = (kind, tag)
        found = self._tag_ids.get(key) or new.get(key)
        if found is not None:
            return found
        row = self._conn.execute("SELECT tag_id FROM tags WHERE kind = ? AND tag = ?", key).fetchone()
        tag_id = row[0] if row else self._conn.execute("INSERT INTO tags (kind, tag) VALUES (?, ?)", key).lastrowid
        new[key] = tag_id
        return tag_id

    def _check_writable(self) -> None:
        """Raise StoreError when the store was opened read-only."""
        if self.settings.read_only:
            raise StoreError(f"{self!r} was opened read-only (SQLiteSettings(read_only=True)): it cannot be changed")

    def write(self, records: list[ChunkRecord]) -> None:
        """See `Backend.write`."""
        self._check_writable()
        dim = records[0].vector.shape[0]
        ids_arg = (json.dumps([r.id for r in records]),)
        new_tags: dict[tuple[str, str], int] = {}
        with self._errors(), self._transaction():
            c = self._conn
            # Read again inside the transaction: another process may have written first.
            row = c.execute("SELECT value FROM doclinks_meta WHERE key='dimension'").fetchone()
            if row is None:
                c.execute("INSERT INTO doclinks_meta VALUES ('dimension', ?)", (str(dim),))
            elif int(row[0]) != dim:
                raise ValueError(f"embeddings have dimension {dim}, but the store holds {row[0]}-dimensional vectors")
            existing = dict(c.execute(f"SELECT id, key FROM chunks WHERE id IN {_IN}", ids_arg).fetchall())
            touched = self._unlink(list(existing.values())) if existing else set()
            c.executemany(
                "INSERT INTO chunks (id, content, metadata, links, vector) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET content = excluded.content, metadata = excluded.metadata, "
                "links = excluded.links, vector = excluded.vector",
                [(r.id, r.content, r.metadata_json, r.links_json, r.vector.tobytes()) for r in records],
            )
            keys = dict(c.execute(f"SELECT id, key FROM chunks WHERE id IN {_IN}", ids_arg).fetchall())
            out_rows, in_rows, meta_rows = [], [], []
            for r in records:
                key = keys[r.id]
                for kind, tag in r.out_tags:
                    out_rows.append((key, self._tag_id(kind, tag, new_tags)))
                for kind, tag in r.in_tags:
                    tag_id = self._tag_id(kind, tag, new_tags)
                    in_rows.append((tag_id, key))
                    touched.add(tag_id)
                meta_rows.extend((k, v, key) for k, v in r.tokens)
            c.executemany("INSERT INTO out_links (chunk, tag_id) VALUES (?, ?)", out_rows)
            c.executemany("INSERT INTO in_links (tag_id, chunk) VALUES (?, ?)", in_rows)
            c.executemany("INSERT INTO chunk_meta (key, value, chunk) VALUES (?, ?, ?)", meta_rows)
            if touched:
                self._update_degrees(touched)
            seen = self._log_changes(sorted(set(keys.values()) | set(existing.values())))
        # Committed: only now update the in-process caches.
        if seen is not None:
            self._seen_change = seen
        self._tag_ids.update(new_tags)
        if self._cache is None:
            self._dim = dim
            self._cache = VectorCache(dim)
        self._cache.set([keys[r.id] for r in records], [r.id for r in records], np.stack([r.vector for r in records]))

    def delete(self, ids: Sequence[str], missing: str) -> int:
        """See `Backend.delete`."""
        self._check_writable()
        with self._errors(), self._transaction():
            c = self._conn
            existing = dict(c.execute(f"SELECT id, key FROM chunks WHERE id IN {_IN}", (json.dumps(ids),)).fetchall())
            unknown = [i for i in ids if i not in existing]
            if unknown and missing == "raise":
                raise UnknownIdError(unknown)
            keys = list(existing.values())
            if keys:
                touched = self._unlink(keys)
                c.execute(f"DELETE FROM chunks WHERE key IN {_IN}", (json.dumps(keys),))
                if touched:
                    self._update_degrees(touched)
                seen = self._log_changes(keys)
                if seen is not None:
                    self._seen_change = seen
        if self._cache is not None:
            self._cache.remove(keys)
        return len(keys)
