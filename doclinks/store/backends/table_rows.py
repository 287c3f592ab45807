"""What the SQL backends (`sqlite`, `postgres`) share: the rows a batch of records writes to the link
and filter tables, and the checks every write and delete makes the same way.

Both databases hold the same tables (``chunks``, ``tags``, ``out_links``, ``in_links``, ``chunk_meta``);
they differ in how a set of values reaches SQL (a JSON array for SQLite, arrays for PostgreSQL), not in
which rows are written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..errors import UnknownIdError
from ..records import ChunkRecord

__all__ = ["LinkRows", "link_rows", "check_dimension", "check_missing"]


class LinkRows:
    """The rows a batch writes: ``out_links`` ``(chunk, tag_id)``, ``in_links`` ``(tag_id, chunk)`` and
    ``chunk_meta`` ``(key, value, chunk)``, in record order."""

    __slots__ = ("in_rows", "meta_rows", "out_rows")

    def __init__(self) -> None:
        self.out_rows: list[tuple[int, int]] = []
        self.in_rows: list[tuple[int, int]] = []
        self.meta_rows: list[tuple[str, str, int]] = []

    def in_tag_ids(self) -> set[int]:
        """The tags whose incoming degree the batch changes."""
        return {tag_id for tag_id, _ in self.in_rows}


def link_rows(
    records: Sequence[ChunkRecord], keys: Mapping[str, int], tag_id: Callable[[tuple[str, str]], int]
) -> LinkRows:
    """The link and filter rows of `records`, whose chunk keys are ``keys[record.id]`` and whose tags'
    ids are ``tag_id((kind, tag))``."""
    rows = LinkRows()
    for r in records:
        key = keys[r.id]
        rows.out_rows.extend((key, tag_id(t)) for t in r.out_tags)
        rows.in_rows.extend((tag_id(t), key) for t in r.in_tags)
        rows.meta_rows.extend((k, v, key) for k, v in r.tokens)
    return rows


def check_dimension(dim: int, stored: int | None) -> None:
    """ValueError when a batch's vectors (`dim`) differ from the store's (`stored`; None: none yet)."""
    if stored is not None and stored != dim:
        raise ValueError(f"embeddings have dimension {dim}, but the store holds {stored}-dimensional vectors")


def check_missing(ids: Sequence[str], existing: Mapping[str, int], missing: str) -> list[int]:
    """The keys of the stored ids among `ids` (`existing`: id -> key) for a delete; with
    ``missing="raise"``, `UnknownIdError` naming the ids not stored, before anything is deleted."""
    unknown = [i for i in ids if i not in existing]
    if unknown and missing == "raise":
        raise UnknownIdError(unknown)
    return list(existing.values())
