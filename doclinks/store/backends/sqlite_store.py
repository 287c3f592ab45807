"""`SQLiteGraphStore`: the `GraphStore` facade on the SQLite backend (`backends.sqlite`), the embedded default.

It imports the backend's modules, not the package, which offers this class on demand (no import cycle).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from ...embeddings import Embeddings
from ..graph_store import GraphStore
from ..settings import TraversalSettings
from .sqlite.backend import SQLiteBackend
from .sqlite.schema import SQLiteSettings

__all__ = ["SQLiteGraphStore"]


class SQLiteGraphStore(GraphStore):
    """A graph store in one SQLite file.

    Args:
        path: the database file; created if absent (its folder must exist), unless
            ``sqlite.read_only``.
        embedding: the embedder (default None: the MiniLM default embedder).
        settings: traversal settings (default `TraversalSettings()`).
        sqlite: connection settings (default `SQLiteSettings()`).
        semantics: ``"doclinks"`` (default) or ``"langchain"`` (see `GraphStore`).

    ``path=":memory:"`` is a private in-memory SQLite database, gone when the store closes: what
    ``from_texts``/``from_documents`` (LangChain's constructors) use when given no ``path``.

    Raises:
        StoreConnectionError: the file cannot be opened or is not a database.
        StoreError: the file holds another database, or a doclinks store of another schema
            version (or, read-only, no doclinks store at all).
    """

    FROM_TEXTS_DEFAULTS: ClassVar[dict[str, Any]] = {"path": ":memory:"}

    def __init__(
        self,
        path: str | os.PathLike,
        embedding: Embeddings | None = None,
        settings: TraversalSettings | None = None,
        sqlite: SQLiteSettings | None = None,
        *,
        semantics: str = "doclinks",
    ) -> None:
        backend = SQLiteBackend(path, sqlite)
        super().__init__(backend, embedding, settings, semantics=semantics)
        self.path = backend.path
        self.sqlite_settings = backend.settings
