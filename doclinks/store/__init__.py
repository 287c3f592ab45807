"""Graph vector stores: chunks, their vectors and links, and retrieval along the links.

- `SQLiteGraphStore`: the embedded default, one file.
- `PostgresGraphStore`: PostgreSQL with pgvector, for scale (needs ``psycopg``).
- `InMemoryGraphStore`: small jobs and tests.

Each is a `GraphStore` (the public API, `graph_store`) on a `Backend` (`backends`); the searches
are strategies over a backend (`strategies`). A new backend passes the compliance suite in
`doclinks.store.testing.compliance`. Semantics and measurements: docs/store.md.
"""

from .backends.base import Backend
from .backends.sqlite import SQLiteSettings
from .errors import StoreClosedError, StoreConnectionError, StoreError, UnknownIdError
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


# Imported when first asked for: the stores subclass LangChain's VectorStore (langchain-core takes ~0.5 s
# to import), which a command that only reads a file does not need; psycopg is optional.
_LAZY = {
    "GraphStore": "graph_store",
    "InMemoryGraphStore": "backends.memory",
    "SQLiteGraphStore": "backends.sqlite_store",
    "PostgresGraphStore": "backends.postgres",
    "PostgresSettings": "backends.postgres",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
