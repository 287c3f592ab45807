"""Source records of the in-memory backend (`doclinks.store.source_records`): a dict."""

from __future__ import annotations

from collections.abc import Sequence

from ..source_records import SourceRecord, SourceRecords

__all__ = ["MemorySourceRecords"]


class MemorySourceRecords(SourceRecords):
    """`SourceRecords` in a dict. `atomic` is the default: in memory a write cannot fail once the facade
    checked it, and a crash loses the store anyway."""

    @property
    def _records(self) -> dict[str, SourceRecord]:
        return self.__dict__.setdefault("_source_records", {})

    def source_records(self, sources: Sequence[str] | None) -> dict[str, SourceRecord]:
        """See `SourceRecords.source_records`."""
        if sources is None:
            return dict(self._records)
        return {s: self._records[s] for s in sources if s in self._records}

    def sources_under(self, prefix: str) -> list[str]:
        """See `SourceRecords.sources_under`."""
        return sorted(s for s in self._records if s.startswith(prefix))

    def put_source_records(self, records: Sequence[SourceRecord]) -> None:
        """See `SourceRecords.put_source_records`."""
        self._records.update((r.source, r) for r in records)

    def drop_source_records(self, sources: Sequence[str]) -> None:
        """See `SourceRecords.drop_source_records`."""
        for s in sources:
            self._records.pop(s, None)
