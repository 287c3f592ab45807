"""`Backend`: the storage a `GraphStore` runs on, one subclass per database.

A backend stores chunks (`ChunkRecord`: text, metadata, links, one unit-length vector) and
answers the few questions the searches ask (`search`, `expand`, `vectors`, `documents`) and
those the command line asks (`iter_documents`, `tag_degrees`, `stored_ids`, `metadata_values`).
It checks nothing about its input and takes no lock: the `GraphStore` facade checks every
argument and calls one backend method at a time. A new backend subclasses `Backend` and
passes the compliance suite, `doclinks.store.testing.compliance`.

Each chunk has a *key*: an int the backend chooses, stable while the chunk is stored, by
which the searches address it. Filters arrive compiled (`doclinks.store.filters.compile_filter`):
a condition tree over the ``(metadata key, value token)`` pairs of a chunk (`ChunkRecord.tokens`),
or None for no filter; a backend answers it with its own index, not by reading the chunks.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ...document import Document
from ..filters import Condition
from ..ranking import Hit, Neighbours
from ..records import ChunkRecord, StoredChunk, decode_document

__all__ = ["Backend", "Tokens", "documents_by_key"]

#: A filter as the backends read it: a compiled condition (`doclinks.store.filters.Condition`), None for none.
Tokens = Condition | None


class Backend(abc.ABC):
    """The storage primitives of a graph store (see the module docstring)."""

    # ------------------------------------------------------------------ size
    @abc.abstractmethod
    def dimension(self) -> int | None:
        """Dimension of the stored vectors; None while the backend has never held a vector."""

    @abc.abstractmethod
    def count(self) -> int:
        """Number of chunks stored."""

    # ------------------------------------------------------------------ searches
    @abc.abstractmethod
    def search(self, query: np.ndarray, k: int, tokens: Tokens) -> list[Hit]:
        """The `k` chunks most similar (cosine) to the unit-length `query` that match `tokens`.

        Best first, ties by id ascending, cut exactly at `k` (see `ranking.exact_top_k`).
        """

    @abc.abstractmethod
    def expand(
        self, keys: Sequence[int], query: np.ndarray, tokens: Tokens, max_degree: int, seen: set[int]
    ) -> Neighbours:
        """The chunks one hop from `keys`, with each walked tag they share, as `Neighbours`.

        A chunk is one hop away when it carries the incoming side (``in``/``bidir``) of a
        ``(kind, tag)`` whose outgoing side (``out``/``bidir``) one of `keys` carries, that
        tag's degree (chunks carrying its incoming side) is at most `max_degree`, it matches
        `tokens`, and its key is not in `seen`. Similarities are to the unit-length `query`.
        """

    @abc.abstractmethod
    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        """The unit-length float32 vectors of `keys`: one row each, in order."""

    @abc.abstractmethod
    def documents(self, keys: Sequence[int]) -> list[Document]:
        """The Documents of `keys` (links in ``metadata["links"]``), in order."""

    # ------------------------------------------------------------------ reads by id
    @abc.abstractmethod
    def get(self, ids: Sequence[str]) -> dict[str, Document]:
        """The Documents of the ids stored among `ids` (unique), by id."""

    @abc.abstractmethod
    def stored(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """What is stored for the ids stored among `ids` (unique), by id: text, metadata and links
        as written, and the vector."""

    def stored_ids(self, ids: Sequence[str]) -> set[str]:
        """The ids among `ids` that are stored. (This default reads whole documents; a database
        backend reads the ids alone.)"""
        return set(self.get(ids))

    def metadata_values(self, ids: Sequence[str], key: str) -> dict[str, Any]:
        """For each id stored among `ids`: its ``metadata[key]``, None when it has no such key."""
        return {i: doc.metadata.get(key) for i, doc in self.get(ids).items()}

    def distinct_values(self, key: str, limit: int) -> list[str]:
        """Up to `limit` distinct string values stored under metadata `key` (list items included), sorted:
        the vocabulary a query's values link to. (This default scans the documents; a database backend
        reads its filter index.)"""
        found: set[str] = set()
        for batch in self.iter_documents(1000):
            for doc in batch:
                value = doc.metadata.get(key)
                found.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
        return sorted(found)[:limit]

    @abc.abstractmethod
    def iter_documents(self, batch_size: int) -> Iterator[list[Document]]:
        """Every chunk's Document, in insertion order (a replaced chunk keeps its place), in
        lists of at most `batch_size`; each list is read when it is asked for, so a large store
        is never held in memory at once."""

    @abc.abstractmethod
    def tag_degrees(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The degree of each ``(kind, tag)`` in `pairs`: the number of chunks carrying its
        incoming side (0 for a tag no chunk receives)."""

    @abc.abstractmethod
    def get_setting(self, name: str) -> str | None:
        """A value the store keeps about itself (None when never set), e.g. how its tags were normalised."""

    @abc.abstractmethod
    def set_setting(self, name: str, value: str) -> None:
        """Keep `value` under `name` (replacing any), in one transaction; the store must hold chunks."""

    @abc.abstractmethod
    def chunk_tags(self, keys: Sequence[int], max_degree: int) -> list[tuple[int, str, str, int]]:
        """The walkable tags of chunks: ``(key, kind, tag, degree)`` for every outgoing side
        (``out``/``bidir``) that a chunk of `keys` carries, of degree <= `max_degree`."""

    @abc.abstractmethod
    def tag_chunks(self, pairs: Sequence[tuple[str, str]], max_degree: int) -> list[tuple[int, str, str, int]]:
        """The chunks a walk reaches through tags: ``(key, kind, tag, degree)`` for every chunk carrying
        the incoming side (``in``/``bidir``) of one of `pairs`, for tags of degree <= `max_degree`."""

    @abc.abstractmethod
    def tags(self) -> list[tuple[str, str]]:
        """Every ``(kind, tag)`` stored (either side), as the database holds it (PostgreSQL keeps a
        tag over 1000 bytes as its digest, `doclinks.store.filters.index_text`)."""

    @abc.abstractmethod
    def tag_count(self) -> int:
        """The number of distinct ``(kind, tag)`` pairs some chunk carries (either side): `tags` less the
        tags no chunk carries any more (e.g. a short tag that corpus normalisation merged into a longer one)."""

    @abc.abstractmethod
    def documents_with_tags(self, pairs: Sequence[tuple[str, str]]) -> list[Document]:
        """The Documents of the chunks that carry a link (either side) with one of `pairs`, in
        insertion order: what an incremental tag normalisation reads instead of the corpus."""

    # ------------------------------------------------------------------ writes
    @abc.abstractmethod
    def write(self, records: list[ChunkRecord]) -> None:
        """Insert or replace `records` (ids unique, vectors set, of one dimension) in one
        transaction: all of them or, on any error, none."""

    @abc.abstractmethod
    def delete(self, ids: Sequence[str], missing: str) -> int:
        """Delete the chunks of `ids` (unique) in one transaction; return how many were deleted.

        Args:
            ids: the ids.
            missing: ``"raise"``: when an id is not stored, raise `UnknownIdError` and delete
                nothing; ``"ignore"``: skip such ids.
        """

    # ------------------------------------------------------------------ lifecycle
    def refresh(self) -> None:  # noqa: B027 - an optional hook: backends without state to reload keep this no-op
        """Catch up before an operation: reload what another process changed, reconnect after a
        lost connection. The default does nothing."""

    def close(self) -> None:  # noqa: B027 - an optional hook: backends without resources keep this no-op
        """Release connections and memory (called once, by the store's `close`). The default
        does nothing."""


def documents_by_key(read: Callable[[int, int], Sequence[tuple]], batch_size: int) -> Iterator[list[Document]]:
    """`Backend.iter_documents` of a database whose keys grow with insertion (an upsert keeps its key).

    Args:
        read: ``read(after, limit)`` -> up to `limit` rows ``(key, id, content, metadata_json,
            links_json)`` of the keys above `after` (-1 before the first), ordered by key.
        batch_size: rows read at a time.
    """
    last = -1
    while rows := read(last, batch_size):
        last = rows[-1][0]
        yield [decode_document(*r[1:]) for r in rows]
