"""The SQLite backend's writes (`SQLiteWrites`, a part of `SQLiteBackend`): each one ``BEGIN IMMEDIATE``
transaction that also logs the keys it changed (`changes`); the in-process caches change only once it
has committed."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from ...errors import StoreError
from ...records import ChunkRecord
from ...vector_cache import VectorCache
from ..table_rows import check_dimension, check_missing, link_rows
from .changes import ChangeLog
from .schema import IN

__all__ = ["SQLiteWrites"]


class SQLiteWrites(ChangeLog):
    """The writes of `SQLiteBackend` (a part: it logs what it changes, `ChangeLog`; see `Backend` for each
    method)."""

    def set_setting(self, name: str, value: str) -> None:
        """See `Backend.set_setting`."""
        self._check_writable()
        with self._errors(), self._transaction():
            self._conn.execute("INSERT OR REPLACE INTO doclinks_meta VALUES (?, ?)", (f"setting:{name}", value))

    def _unlink(self, keys: list[int]) -> set[int]:
        """Remove the links and filter rows of `keys`; return the tags whose degree changes."""
        arg = (json.dumps(keys),)
        c = self._conn
        touched = {r[0] for r in c.execute(f"SELECT tag_id FROM in_links WHERE chunk IN {IN}", arg)}
        c.execute(f"DELETE FROM out_links WHERE chunk IN {IN}", arg)
        c.execute(f"DELETE FROM in_links WHERE chunk IN {IN}", arg)
        c.execute(f"DELETE FROM chunk_meta WHERE chunk IN {IN}", arg)
        return touched

    def _update_degrees(self, tag_ids: set[int]) -> None:
        # Recounted, not incremented: the stored degree is always exact.
        self._conn.execute(
            "UPDATE tags SET in_degree = (SELECT count(*) FROM in_links i WHERE i.tag_id = tags.tag_id) "
            f"WHERE tag_id IN {IN}",
            (json.dumps(sorted(tag_ids)),),
        )

    def _tag_id(self, kind: str, tag: str, new: dict[tuple[str, str], int]) -> int:
        key = (kind, tag)
        found = self._tag_ids.get(key) or new.get(key)
        if found is not None:
            return found
        row = self._conn.execute("SELECT tag_id FROM tags WHERE kind = ? AND tag = ?", key).fetchone()
        tag_id: int | None = (
            row[0] if row else self._conn.execute("INSERT INTO tags (kind, tag) VALUES (?, ?)", key).lastrowid
        )
        assert tag_id is not None  # an INSERT's cursor always has a lastrowid
        new[key] = tag_id
        return tag_id

    def _check_writable(self) -> None:
        """Raise StoreError when the store was opened read-only."""
        if self.settings.read_only:
            raise StoreError(f"{self!r} was opened read-only (SQLiteSettings(read_only=True)): it cannot be changed")

    def write(self, records: list[ChunkRecord]) -> None:
        """See `Backend.write`."""
        self._check_writable()
        vectors = [r.written_vector() for r in records]
        dim = vectors[0].shape[0]
        ids_arg = (json.dumps([r.id for r in records]),)
        new_tags: dict[tuple[str, str], int] = {}
        with self._errors(), self._transaction():
            c = self._conn
            # Read again inside the transaction: another process may have written first.
            row = c.execute("SELECT value FROM doclinks_meta WHERE key='dimension'").fetchone()
            if row is None:
                c.execute("INSERT INTO doclinks_meta VALUES ('dimension', ?)", (str(dim),))
            else:
                check_dimension(dim, int(row[0]))
            existing = dict(c.execute(f"SELECT id, key FROM chunks WHERE id IN {IN}", ids_arg).fetchall())
            touched = self._unlink(list(existing.values())) if existing else set()
            c.executemany(
                "INSERT INTO chunks (id, content, metadata, links, vector) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET content = excluded.content, metadata = excluded.metadata, "
                "links = excluded.links, vector = excluded.vector",
                [(r.id, r.content, r.metadata_json, r.links_json, v.tobytes()) for r, v in zip(records, vectors)],
            )
            keys = dict(c.execute(f"SELECT id, key FROM chunks WHERE id IN {IN}", ids_arg).fetchall())
            rows = link_rows(records, keys, lambda pair: self._tag_id(*pair, new_tags))
            touched |= rows.in_tag_ids()
            c.executemany("INSERT INTO out_links (chunk, tag_id) VALUES (?, ?)", rows.out_rows)
            c.executemany("INSERT INTO in_links (tag_id, chunk) VALUES (?, ?)", rows.in_rows)
            c.executemany("INSERT INTO chunk_meta (key, value, chunk) VALUES (?, ?, ?)", rows.meta_rows)
            if touched:
                self._update_degrees(touched)
            seen = self._log_changes(sorted(set(keys.values()) | set(existing.values())))
        # Committed: only now update the in-process caches.
        if seen is not None:
            self._seen_change = seen
        self._tag_ids.update(new_tags)
        if self._cache is None:
            self._dim = dim
            self._cache = VectorCache(dim)
        self._cache.set([keys[r.id] for r in records], [r.id for r in records], np.stack(vectors))

    def delete(self, ids: Sequence[str], missing: str) -> int:
        """See `Backend.delete`."""
        self._check_writable()
        with self._errors(), self._transaction():
            c = self._conn
            existing = dict(c.execute(f"SELECT id, key FROM chunks WHERE id IN {IN}", (json.dumps(ids),)).fetchall())
            keys = check_missing(ids, existing, missing)
            if keys:
                touched = self._unlink(keys)
                c.execute(f"DELETE FROM chunks WHERE key IN {IN}", (json.dumps(keys),))
                if touched:
                    self._update_degrees(touched)
                seen = self._log_changes(keys)
                if seen is not None:
                    self._seen_change = seen
        if self._cache is not None:
            self._cache.remove(keys)
        return len(keys)
