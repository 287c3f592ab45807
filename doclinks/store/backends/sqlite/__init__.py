"""The SQLite backend: one SQLite file (its store facade, `SQLiteGraphStore`, is in `..sqlite_store`).

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

The parts: `schema` (tables, settings, the schema check), `backend` (`SQLiteBackend`: opening,
transactions), `changes` (the vector matrix kept in step with the file), `reads` and `writes`.
"""

from .backend import SQLiteBackend
from .schema import SCHEMA_VERSION, SQLiteSettings

__all__ = ["SQLiteBackend", "SQLiteSettings", "SCHEMA_VERSION"]  # and, on demand, SQLiteGraphStore


def __getattr__(name: str):
    # The facade lives in `..sqlite_store` (it imports LangChain's base class, 0.5 s): a command that only
    # reads the file (`doclinks stats`) opens the backend without it.
    if name == "SQLiteGraphStore":
        from ..sqlite_store import SQLiteGraphStore

        return SQLiteGraphStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
