"""`InMemoryGraphStore`: everything in Python dicts and a numpy matrix, for small jobs and tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..document import Document
from ..embeddings import Embeddings
from .base import GraphStore
from .errors import UnknownIdError
from .ranking import Hit, Neighbours
from .records import ChunkRecord, decode_document
from .settings import TraversalSettings
from .vector_cache import VectorCache

__all__ = ["InMemoryGraphStore"]


@dataclass
class _Row:
    key: int
    record: ChunkRecord


class InMemoryGraphStore(GraphStore):
    """A graph store held in memory; same semantics as the database stores.

    Args:
        embedding: the embedder (None: the default MiniLM embedder).
        settings: traversal settings (default `TraversalSettings()`).

    Writes are atomic: a batch is checked completely before anything changes.
    """

    def __init__(self, embedding: Embeddings | None = None, settings: TraversalSettings | None = None) -> None:
        super().__init__(embedding, settings)
        self._rows: dict[str, _Row] = {}
        self._by_key: dict[int, _Row] = {}
        self._next_key = 0
        self._free: list[int] = []
        self._cache: VectorCache | None = None
        # Inverted indexes: (kind, tag) -> keys carrying its incoming side, and
        # (metadata key, value token) -> keys.
        self._in_index: dict[tuple[str, str], set[int]] = {}
        self._token_index: dict[tuple[str, str], set[int]] = {}

    def __repr__(self) -> str:
        return f"InMemoryGraphStore({len(self._rows)} chunks)"

    def _dimension(self) -> int | None:
        return None if self._cache is None else self._cache.dimension

    def _count(self) -> int:
        return len(self._rows)

    def _matching(self, tokens: list[tuple[str, str]]) -> set[int] | None:
        if not tokens:
            return None
        sets = sorted((self._token_index.get(t, set()) for t in tokens), key=len)
        return set(sets[0]).intersection(*sets[1:])

    def _search(self, query: np.ndarray, k: int, tokens: list[tuple[str, str]]) -> list[Hit]:
        if self._cache is None:
            return []
        return self._cache.top_k(query, k, self._matching(tokens))

    def _expand(self, keys, query, tokens, max_degree, seen) -> Neighbours:
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
        return Neighbours(keys_arr, self._cache.id_view(keys_arr), self._cache.similarities(keys_arr, query),
                          index, degree)

    def _vectors(self, keys: Sequence[int]) -> np.ndarray:
        return self._cache.vectors(keys)

    def _documents(self, keys: Sequence[int]) -> list[Document]:
        return [self._decode(self._by_key[k].record) for k in keys]

    @staticmethod
    def _decode(r: ChunkRecord) -> Document:
        return decode_document(r.id, r.content, r.metadata_json, r.links_json)

    def _stored(self, ids):
        out = {}
        for i in ids:
            row = self._rows.get(i)
            if row is not None:
                r = row.record
                out[i] = (r.content, r.metadata_json, r.links_json, r.vector)
        return out

    def _unindex(self, row: _Row) -> None:
        for tag in row.record.in_tags:
            self._in_index[tag].discard(row.key)
            if not self._in_index[tag]:
                del self._in_index[tag]
        for tok in row.record.tokens:
            self._token_index[tok].discard(row.key)
            if not self._token_index[tok]:
                del self._token_index[tok]

    def _write(self, records: list[ChunkRecord]) -> None:
        # Everything that can fail was checked before; this only mutates.
        if self._cache is None:
            self._cache = VectorCache(records[0].vector.shape[0])
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
        self._cache.set(keys, [r.id for r in records], np.stack([r.vector for r in records]))

    def _delete(self, ids: list[str], missing: str) -> int:
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
            self._cache.remove([row.key])
            self._free.append(row.key)
            n += 1
        return n

    def _get(self, ids: list[str]) -> dict[str, Document]:
        return {i: self._decode(self._rows[i].record) for i in ids if i in self._rows}
