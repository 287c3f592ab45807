"""The in-memory backend: Python dicts and a numpy matrix, for small jobs and tests.

`MemoryBackend` keeps each chunk's record and two inverted indexes; `InMemoryGraphStore` is
the store on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ...document import Document
from ...embeddings import Embeddings
from ..errors import UnknownIdError
from ..filters import AllOf, AnyOf, Compare, Condition, Match, compare_token
from ..graph_store import GraphStore
from ..ranking import Neighbours
from ..records import ChunkRecord, StoredChunk, decode_document
from ..settings import TraversalSettings
from ..vector_cache import CachedSearch, VectorCache
from .base import Backend, Tokens
from .memory_sources import MemorySourceRecords

__all__ = ["MemoryBackend", "InMemoryGraphStore"]


@dataclass
class _Row:
    key: int
    record: ChunkRecord


class InMemoryGraphStore(GraphStore):
    """A graph store held in memory; same semantics as the database stores.

    Args:
        embedding: the embedder (None: the default MiniLM embedder).
        settings: traversal settings (default `TraversalSettings()`).
        semantics: ``"doclinks"`` (default) or ``"langchain"`` (see `GraphStore`).

    Writes are atomic: a batch is checked completely before anything changes.
    """

    def __init__(
        self,
        embedding: Embeddings | None = None,
        settings: TraversalSettings | None = None,
        *,
        semantics: str = "doclinks",
    ) -> None:
        super().__init__(MemoryBackend(), embedding, settings, semantics=semantics)


class MemoryBackend(MemorySourceRecords, CachedSearch, Backend):
    """Chunks in Python dicts, vectors in a `VectorCache` (see `Backend` for each method)."""

    def __init__(self) -> None:
        self._rows: dict[str, _Row] = {}
        self._by_key: dict[int, _Row] = {}
        self._settings: dict[str, str] = {}
        self._next_key = 0
        self._free: list[int] = []
        self._cache: VectorCache | None = None
        # Inverted indexes: (kind, tag) -> keys carrying its incoming side, and
        # (metadata key, value token) -> keys.
        self._in_index: dict[tuple[str, str], set[int]] = {}
        self._token_index: dict[tuple[str, str], set[int]] = {}

    def __repr__(self) -> str:
        return f"MemoryBackend({len(self._rows)} chunks)"

    def dimension(self) -> int | None:
        """See `Backend.dimension`."""
        return None if self._cache is None else self._cache.dimension

    def count(self) -> int:
        """See `Backend.count`."""
        return len(self._rows)

    def _matching(self, tokens: Tokens) -> set[int] | None:
        """Keys of the chunks that match the filter `tokens`; None for no filter."""
        return None if tokens is None else self._keys_of(tokens)

    def _keys_of(self, c: Condition) -> set[int]:
        """Set algebra over the token index. A comparison scans the index's distinct tokens (not the
        chunks): fine for the small stores this backend is for."""
        if isinstance(c, Match):
            return set().union(*(self._token_index.get((c.key, t), ()) for t in c.tokens))
        if isinstance(c, Compare):
            return set().union(*(keys for (k, t), keys in self._token_index.items()
                                 if k == c.key and compare_token(t, c.op, c.value)))  # fmt: skip
        if isinstance(c, AnyOf):
            return set().union(*(self._keys_of(p) for p in c.parts))
        if isinstance(c, AllOf):
            if not c.parts:
                return set(self._by_key)
            sets = sorted((self._keys_of(p) for p in c.parts), key=len)
            return set(sets[0]).intersection(*sets[1:])
        return set(self._by_key) - self._keys_of(c.part)

    def expand(
        self, keys: Sequence[int], query: np.ndarray, tokens: Tokens, max_degree: int, seen: set[int]
    ) -> Neighbours:
        """See `Backend.expand`."""
        allowed = self._matching(tokens)
        shared: dict[int, dict[tuple[str, str], int]] = {}
        for key in keys:
            for tag in self._by_key[key].record.out_tags:
                targets = self._in_index.get(tag, ())
                if len(targets) > max_degree:
                    continue  # a hub: not walked
                for t in targets:
                    if t in seen or (allowed is not None and t not in allowed):
                        continue
                    shared.setdefault(t, {})[tag] = len(targets)
        if not shared:
            return Neighbours.empty()
        keys_arr = np.array(sorted(shared), dtype=np.int64)
        index = np.repeat(np.arange(len(keys_arr)), [len(shared[k]) for k in keys_arr.tolist()])
        degree = np.array([d for k in keys_arr.tolist() for d in shared[k].values()], dtype=np.int64)
        cache = self._held_cache()
        return Neighbours(keys_arr, cache.id_view(keys_arr), cache.similarities(keys_arr, query), index, degree)

    def distinct_values(self, key: str, limit: int) -> list[str]:
        """See `Backend.distinct_values`: the token index."""
        return sorted({t[2:] for k, t in self._token_index if k == key and t.startswith("s:")})[:limit]

    def vectors(self, keys: Sequence[int]) -> np.ndarray:
        """See `Backend.vectors`."""
        return self._held_cache().vectors(keys)

    def documents(self, keys: Sequence[int]) -> list[Document]:
        """See `Backend.documents`."""
        return [self._decode(self._by_key[k].record) for k in keys]

    @staticmethod
    def _decode(r: ChunkRecord) -> Document:
        """A new Document of a record (callers may change it freely)."""
        return decode_document(r.id, r.content, r.metadata_json, r.links_json)

    def get(self, ids: Sequence[str]) -> dict[str, Document]:
        """See `Backend.get`."""
        return {i: self._decode(self._rows[i].record) for i in ids if i in self._rows}

    def stored(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """See `Backend.stored`."""
        out: dict[str, StoredChunk] = {}
        for i in ids:
            row = self._rows.get(i)
            if row is not None:
                r = row.record
                out[i] = StoredChunk(r.content, r.metadata_json, r.links_json, r.written_vector())
        return out

    def stored_ids(self, ids: Sequence[str]) -> set[str]:
        """See `Backend.stored_ids`."""
        return {i for i in ids if i in self._rows}

    def iter_documents(self, batch_size: int) -> Iterator[list[Document]]:
        """See `Backend.iter_documents`: dicts keep insertion order, and a replaced id its place."""
        ids = list(self._rows)  # a snapshot of the order; chunks deleted meanwhile are skipped
        for start in range(0, len(ids), batch_size):
            yield list(self.get(ids[start : start + batch_size]).values())

    def tag_degrees(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """See `Backend.tag_degrees`."""
        return {p: len(self._in_index.get(p, ())) for p in pairs}

    def get_setting(self, name: str) -> str | None:
        """See `Backend.get_setting`."""
        return self._settings.get(name)

    def set_setting(self, name: str, value: str) -> None:
        """See `Backend.set_setting`."""
        self._settings[name] = value

    def chunk_tags(self, keys: Sequence[int], max_degree: int) -> list[tuple[int, str, str, int]]:
        """See `Backend.chunk_tags`."""
        rows: list[tuple[int, str, str, int]] = []
        for key in keys:
            row = self._by_key.get(key)
            if row is not None:
                for pair in sorted(row.record.out_tags):
                    degree = len(self._in_index.get(pair, ()))
                    if degree <= max_degree:
                        rows.append((key, pair[0], pair[1], degree))
        return rows

    def tag_chunks(self, pairs: Sequence[tuple[str, str]], max_degree: int) -> list[tuple[int, str, str, int]]:
        """See `Backend.tag_chunks`."""
        rows: list[tuple[int, str, str, int]] = []
        for pair in dict.fromkeys(pairs):
            carriers = self._in_index.get(pair, ())
            if len(carriers) <= max_degree:
                rows.extend((key, pair[0], pair[1], len(carriers)) for key in sorted(carriers))
        return rows

    def tags(self) -> list[tuple[str, str]]:
        """See `Backend.tags`."""
        seen: dict[tuple[str, str], None] = {}
        for row in self._rows.values():
            seen.update(dict.fromkeys(sorted(row.record.out_tags | row.record.in_tags)))
        return list(seen)

    def tag_count(self) -> int:
        """See `Backend.tag_count`: `tags` is exact here."""
        return len(self.tags())

    def documents_with_tags(self, pairs: Sequence[tuple[str, str]]) -> list[Document]:
        """See `Backend.documents_with_tags`: a scan of the rows (they are in memory)."""
        wanted = set(pairs)
        return [
            self._decode(row.record) for row in self._rows.values()
            if not wanted.isdisjoint(row.record.out_tags) or not wanted.isdisjoint(row.record.in_tags)
        ]  # fmt: skip

    def _unindex(self, row: _Row) -> None:
        """Remove a row from the inverted indexes."""
        for tag in row.record.in_tags:
            self._in_index[tag].discard(row.key)
            if not self._in_index[tag]:
                del self._in_index[tag]
        for tok in row.record.tokens:
            self._token_index[tok].discard(row.key)
            if not self._token_index[tok]:
                del self._token_index[tok]

    def write(self, records: list[ChunkRecord]) -> None:
        """See `Backend.write`."""
        # Everything that can fail was checked before; this only mutates.
        if self._cache is None:
            self._cache = VectorCache(records[0].written_vector().shape[0])
        keys = []
        for r in records:
            old = self._rows.get(r.id)
            if old is not None:
                self._unindex(old)
                key = old.key
            elif self._free:
                key = self._free.pop()
            else:
                key = self._next_key
                self._next_key += 1
            row = _Row(key, r)
            self._rows[r.id] = row
            self._by_key[key] = row
            for tag in r.in_tags:
                self._in_index.setdefault(tag, set()).add(key)
            for tok in r.tokens:
                self._token_index.setdefault(tok, set()).add(key)
            keys.append(key)
        self._cache.set(keys, [r.id for r in records], np.stack([r.written_vector() for r in records]))

    def delete(self, ids: Sequence[str], missing: str) -> int:
        """See `Backend.delete`."""
        unknown = [i for i in ids if i not in self._rows]
        if unknown and missing == "raise":
            raise UnknownIdError(unknown)
        n = 0
        for i in ids:
            row = self._rows.pop(i, None)
            if row is None:
                continue
            self._unindex(row)
            del self._by_key[row.key]
            self._held_cache().remove([row.key])
            self._free.append(row.key)
            n += 1
        return n
