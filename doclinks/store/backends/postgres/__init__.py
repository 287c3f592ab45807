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

The parts: `connection` (settings, psycopg and pgvector's types), `backend` (`PostgresBackend`:
connecting, reconnecting, errors), `schema` (the tables), `bulk` (bulk loads and the HNSW index),
`reads`, `writes`, and `store` (`PostgresGraphStore`, the facade).
"""

from ...errors import StoreError
from .backend import PostgresBackend
from .connection import PostgresSettings  # psycopg is imported there, with what to install when missing
from .store import PostgresGraphStore

# StoreError is re-exported for callers that catch store failures from this module.
__all__ = ["PostgresGraphStore", "PostgresSettings", "PostgresBackend", "StoreError"]
