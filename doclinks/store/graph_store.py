"""`GraphStore`: the public API every store shares, over a `Backend`.

A store keeps chunks (text, metadata, links, one vector each) and answers three kinds of
search. The facade checks every argument, embeds texts, holds the lock and the settings;
the data lives in a backend (`doclinks.store.backends`), and the searches are strategies
(`doclinks.store.strategies`) that reach the data through the backend's public methods.
`SQLiteGraphStore`, `PostgresGraphStore` and `InMemoryGraphStore` are this class with their
backend built for them. With langchain-core installed it is a ``langchain_core`` ``VectorStore``;
its LangChain methods, and where they differ from doclinks' (``semantics``), are in
`doclinks.store.langchain`.

The class is written in parts: this module (construction, lifecycle, reads by id and of the
link graph), its write path (`graph_writes.GraphWrites`), its search path
(`graph_search.GraphSearch`) and its entity-seeded searches (`entity_search.EntitySearch`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..document import Document
from ..embeddings import Embeddings, default_embeddings
from .backends.base import Backend
from .entity_search import EntitySearch
from .errors import StoreClosedError, UnknownIdError
from .filters import index_text
from .graph_search import GraphSearch
from .graph_writes import GraphWrites
from .langchain import VectorStoreAPI, check_semantics
from .records import check_count, check_ids
from .settings import TraversalSettings
from .sync import SourceSync

__all__ = ["GraphStore"]


# LangChain's VectorStore declares its own Document (and delete's **kwargs) in the signatures the parts
# define: the parts answer doclinks Documents (LangChain ones under semantics="langchain"), on purpose.
class GraphStore(GraphWrites, GraphSearch, EntitySearch, SourceSync, VectorStoreAPI):  # type: ignore[misc]
    """Chunks linked by shared tags, searchable by similarity and along links.

    Args:
        backend: where the chunks live (`doclinks.store.backends`); the store closes it.
        embedding: the embedder (anything with ``embed_documents``/``embed_query``);
            None means the default, `doclinks.embeddings.MiniLMEmbeddings`.
        settings: traversal settings (default `TraversalSettings()`).
        semantics: ``"doclinks"`` (default) or ``"langchain"``: whose answer a call gives where
            doclinks and LangChain's VectorStore differ (unknown ids, result types and metadata),
            see `doclinks.store.langchain`. ``"langchain"`` needs langchain-core.

    All methods are thread-safe (one lock per store). Async variants run the
    synchronous method in a worker thread.
    """

    def __init__(
        self,
        backend: Backend,
        embedding: Embeddings | None = None,
        settings: TraversalSettings | None = None,
        *,
        semantics: str = "doclinks",
    ) -> None:
        try:
            if not isinstance(backend, Backend):
                raise TypeError(f"backend must be a doclinks.store.backends.Backend, got {type(backend).__name__}")
            if embedding is None:
                embedding = default_embeddings()
            if not (hasattr(embedding, "embed_documents") and hasattr(embedding, "embed_query")):
                raise TypeError(
                    f"embedding must have embed_documents(texts) and embed_query(text), got {type(embedding).__name__}"
                )
            if settings is None:
                settings = TraversalSettings()
            if not isinstance(settings, TraversalSettings):
                raise TypeError(f"settings must be a TraversalSettings, got {type(settings).__name__}")
            semantics = check_semantics(semantics)
        except BaseException:
            if isinstance(backend, Backend):  # the constructors of the subclasses opened it for this store
                backend.close()
            raise
        self.backend = backend
        self.embedding = embedding
        self.settings = settings
        self.semantics = semantics
        self._lock = threading.RLock()
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.backend!r})"

    # ------------------------------------------------------------------ lifecycle
    def _check_open(self) -> None:
        """Raise StoreClosedError after `close`; else let the backend catch up (under the lock)."""
        if self._closed:
            raise StoreClosedError(f"{self!r} is closed")
        self.backend.refresh()

    def close(self) -> None:
        """Close the store; later calls raise `StoreClosedError`. Closing twice is fine."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self.backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        with self._lock:
            self._check_open()
            return self.backend.count()

    def degree_limit(self) -> int:
        """The hub limit now: tags carried (incoming side) by more chunks are not walked.

        `TraversalSettings.degree_limit` of the number of chunks stored.
        """
        with self._lock:
            self._check_open()
            return self.settings.degree_limit(self.backend.count())

    # ------------------------------------------------------------------ reads
    # doclinks Documents, not LangChain's (see the class), and the optional keyword `missing`
    def get_by_ids(self, ids: Sequence[str], *, missing: str | None = None) -> list[Document]:  # type: ignore[override]
        """The stored documents with these ids, in the order asked (an id asked twice comes twice).

        Args:
            ids: the ids.
            missing: ``"raise"``: raise `UnknownIdError` naming the unknown ids; ``"skip"``: leave
                them out; None (default): the store's semantics, ``"raise"`` for doclinks,
                ``"skip"`` for LangChain.
        """
        ids = check_ids(ids)
        if missing is None:
            missing = "skip" if self.semantics == "langchain" else "raise"
        if missing not in ("raise", "skip"):
            raise ValueError(f'missing must be "raise" or "skip", got {missing!r}')
        with self._lock:
            self._check_open()
            found = self.backend.get(list(dict.fromkeys(ids)))
        unknown = [i for i in dict.fromkeys(ids) if i not in found]
        if unknown and missing == "raise":
            raise UnknownIdError(unknown)
        return self._answer([found[i] for i in ids if i in found], similarity=False)

    def get_vectors(self, ids: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vector (unit length, float32) of each id among `ids` that the store holds.

        What adapters that rank by vectors themselves need (graph-retriever's,
        `doclinks.store.graph_retriever`); unknown ids are left out.
        """
        ids = list(dict.fromkeys(check_ids(ids)))
        with self._lock:
            self._check_open()
            stored = self.backend.stored(ids) if ids else {}
        return {i: chunk.vector for i, chunk in stored.items()}

    def stored_ids(self, ids: Iterable[str]) -> set[str]:
        """The ids among `ids` that the store holds."""
        ids = list(dict.fromkeys(check_ids(ids)))
        with self._lock:
            self._check_open()
            return self.backend.stored_ids(ids) if ids else set()

    def metadata_values(self, ids: Iterable[str], key: str) -> dict[str, Any]:
        """For each id among `ids` that the store holds: its ``metadata[key]`` (None when absent).

        Reads one metadata key of many chunks without building their Documents where the
        backend can (e.g. the ``ner_labels`` the command line records on each chunk).
        """
        ids = list(dict.fromkeys(check_ids(ids)))
        if not isinstance(key, str):
            raise TypeError(f"key must be a str, got {type(key).__name__}")
        with self._lock:
            self._check_open()
            return self.backend.metadata_values(ids, key) if ids else {}

    def iter_documents(self, batch_size: int = 1000) -> Iterator[Document]:
        """Every stored chunk as a Document (links in ``metadata["links"]``), in insertion order.

        Args:
            batch_size: chunks read at a time (default 1000); only one batch is in memory,
                and the lock is held only while a batch is read, so writes may interleave
                (a chunk written meanwhile may or may not be seen).

        A replaced chunk keeps its place; results carry no search metadata.
        """
        check_count("batch_size", batch_size)
        if batch_size == 0:
            raise ValueError("batch_size must be >= 1, got 0")
        batches = self.backend.iter_documents(batch_size)
        while True:
            with self._lock:
                self._check_open()
                batch = next(batches, None)
            if batch is None:
                return
            yield from batch

    def tag_degrees(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The degree of each ``(kind, tag)`` in `pairs`: how many chunks carry its incoming side
        (``in`` or ``bidir``); 0 for a tag no chunk receives. Compare with `degree_limit`."""
        wanted = _check_pairs(pairs)
        with self._lock:
            self._check_open()
            return self.backend.tag_degrees(sorted(wanted)) if wanted else {}

    def get_setting(self, name: str) -> str | None:
        """A value the store keeps about itself (None when never set); see `set_setting`."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty str, got {name!r}")
        with self._lock:
            self._check_open()
            return self.backend.get_setting(name)

    def tags(self) -> list[tuple[str, str]]:
        """Every ``(kind, tag)`` the store holds, on either side of a link (a tag no chunk carries
        any more may stay listed; PostgreSQL lists a tag over 1000 bytes by its digest)."""
        with self._lock:
            self._check_open()
            return self.backend.tags()

    def tag_count(self) -> int:
        """The number of distinct ``(kind, tag)`` pairs some chunk carries, on either side of a link: what
        ``doclinks stats`` counts as distinct tags (`tags` may also list tags no chunk carries any more)."""
        with self._lock:
            self._check_open()
            return self.backend.tag_count()

    def distinct_metadata_values(self, key: str, limit: int = 100_000) -> list[str]:
        """Up to `limit` (default 100,000) distinct string values stored under metadata `key`, list items
        included, sorted by code point: the vocabulary query values link to (`doclinks.query.linking`)."""
        if not isinstance(key, str):
            raise TypeError(f"key must be a str, got {type(key).__name__}")
        check_count("limit", limit)
        with self._lock:
            self._check_open()
            return self.backend.distinct_values(index_text(key), limit)

    def documents_with_tags(self, pairs: Iterable[tuple[str, str]]) -> list[Document]:
        """The stored chunks carrying a link (either side) with one of the ``(kind, tag)`` `pairs`,
        in insertion order, as Documents: the part of a corpus that a change of these tags touches."""
        wanted = _check_pairs(pairs)
        with self._lock:
            self._check_open()
            return self.backend.documents_with_tags(sorted(wanted)) if wanted else []

    # ------------------------------------------------------------------ async
    # doclinks Documents, not LangChain's (see the class), and the optional keyword `missing`
    async def aget_by_ids(self, ids: Sequence[str], *, missing: str | None = None) -> list[Document]:  # type: ignore[override]
        """Async `get_by_ids`."""
        return await asyncio.to_thread(self.get_by_ids, ids, missing=missing)


def _check_pairs(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The distinct ``(kind, tag)`` pairs of `pairs`; TypeError for anything else."""
    wanted = set()
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise TypeError(f"pairs must be (kind, tag) tuples of str, got {pair!r}")
        wanted.add(pair)
    return wanted
