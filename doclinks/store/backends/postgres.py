"""The PostgreSQL backend and `PostgresGraphStore`: PostgreSQL with pgvector, for scale (psycopg 3).

Tables, named ``<collection>_*``: ``chunks`` (with a ``vector(d)`` column and an HNSW
index for cosine distance), ``tags`` (one row per ``(kind, tag)`` with its incoming
degree), ``out_links``, the inverted index ``in_links`` (primary key ``(tag_id,
chunk)``), ``chunk_meta`` (metadata values for filters) and ``meta`` (dimension,
chunk count). Every write is one transaction, serialised per collection by an
advisory lock. All values go to SQL as parameters; table names are checked
identifiers.

Similarity search uses the HNSW index (approximate at scale, pgvector's iterative
scan keeps filtered searches filled); ``PostgresSettings(exact=True)`` scans exactly.

Over 350 lines: one database's schema, SQL, connection handling and bulk loading, which are read
together.
"""

from __future__ import annotations

import contextlib
import re
import struct
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ...document import Document
from ...embeddings import Embeddings
from ..errors import StoreConnectionError, StoreError, UnknownIdError
from ..filter_sql import POSTGRES, condition_sql
from ..filters import index_text
from ..graph_store import GraphStore
from ..ranking import Hit, Neighbours, exact_top_k
from ..records import ChunkRecord, StoredChunk, decode_document
from ..settings import TraversalSettings
from .base import Backend, Tokens, documents_by_key
from .postgres_sources import PostgresSourceRecords

try:
    import psycopg
    from psycopg import sql
    from psycopg.adapt import Dumper, Loader
    from psycopg.pq import Format
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "PostgresGraphStore needs psycopg 3: pip install 'psycopg[binary]' (or doclinks[postgres])"
    ) from exc

__all__ = ["PostgresGraphStore", "PostgresSettings", "PostgresBackend"]

_COLLECTION = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class PostgresSettings:
    """Settings of `PostgresGraphStore`.

    Args:
        collection: prefix of the store's tables, so that several stores share a
            database; lowercase letters, digits, underscores (default ``"doclinks"``).
        hnsw_m: HNSW graph degree (default 16, pgvector's default).
        hnsw_ef_construction: HNSW build beam width (default 64, pgvector's default).
        ef_search: HNSW search beam width (default 100); raised to the number of
            results asked for, up to pgvector's maximum of 1000.
        exact: scan every vector instead of using the index (default False).
        connect_timeout_s: seconds to wait for the server (default 10).
    """

    collection: str = "doclinks"
    hnsw_m: int = 16
    hnsw_ef_construction: int = 64
    ef_search: int = 100
    exact: bool = False
    connect_timeout_s: int = 10

    def __post_init__(self) -> None:
        if not isinstance(self.collection, str) or not _COLLECTION.match(self.collection):
            raise ValueError(
                "collection must be 1-40 characters of a-z, 0-9 and _, not starting with a digit, "
                f"got {self.collection!r}"
            )
        for name in ("hnsw_m", "hnsw_ef_construction", "ef_search", "connect_timeout_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")


class _Vector:
    """A float32 array to be sent as a pgvector ``vector`` (binary format)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _adapters(oid: int):
    class VectorDumper(Dumper):
        format = Format.BINARY

        def dump(self, obj: _Vector) -> bytes:
            # pgvector's binary format: dim (uint16), unused (uint16), float32 big-endian.
            a = obj.array
            return struct.pack(">HH", a.shape[0], 0) + a.astype(">f4").tobytes()

    VectorDumper.oid = oid

    class VectorLoader(Loader):
        format = Format.BINARY

        def load(self, data) -> np.ndarray:
            return np.frombuffer(bytes(data), dtype=">f4", offset=4).astype(np.float32)

    return VectorDumper, VectorLoader


def _redacted(dsn: str) -> str:
    """`dsn` without its password, for messages."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        return "<unparsable dsn>"
    params.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in params.items())


class PostgresGraphStore(GraphStore):
    """A graph store in PostgreSQL with pgvector.

    Args:
        dsn: libpq connection string or URI.
        embedding: the embedder (default None: the MiniLM default embedder).
        settings: traversal settings (default `TraversalSettings()`).
        postgres: `PostgresSettings` (default `PostgresSettings()`).
        semantics: ``"doclinks"`` (default) or ``"langchain"`` (see `GraphStore`).

    The tables are created on the first write, when the vector dimension is known.
    The server needs the pgvector extension; it is created if missing.

    Raises:
        StoreConnectionError: the server cannot be reached or pgvector is missing.
    """

    def __init__(
        self,
        dsn: str,
        embedding: Embeddings | None = None,
        settings: TraversalSettings | None = None,
        postgres: PostgresSettings | None = None,
        *,
        semantics: str = "doclinks",
    ) -> None:
        backend = PostgresBackend(dsn, postgres)
        super().__init__(backend, embedding, settings, semantics=semantics)
        self.pg = backend.pg

    @contextlib.contextmanager
    def bulk_ingest(self):
        """Load many documents fast: the HNSW index is dropped, then rebuilt at the end.

        Keeping an HNSW index up to date costs most of an insert (~700 rows/s against
        ~7,000 without it, measured here); building it once afterwards is much cheaper.
        Searches during the load still work, by exact scan. The index is rebuilt even
        if the block raises::

            with store.bulk_ingest():
                for batch in batches:
                    store.add_documents(batch)
        """
        with self._lock:
            self._check_open()
            self.backend.begin_bulk()
        try:
            yield self
        finally:
            with self._lock:
                self.backend.end_bulk()


class PostgresBackend(PostgresSourceRecords, Backend):
    """Chunks in PostgreSQL tables (see the module docstring, and `Backend` for each method).

    Args:
        dsn: libpq connection string or URI.
        postgres: `PostgresSettings` (default `PostgresSettings()`).
    """

    def __init__(self, dsn: str, postgres: PostgresSettings | None = None) -> None:
        if not isinstance(dsn, str):
            raise TypeError(f"dsn must be a str, got {type(dsn).__name__}")
        self.pg = postgres or PostgresSettings()
        self._where = _redacted(dsn)
        self._dsn = dsn
        self._conn = self._connect()
        p = self.pg.collection
        self._t = {name: sql.Identifier(f"{p}_{name}") for name in
                   ("chunks", "tags", "out_links", "in_links", "chunk_meta", "meta")}
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
        try:
            conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=self.pg.connect_timeout_s)
        except psycopg.Error as exc:
            raise StoreConnectionError(f"cannot connect to PostgreSQL at {self._where}: {exc}") from exc
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            info = psycopg.types.TypeInfo.fetch(conn, "vector")
        except psycopg.Error as exc:
            conn.close()
            raise StoreConnectionError(f"PostgreSQL at {self._where} has no usable pgvector extension: {exc}") from exc
        dumper, loader = _adapters(info.oid)
        conn.adapters.register_dumper(_Vector, dumper)
        conn.adapters.register_loader(info.oid, loader)
        return conn

    # ------------------------------------------------------------------ plumbing
    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except psycopg.Error as exc:
            lost = self._conn.closed or self._conn.broken
            hint = " (the connection was lost; the next call reconnects)" if lost else ""
            raise StoreConnectionError(f"PostgreSQL store at {self._where}: {exc}{hint}") from exc

    def _q(self, text: str) -> sql.Composed:
        """SQL text with {chunks}, {tags}, ... replaced by this collection's table names."""
        return sql.SQL(text).format(**self._t)

    def close(self) -> None:
        """See `Backend.close`."""
        self._conn.close()

    def _read_dimension(self) -> int | None:
        exists = self._conn.execute("SELECT to_regclass(%s)", (f"{self.pg.collection}_meta",)).fetchone()[0]
        if exists is None:
            return None
        row = self._conn.execute(self._q("SELECT value FROM {meta} WHERE key = 'dimension'")).fetchone()
        return None if row is None else int(row[0])

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
                f"{self!r}: the HNSW index was missing (an interrupted bulk_ingest); rebuilding it", RuntimeWarning,
                stacklevel=4,  # the caller of PostgresGraphStore(...)
            )
            self._conn.execute(self._index_sql())
        finally:
            self._conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self._bulk_key(),))

    def refresh(self) -> None:
        """See `Backend.refresh`: reconnect after a lost connection; notice tables another client made."""
        if self._conn.closed or self._conn.broken:  # the server restarted, or the network failed: reconnect
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = self._connect()
        if self._dim is None:  # another client may have created the tables since
            with self._errors():
                self._dim = self._read_dimension()

    def _create_tables(self, dim: int) -> None:
        c = self._conn
        c.execute(self._q("CREATE TABLE IF NOT EXISTS {meta} (key text PRIMARY KEY, value text NOT NULL)"))
        c.execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {chunks} (key bigserial PRIMARY KEY, id text NOT NULL UNIQUE, "
            "content text NOT NULL, metadata text NOT NULL, links text NOT NULL, "
            "embedding vector({dim}) NOT NULL)").format(chunks=self._t["chunks"], dim=sql.Literal(dim)))
        if not self._bulk and not self._bulk_load_elsewhere():
            c.execute(self._index_sql())
        c.execute(self._q(
            "CREATE TABLE IF NOT EXISTS {tags} (tag_id bigserial PRIMARY KEY, kind text NOT NULL, "
            "tag text NOT NULL, in_degree integer NOT NULL DEFAULT 0, UNIQUE (kind, tag))"))
        c.execute(self._q("CREATE TABLE IF NOT EXISTS {out_links} (chunk bigint NOT NULL, tag_id bigint NOT NULL, "
                          "PRIMARY KEY (chunk, tag_id))"))
        c.execute(self._q("CREATE TABLE IF NOT EXISTS {in_links} (tag_id bigint NOT NULL, chunk bigint NOT NULL, "
                          "PRIMARY KEY (tag_id, chunk))"))
        c.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {name} ON {t} (chunk)").format(
            name=sql.Identifier(f"{self.pg.collection}_in_links_chunk"), t=self._t["in_links"]))
        c.execute(self._q("CREATE TABLE IF NOT EXISTS {chunk_meta} (key text NOT NULL, value text NOT NULL, "
                          "chunk bigint NOT NULL, PRIMARY KEY (key, value, chunk))"))
        c.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {name} ON {t} (chunk)").format(
            name=sql.Identifier(f"{self.pg.collection}_chunk_meta_chunk"), t=self._t["chunk_meta"]))
        c.execute(self._q("INSERT INTO {meta} VALUES ('dimension', %s), ('count', '0') ON CONFLICT DO NOTHING"),
                  (str(dim),))

    def _filter_sql(self, tokens: Tokens, column: str) -> tuple[sql.Composable, list]:
        if tokens is None:
            return sql.SQL(""), []
        where, params = condition_sql(tokens, column, "{m}", POSTGRES)
        return sql.SQL(" AND ") + sql.SQL(where).format(m=self._t["chunk_meta"]), params

    # ------------------------------------------------------------------ reads
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
        q = _Vector(query)
        with self._errors(), self._conn.transaction():
            if self.pg.exact:
                rows = self._conn.execute(
                    self._q("SELECT c.key, c.id, 1 - (c.embedding <=> %b) AS sim FROM {chunks} c WHERE true ")
                    + where + sql.SQL(" ORDER BY sim DESC, c.id LIMIT %s"), [q, *params, k]).fetchall()
                return [Hit(r[0], r[1], float(r[2])) for r in rows]
            # Over-fetch a little, then sort by (similarity, id) here: the index orders by
            # distance only, and equal distances must still break by id.
            limit = k + 16
            self._conn.execute("SELECT set_config('hnsw.ef_search', %s, true)",
                               (str(min(1000, max(self.pg.ef_search, limit))),))
            self._conn.execute("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)")
            rows = self._conn.execute(
                self._q("SELECT c.key, c.id, 1 - (c.embedding <=> %b) FROM {chunks} c WHERE true ")
                + where + sql.SQL(" ORDER BY c.embedding <=> %b LIMIT %s"), [q, *params, q, limit]).fetchall()
        sims = np.array([r[2] for r in rows], dtype=np.float64)
        return exact_top_k(sims, [r[0] for r in rows], [r[1] for r in rows], k)

    def expand(
        self, keys: Sequence[int], query: np.ndarray, tokens: Tokens, max_degree: int, seen: set[int]
    ) -> Neighbours:
        """See `Backend.expand`."""
        where, params = self._filter_sql(tokens, "c.key")
        query_sql = self._q(
            "WITH shared AS ("
            " SELECT DISTINCT i.chunk, t.tag_id, t.in_degree FROM {out_links} o"
            " JOIN {tags} t ON t.tag_id = o.tag_id AND t.in_degree <= %s"
            " JOIN {in_links} i ON i.tag_id = o.tag_id"
            " WHERE o.chunk = ANY(%s::bigint[]) AND NOT (i.chunk = ANY(%s::bigint[]))),"
            " grouped AS (SELECT chunk, array_agg(in_degree) AS degrees FROM shared GROUP BY chunk)"
            " SELECT c.key, c.id, 1 - (c.embedding <=> %b), g.degrees FROM grouped g"
            " JOIN {chunks} c ON c.key = g.chunk WHERE true ") + where
        with self._errors():
            rows = self._conn.execute(
                query_sql, [max_degree, list(keys), list(seen), _Vector(query), *params]).fetchall()
        if not rows:
            return Neighbours.empty()
        keys = np.array([r[0] for r in rows], dtype=np.int64)
        index = np.repeat(np.arange(len(rows)), [len(r[3]) for r in rows])
        degree = np.array([d for r in rows for d in r[3]], dtype=np.int64)
        return Neighbours(keys, [r[1] for r in rows], np.array([r[2] for r in rows], dtype=np.float64), index, degree)

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        """See `Backend.vectors`."""
        with self._errors(), self._conn.cursor(binary=True) as cur:
            rows = cur.execute(self._q("SELECT key, embedding FROM {chunks} WHERE key = ANY(%s::bigint[])"),
                               [list(keys)]).fetchall()
        by_key = dict(rows)
        return np.stack([by_key[k] for k in keys]) if keys else np.zeros((0, self._dim), np.float32)

    def documents(self, keys: Sequence[int]) -> list[Document]:
        """See `Backend.documents`."""
        if not keys:
            return []
        with self._errors():
            rows = self._conn.execute(
                self._q("SELECT key, id, content, metadata, links FROM {chunks} WHERE key = ANY(%s::bigint[])"),
                [list(keys)]).fetchall()
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
                [list(ids)]).fetchall()
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
                    self._q("SELECT key, id, content, metadata, links FROM {chunks} WHERE key > %s ORDER BY key LIMIT %s"),
                    [after, limit]).fetchall()

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
            return {p: 0 for p in pairs}
        # Stored as indexes hold them (long kinds and tags by a digest, as `write` does).
        kinds, tags = [index_text(p[0]) for p in pairs], [index_text(p[1]) for p in pairs]
        with self._errors():
            rows = self._conn.execute(
                self._q("SELECT t.kind, t.tag, t.in_degree FROM {tags} t JOIN unnest(%s::text[], %s::text[]) "
                        "AS u(kind, tag) ON t.kind = u.kind AND t.tag = u.tag"), [kinds, tags]).fetchall()
        found = {(r[0], r[1]): r[2] for r in rows}
        return {p: found.get((k, t), 0) for p, k, t in zip(pairs, kinds, tags)}

    def get_setting(self, name: str) -> str | None:
        """See `Backend.get_setting`: a row of the collection's meta table (``setting:<name>``)."""
        if self._dim is None:
            return None
        with self._errors():
            row = self._conn.execute(self._q("SELECT value FROM {meta} WHERE key = %s"), (f"setting:{name}",)).fetchone()
        return None if row is None else row[0]

    def set_setting(self, name: str, value: str) -> None:
        """See `Backend.set_setting`."""
        if self._dim is None:
            raise StoreError("set_setting: the store holds no chunks yet")
        with self._errors(), self._conn.transaction():
            self._conn.execute(self._q("INSERT INTO {meta} VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = "
                                       "EXCLUDED.value"), (f"setting:{name}", value))  # fmt: skip

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
        query = self._q("SELECT DISTINCT substr(value, 3) COLLATE \"C\" AS v FROM {chunk_meta} WHERE key = %s "
                        "AND substr(value, 1, 2) = 's:' ORDER BY v LIMIT %s")
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
            return self._conn.execute(self._q(
                "SELECT count(*) FROM {tags} WHERE in_degree > 0 OR tag_id IN (SELECT tag_id FROM {out_links})")).fetchone()[0]

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

    # ------------------------------------------------------------------ writes
    def begin_bulk(self) -> None:
        """Start a bulk load (`PostgresGraphStore.bulk_ingest`): take the collection's bulk lock, for
        the whole load, and drop the HNSW index."""
        self._bulk = True  # tables created during the load get no index yet
        with self._errors():
            # Held for the whole load (released by the server if this process dies), so that a store
            # opened meanwhile does not rebuild the index, and one opened after a crash does.
            self._conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (self._bulk_key(),))
            if self._dim is not None:
                self._conn.execute(sql.SQL("DROP INDEX IF EXISTS {i}").format(
                    i=sql.Identifier(f"{self.pg.collection}_chunks_hnsw")))

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

    def _lock_collection(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"doclinks:{self.pg.collection}",))

    def _unlink(self, keys: list[int]) -> set[int]:
        c = self._conn
        touched = {r[0] for r in c.execute(self._q("SELECT tag_id FROM {in_links} WHERE chunk = ANY(%s::bigint[])"), [keys])}
        for table in ("out_links", "in_links", "chunk_meta"):
            c.execute(sql.SQL("DELETE FROM {t} WHERE chunk = ANY(%s::bigint[])").format(t=self._t[table]), [keys])
        return touched

    def _finish(self, touched: set[int]) -> None:
        c = self._conn
        if touched:
            c.execute(self._q("UPDATE {tags} t SET in_degree = (SELECT count(*) FROM {in_links} i WHERE i.tag_id = t.tag_id)"
                              " WHERE t.tag_id = ANY(%s::bigint[])"), [sorted(touched)])
        c.execute(self._q("UPDATE {meta} SET value = (SELECT count(*) FROM {chunks})::text WHERE key = 'count'"))

    def write(self, records: list[ChunkRecord]) -> None:
        """See `Backend.write`."""
        for r in records:
            if "\x00" in r.content or "\x00" in r.metadata_json or "\x00" in r.links_json:
                raise ValueError(f"document {r.id!r}: PostgreSQL text cannot contain NUL (\\x00) characters")
        if "\x00" in "".join(r.id for r in records):
            raise ValueError("PostgreSQL text cannot contain NUL (\\x00) characters: found one in an id")
        dim = records[0].vector.shape[0]
        ids = [r.id for r in records]
        with self._errors(), self._conn.transaction():
            c = self._conn
            self._lock_collection()
            stored = self._read_dimension()  # again, under the lock: another client may have written first
            if stored is None:
                self._create_tables(dim)
            elif stored != dim:
                raise ValueError(f"embeddings have dimension {dim}, but the store holds {stored}-dimensional vectors")
            existing = dict(c.execute(self._q("SELECT id, key FROM {chunks} WHERE id = ANY(%s::text[])"), [ids]).fetchall())
            touched = self._unlink(list(existing.values())) if existing else set()
            with c.cursor() as cur:
                cur.executemany(
                    self._q("INSERT INTO {chunks} (id, content, metadata, links, embedding) VALUES (%s, %s, %s, %s, %b) "
                            "ON CONFLICT (id) DO UPDATE SET content = excluded.content, metadata = excluded.metadata, "
                            "links = excluded.links, embedding = excluded.embedding"),
                    [(r.id, r.content, r.metadata_json, r.links_json, _Vector(r.vector)) for r in records])
            keys = dict(c.execute(self._q("SELECT id, key FROM {chunks} WHERE id = ANY(%s::text[])"), [ids]).fetchall())
            all_tags = sorted({t for r in records for t in r.out_tags | r.in_tags})
            tag_ids: dict[tuple[str, str], int] = {}
            if all_tags:
                # Long tags are indexed by a digest (a btree entry holds at most ~2.7 KB).
                kinds, tags = [index_text(t[0]) for t in all_tags], [index_text(t[1]) for t in all_tags]
                c.execute(self._q("INSERT INTO {tags} (kind, tag) SELECT * FROM unnest(%s::text[], %s::text[]) "
                                  "ON CONFLICT DO NOTHING"), [kinds, tags])
                rows = c.execute(self._q("SELECT t.tag_id, t.kind, t.tag FROM {tags} t JOIN unnest(%s::text[], %s::text[]) "
                                         "AS u(kind, tag) ON t.kind = u.kind AND t.tag = u.tag"), [kinds, tags]).fetchall()
                by_index = {(r[1], r[2]): r[0] for r in rows}
                tag_ids = {t: by_index[(k, g)] for t, k, g in zip(all_tags, kinds, tags)}
            out_c, out_t, in_t, in_c, m_k, m_v, m_c = [], [], [], [], [], [], []
            for r in records:
                key = keys[r.id]
                for t in r.out_tags:
                    out_c.append(key)
                    out_t.append(tag_ids[t])
                for t in r.in_tags:
                    in_t.append(tag_ids[t])
                    in_c.append(key)
                for k_, v_ in r.tokens:
                    m_k.append(k_)
                    m_v.append(v_)
                    m_c.append(key)
            touched.update(in_t)
            c.execute(self._q("INSERT INTO {out_links} SELECT * FROM unnest(%s::bigint[], %s::bigint[])"), [out_c, out_t])
            c.execute(self._q("INSERT INTO {in_links} SELECT * FROM unnest(%s::bigint[], %s::bigint[])"), [in_t, in_c])
            c.execute(self._q("INSERT INTO {chunk_meta} SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[])"),
                      [m_k, m_v, m_c])
            self._finish(touched)
        self._dim = dim

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
            existing = dict(c.execute(self._q("SELECT id, key FROM {chunks} WHERE id = ANY(%s::text[])"), [ids]).fetchall())
            unknown = [i for i in ids if i not in existing]
            if unknown and missing == "raise":
                raise UnknownIdError(unknown)
            keys = list(existing.values())
            if keys:
                touched = self._unlink(keys)
                c.execute(self._q("DELETE FROM {chunks} WHERE key = ANY(%s::bigint[])"), [keys])
                self._finish(touched)
        return len(keys)


# StoreError is re-exported for callers that catch store failures from this module.
__all__ += ["StoreError"]
