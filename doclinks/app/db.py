"""The doclinks SQLite database file of the command line: checks and read-only reads.

`check_db` tells a doclinks database from anything else *before* `SQLiteGraphStore` opens
it (the store creates its tables in any SQLite file it is given, so the check must come
first: a wrong ``--db`` is reported and left untouched).

The store's public API has no way to list every chunk or to read a tag's degree, which
`stats`, `graph` and the "via" tags of `search` need; this module reads them from the file
with a connection that cannot write (``query_only``), on the store's documented schema (tables ``chunks`` and
``tags``, `doclinks.store.sqlite`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.request import pathname2url

from .errors import AppError

__all__ = ["check_db", "open_store", "stored_ids", "iter_documents", "tag_degrees", "chunk_count"]

_HEADER = b"SQLite format 3\x00"
_SCHEMAS = ("1",)  # doclinks_meta 'schema' values this module reads


def check_db(path: str | os.PathLike, *, must_exist: bool) -> bool:
    """Check `path` as a doclinks database; True when it holds one, False when it is new.

    Args:
        path: the database file.
        must_exist: True for commands that read (search, graph, stats): a missing or
            empty file is an error. False for ingest: a missing file will be created.

    Raises:
        AppError: a folder; a missing file (with `must_exist`) or a missing parent folder;
            a file that is not SQLite; an SQLite database that is not doclinks'.
    """
    p = Path(path)
    if p.is_dir():
        raise AppError(f"{p}: is a folder, not a database file")
    if not p.exists() or p.stat().st_size == 0:
        if must_exist:
            raise AppError(f"{p}: no such database; create it with `doclinks ingest PATH... --db {p}`")
        if not p.parent.is_dir():
            raise AppError(f"{p}: cannot create the database: folder {str(p.parent)!r} does not exist")
        return False
    try:
        with p.open("rb") as f:
            header = f.read(len(_HEADER))
    except OSError as exc:
        raise AppError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if header != _HEADER:
        raise AppError(f"{p}: not a doclinks database (not an SQLite file)")
    with _connect(p) as conn:
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"doclinks_meta", "chunks", "tags"} <= tables:
                raise AppError(f"{p}: not a doclinks database (an SQLite database without doclinks' tables)")
            row = conn.execute("SELECT value FROM doclinks_meta WHERE key = 'schema'").fetchone()
        except sqlite3.Error as exc:
            raise AppError(f"{p}: not a doclinks database ({exc})") from None
    if row is None or row[0] not in _SCHEMAS:
        found = "no schema version" if row is None else f"schema version {row[0]}"
        raise AppError(f"{p}: a doclinks database of another version ({found}; this doclinks reads {', '.join(_SCHEMAS)})")
    return True


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    # Read-write mode (never creates the file) with query_only: SQLite then removes its WAL
    # files when the connection closes; a read-only connection would leave them behind.
    uri = f"file:{pathname2url(str(path.resolve()))}?mode=rw"
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise AppError(f"{path}: cannot open: {exc}") from None
    try:
        yield conn
    except sqlite3.DatabaseError as exc:
        raise AppError(f"{path}: cannot read the database: {exc}") from None
    finally:
        conn.close()


def open_store(path: str | os.PathLike):
    """The `SQLiteGraphStore` of `path` with the default embedder (call `check_db` first)."""
    from ..store import SQLiteGraphStore

    return SQLiteGraphStore(path)


def chunk_count(path: str | os.PathLike) -> int:
    """Number of chunks in the database."""
    with _connect(Path(path)) as conn:
        return conn.execute("SELECT count(*) FROM chunks").fetchone()[0]


def stored_ids(path: str | os.PathLike, ids: Iterable[str]) -> set[str]:
    """The ids among `ids` that the database holds."""
    ids = list(ids)
    with _connect(Path(path)) as conn:
        rows = conn.execute("SELECT id FROM chunks WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))
        return {r[0] for r in rows}


def stored_labels(path: str | os.PathLike, ids: Iterable[str]) -> dict[str, list[str] | None]:
    """For each stored id among `ids`: the entity labels its links were extracted with (the chunk's
    ``ner_labels`` metadata), or None for a chunk stored before doclinks recorded them."""
    ids = list(ids)
    with _connect(Path(path)) as conn:
        rows = conn.execute(
            "SELECT id, json_extract(metadata, '$.ner_labels') FROM chunks WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        return {r[0]: (json.loads(r[1]) if r[1] else None) for r in rows}


def iter_documents(path: str | os.PathLike) -> Iterator:
    """Every stored chunk as a `doclinks.document.Document` (links in ``metadata["links"]``), in insertion order."""
    from ..store.records import decode_document

    with _connect(Path(path)) as conn:
        for row in conn.execute("SELECT id, content, metadata, links FROM chunks ORDER BY key"):
            yield decode_document(*row)


def tag_degrees(path: str | os.PathLike, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The degree (chunks carrying the incoming side) of each ``(kind, tag)`` asked for that is stored."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    with _connect(Path(path)) as conn:
        rows = conn.execute(
            "SELECT kind, tag, in_degree FROM tags WHERE (kind, tag) IN "
            "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))",
            (json.dumps(pairs),),
        )
        return {(k, t): d for k, t, d in rows}
