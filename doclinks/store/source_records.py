"""Source records: what a store knows of the sources its chunks came from, so that it stays in sync.

A *source* is whatever one unit of input is called by its caller: a file's absolute path for the
command line, any string a Python caller chooses (`GraphStore.sync`'s ``source_key``). For each
source the store keeps a `SourceRecord`: a hash of the content the chunks were made from, and the
ids of those chunks. A source whose hash is unchanged is skipped before anything is read or
extracted; one that changed is replaced in one transaction (`SourceRecords.atomic`): its new chunks
in, the chunks of its old version that the new one does not keep out, its record updated. So a crash
leaves each source in its old version or its new one, never both and never half.

Each backend keeps the records in a table of its own beside the chunks (SQLite ``sources``,
PostgreSQL ``<collection>_sources``, a dict in memory), made by the first write of a record, so
that stores made before it open as they are. The per-backend code is in
``backends/{memory,sqlite,postgres}_sources.py``; the facade's methods (`replace_sources`,
`delete_sources`, `sync`) are in `doclinks.store.sync`.
"""

from __future__ import annotations

import abc
import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["SourceRecord", "SourceRecords", "encode_ids", "decode_ids"]


@dataclass(frozen=True)
class SourceRecord:
    """One source as the store knows it.

    Attributes:
        source: the source's key (e.g. a file's absolute path).
        content_hash: a hash of the content its chunks were made from (any string the caller chose).
        chunk_ids: the ids of its chunks, in order.
    """

    source: str
    content_hash: str
    chunk_ids: tuple[str, ...]


def encode_ids(ids: Sequence[str]) -> str:
    """Chunk ids as the databases store them: one JSON array."""
    return json.dumps(list(ids), ensure_ascii=False)


def decode_ids(text: str) -> tuple[str, ...]:
    """The ids of `encode_ids`."""
    return tuple(json.loads(text))


class SourceRecords(abc.ABC):
    """The source-record primitives a `Backend` adds (a mixin: see the module docstring). Like the
    backend's other methods, they check nothing and take no lock: the facade does both."""

    @abc.abstractmethod
    def source_records(self, sources: Sequence[str] | None) -> dict[str, SourceRecord]:
        """The records of `sources` that are stored (None: every record), by source."""

    @abc.abstractmethod
    def sources_under(self, prefix: str) -> list[str]:
        """The recorded sources whose key starts with `prefix`, sorted."""

    @abc.abstractmethod
    def put_source_records(self, records: Sequence[SourceRecord]) -> None:
        """Insert or replace `records` (call inside `atomic`)."""

    @abc.abstractmethod
    def drop_source_records(self, sources: Sequence[str]) -> None:
        """Forget the records of `sources` (call inside `atomic`; unknown sources are ignored)."""

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction around several writes (``write``, ``delete``, ``set_setting`` and the record
        methods): all of them or, on any exception, none. The default runs them as they come (a
        backend without transactions, where nothing can fail once the facade checked the input)."""
        yield
