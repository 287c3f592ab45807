"""`PostgresGraphStore`: the `GraphStore` facade on the PostgreSQL backend, with its bulk loads."""

from __future__ import annotations

import contextlib

from ....embeddings import Embeddings
from ...graph_store import GraphStore
from ...settings import TraversalSettings
from .backend import PostgresBackend
from .connection import PostgresSettings

__all__ = ["PostgresGraphStore"]


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

    backend: PostgresBackend  # the bulk loads use its begin_bulk and end_bulk

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
