"""Backends: where a graph store's chunks live (`Backend`, and one module per database).

`memory` (Python dicts), `sqlite` (one file), `postgres` (PostgreSQL + pgvector; needs psycopg).
Each module also defines its public store, the `GraphStore` built on that backend.
"""

from .base import Backend, Tokens

__all__ = ["Backend", "Tokens"]
