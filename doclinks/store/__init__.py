"""Graph vector stores: chunks, their vectors and links, and retrieval along the links.

- `SQLiteGraphStore`: the embedded default, one file.
- `PostgresGraphStore`: PostgreSQL with pgvector, for scale (needs ``psycopg``).
- `InMemoryGraphStore`: small jobs and tests.

Semantics and measurements: docs/store.md.
"""

from .base import GraphStore
from .errors import StoreClosedError, StoreConnectionError, StoreError, UnknownIdError
from .memory import InMemoryGraphStore
from .settings import DEFAULT_MAX_TAG_DEGREE, TraversalSettings
from .sqlite import SQLiteGraphStore, SQLiteSettings

__all__ = [
    "GraphStore",
    "InMemoryGraphStore",
    "SQLiteGraphStore",
    "SQLiteSettings",
    "PostgresGraphStore",
    "PostgresSettings",
    "TraversalSettings",
    "DEFAULT_MAX_TAG_DEGREE",
    "StoreError",
    "StoreClosedError",
    "StoreConnectionError",
    "UnknownIdError",
]


def __getattr__(name: str):
    # psycopg is optional: import the PostgreSQL store only when it is asked for.
    if name in ("PostgresGraphStore", "PostgresSettings"):
        from . import postgres

        return getattr(postgres, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
