"""Graph vector stores: chunks, their vectors and links, and retrieval along the links.

- `SQLiteGraphStore`: the embedded default, one file.
- `PostgresGraphStore`: PostgreSQL with pgvector, for scale (needs ``psycopg``).
- `InMemoryGraphStore`: small jobs and tests.

Each is a `GraphStore` (the public API, `graph_store`) on a `Backend` (`backends`); the searches
are strategies over a backend (`strategies`). A new backend passes the compliance suite in
`doclinks.store.testing.compliance`. Semantics and measurements: docs/store.md.
"""

from .backends.base import Backend
from .backends.memory import InMemoryGraphStore
from .backends.sqlite import SQLiteGraphStore, SQLiteSettings
from .errors import StoreClosedError, StoreConnectionError, StoreError, UnknownIdError
from .graph_store import GraphStore
from .results import SEARCH_TYPES
from .settings import DEFAULT_MAX_TAG_DEGREE, TraversalSettings

__all__ = [
    "GraphStore",
    "Backend",
    "InMemoryGraphStore",
    "SQLiteGraphStore",
    "SQLiteSettings",
    "PostgresGraphStore",
    "PostgresSettings",
    "TraversalSettings",
    "DEFAULT_MAX_TAG_DEGREE",
    "SEARCH_TYPES",
    "StoreError",
    "StoreClosedError",
    "StoreConnectionError",
    "UnknownIdError",
]


def __getattr__(name: str):
    # psycopg is optional: import the PostgreSQL store only when it is asked for.
    if name in ("PostgresGraphStore", "PostgresSettings"):
        from .backends import postgres

        return getattr(postgres, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
