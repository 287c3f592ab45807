"""Keeping a store in sync with its sources: the `GraphStore` methods over `doclinks.store.source_records`.

`replace_sources` is the primitive: for each source, its new chunks in, the chunks of its old
version that the new one does not keep out, its record updated; for each source to delete, its
chunks and record out; all in one transaction. `sync` is LangChain's indexing API on top
(``index(docs, record_manager, vector_store, cleanup=...)``, without a separate record manager: the
store keeps the records beside the chunks, in the same transactions): documents grouped by a metadata
key, each source's content hashed, unchanged sources skipped, changed ones replaced, and with
``cleanup="full"`` every recorded source not among the documents deleted. The command line's
``doclinks ingest`` uses `replace_sources` per file (`doclinks.source_sync`), with entity extraction
of the new chunks in between.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..document import Document
from .records import build_record
from .source_records import SourceRecord

__all__ = ["SourceUpdate", "SyncResult", "SourceSync", "CLEANUP_MODES"]

#: `GraphStore.sync`'s cleanup modes. ``"scoped_full"`` is ``"incremental"`` here: a source's chunks
#: are replaced whole, so the chunks of a source seen that the documents no longer hold always go.
CLEANUP_MODES = ("incremental", "scoped_full", "full")

# Ids of documents given without one: a UUID5 of (source, index in the source, text, metadata).
_NAMESPACE = uuid.UUID("3f1d8f6e-0a44-4c55-8f0e-2b8c9c1d7e21")

#: Sources per transaction in `GraphStore.sync`.
SYNC_BATCH = 64


@dataclass
class SourceUpdate:
    """The new version of one source, for `SourceSync.replace_sources`.

    Attributes:
        source: the source's key.
        content_hash: the hash of the content the chunks were made from.
        chunk_ids: the ids of all its chunks in the new version, in order (those already stored are
            kept as they are).
        documents: the chunks to write (each with an id among `chunk_ids`): new ones, or stored ones that
            changed; links in ``metadata["links"]``.
        vectors: one vector per document, computed elsewhere (None: the store embeds them).
    """

    source: str
    content_hash: str
    chunk_ids: Sequence[str]
    documents: Sequence[Any] = ()
    vectors: Sequence[Any] | None = None


@dataclass
class SyncResult:
    """What `SourceSync.sync` did, in LangChain's counts (``num_*``: chunks) and per source."""

    num_added: int = 0  # chunks stored that were not
    num_updated: int = 0  # stored chunks rewritten (their metadata or links changed)
    num_skipped: int = 0  # chunks left as they were (their source unchanged, or the chunk identical)
    num_deleted: int = 0  # chunks deleted (of old versions, and of deleted sources)
    sources_added: list[str] = field(default_factory=list)
    sources_updated: list[str] = field(default_factory=list)
    sources_unchanged: list[str] = field(default_factory=list)
    sources_deleted: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return asdict(self)


def _check_sources(sources: Iterable[str], what: str) -> list[str]:
    out = list(sources)
    for s in out:
        if not isinstance(s, str) or not s:
            raise TypeError(f"{what} must be non-empty strs, got {s!r}")
    return out


def content_hash(documents: Sequence[Any]) -> str:
    """The hash of a source's documents: their ids, texts and metadata (links included), in order."""
    digest = hashlib.sha256()
    for d in documents:
        record = build_record(d, None, 0)
        digest.update(json.dumps([record.id, record.content, record.metadata_json, record.links_json]).encode("utf-8"))
    return digest.hexdigest()


class SourceSync:
    """`GraphStore`'s source methods (a mixin: it uses the store's lock, backend, embedder and `_upsert`)."""

    if TYPE_CHECKING:  # what it uses of `GraphStore`
        backend: Any
        embedding: Any
        _lock: Any

        def _check_open(self) -> None: ...
        def _upsert(self, records: list, given: dict[str, Any] | None) -> list[str]: ...

    def source_records(self, sources: Iterable[str] | None = None) -> dict[str, SourceRecord]:
        """The `SourceRecord` of each of `sources` the store knows (default None: every source), by source."""
        wanted = None if sources is None else list(dict.fromkeys(_check_sources(sources, "sources")))
        with self._lock:
            self._check_open()
            return self.backend.source_records(wanted) if wanted != [] else {}

    def sources_under(self, prefix: str) -> list[str]:
        """The recorded sources whose key starts with `prefix` (e.g. a folder's path and a separator), sorted."""
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
        with self._lock:
            self._check_open()
            return self.backend.sources_under(prefix)

    def replace_sources(
        self, updates: Iterable[SourceUpdate], *, delete: Iterable[str] = (), settings: dict[str, str] | None = None
    ) -> list[Document]:
        """Replace sources and delete others, in one transaction (see the module docstring).

        Args:
            updates: the new version of each source (`SourceUpdate`).
            delete: sources to delete, with their chunks (unknown ones are ignored).
            settings: store settings to set in the same transaction (`set_setting`), e.g. work the next
                run must finish if this one dies after the commit.

        Returns:
            The chunks deleted (as they were stored): those of old versions that the new ones do not
            keep, and those of deleted sources.

        Raises:
            ValueError: a document without an id, or with an id its update does not list; a source twice.
            TypeError: as `add_documents`.
        """
        updates, delete = list(updates), _check_sources(delete, "delete")
        if not updates and not delete and not settings:
            return []  # nothing to write: no transaction (a read-only store syncs unchanged sources too)
        names = _check_sources([u.source for u in updates], "sources")
        if len(set(names) | set(delete)) != len(names) + len(set(delete)):
            raise ValueError("replace_sources: a source given twice (updated twice, or updated and deleted)")
        records, given = self._source_records_to_write(updates)
        keep = {i for u in updates for i in u.chunk_ids}
        with self._lock:
            self._check_open()
            old = self.backend.source_records([*names, *delete])
            remove = list(dict.fromkeys(i for r in old.values() for i in r.chunk_ids if i not in keep))
            removed = list(self.backend.get(remove).values()) if remove else []
            if given is None and records:
                given = self._vectors_before_writing(records)  # embedded before the transaction starts
            with self.backend.atomic():
                if records:
                    self._upsert(records, given)
                if remove:
                    self.backend.delete(remove, "ignore")
                if updates:
                    self.backend.put_source_records(
                        [SourceRecord(u.source, u.content_hash, tuple(u.chunk_ids)) for u in updates]
                    )
                if delete:
                    self.backend.drop_source_records(delete)
                for name, value in (settings or {}).items():
                    self.backend.set_setting(name, value)
        return removed

    def _source_records_to_write(self, updates: list[SourceUpdate]) -> tuple[list, dict[str, Any] | None]:
        """The checked records of the updates' documents, and their vectors by id when every update gave them."""
        records: list = []
        vectors: dict[str, Any] = {}
        given_all = all(u.vectors is not None for u in updates)
        for u in updates:
            listed = set(u.chunk_ids)
            if len(listed) != len(u.chunk_ids):
                raise ValueError(f"source {u.source!r}: a chunk id listed twice")
            docs = list(u.documents)
            if u.vectors is not None and len(u.vectors) != len(docs):
                raise ValueError(f"source {u.source!r}: got {len(u.vectors)} vectors for {len(docs)} documents")
            for i, d in enumerate(docs):
                if not getattr(d, "id", None) or d.id not in listed:
                    raise ValueError(f"source {u.source!r}: document {i} has no id among the source's chunk_ids")
                records.append(build_record(d, None, len(records)))
                if u.vectors is not None:
                    vectors[d.id] = u.vectors[i]
        return records, (vectors if given_all else None)

    def _vectors_before_writing(self, records: list) -> dict[str, Any]:
        """A vector for every record: the stored one where the stored text is the same, else embedded now."""
        stored = self.backend.stored([r.id for r in records])
        vectors = {r.id: stored[r.id].vector for r in records if r.id in stored and stored[r.id].content == r.content}
        new = list({r.id: r for r in records if r.id not in vectors}.values())
        if new:
            embedded = list(self.embedding.embed_documents([r.content for r in new]))
            if len(embedded) != len(new):
                raise ValueError(f"the embedder returned {len(embedded)} vectors for {len(new)} texts")
            vectors.update(zip((r.id for r in new), embedded))
        return vectors

    def delete_sources(self, sources: Iterable[str]) -> list[Document]:
        """Delete sources, their chunks and records, in one transaction; returns the chunks deleted
        (unknown sources are ignored)."""
        return self.replace_sources([], delete=sources)

    def sync(self, documents: Iterable[Any], *, source_key: str = "source", cleanup: str = "incremental") -> SyncResult:
        """Bring the store in line with `documents`, LangChain's ``index()`` without a record manager.

        Documents are grouped by ``metadata[source_key]``; a document without an id gets a stable one
        (a UUID5 of its source, its place in the source, text and metadata). A source whose documents
        hash as recorded is skipped; any other is replaced whole (`replace_sources`, one transaction per
        `SYNC_BATCH` sources): chunks it no longer holds are deleted with their links.

        Args:
            documents: doclinks or LangChain Documents (links in ``metadata["links"]``).
            source_key: the metadata key naming each document's source (default ``"source"``).
            cleanup: ``"incremental"`` (default; or ``"scoped_full"``): only the sources among
                `documents` change; ``"full"``: every recorded source not among them is deleted too.

        Raises:
            ValueError: an unknown `cleanup`, a document without a str ``metadata[source_key]``.
        """
        if cleanup not in CLEANUP_MODES:
            raise ValueError(f"cleanup must be one of {', '.join(CLEANUP_MODES)}, got {cleanup!r}")
        groups = _grouped(documents, source_key)
        result = SyncResult()
        names = list(groups)
        with self._lock:
            recorded = self.source_records(names) if names else {}
            for start in range(0, len(names), SYNC_BATCH):
                updates = []
                for name in names[start : start + SYNC_BATCH]:
                    docs = groups[name]
                    digest = content_hash(docs)
                    old = recorded.get(name)
                    if old is not None and old.content_hash == digest:
                        result.sources_unchanged.append(name)
                        result.num_skipped += len(docs)
                        continue
                    (result.sources_updated if old is not None else result.sources_added).append(name)
                    updates.append(SourceUpdate(name, digest, [str(d.id) for d in docs], docs))
                self._count_writes(updates, result)
                result.num_deleted += len(self.replace_sources(updates))
            if cleanup == "full":
                gone = sorted(set(self.source_records()) - set(names))
                if gone:
                    result.sources_deleted = gone
                    result.num_deleted += len(self.delete_sources(gone))
        return result

    def _count_writes(self, updates: list[SourceUpdate], result: SyncResult) -> None:
        """Add the chunks the updates will add, rewrite or leave as they are to `result`'s counts."""
        docs = [d for u in updates for d in u.documents]
        if not docs:
            return
        stored = self.backend.stored([d.id for d in docs])
        for d in docs:
            old = stored.get(d.id)
            if old is None:
                result.num_added += 1
            else:
                r = build_record(d, None, 0)
                same = (old.content, old.metadata_json, old.links_json) == (r.content, r.metadata_json, r.links_json)
                if same:
                    result.num_skipped += 1
                else:
                    result.num_updated += 1


def _grouped(documents: Iterable[Any], source_key: str) -> dict[str, list[Document]]:
    """The documents by source, in order, each with an id (see `SourceSync.sync`)."""
    if not isinstance(source_key, str) or not source_key:
        raise TypeError(f"source_key must be a non-empty str, got {source_key!r}")
    groups: dict[str, list[Document]] = {}
    for i, d in enumerate(documents):
        metadata = dict(getattr(d, "metadata", None) or {})
        source = metadata.get(source_key)
        if not isinstance(source, str) or not source:
            raise ValueError(
                f"document {i}: no str metadata[{source_key!r}] naming its source (sync groups documents by it)"
            )
        group = groups.setdefault(source, [])
        doc_id = getattr(d, "id", None)
        if not doc_id:
            shown = json.dumps([source, len(group), d.page_content, _plain(metadata)], ensure_ascii=False, default=str)
            doc_id = str(uuid.uuid5(_NAMESPACE, shown))
        group.append(Document(page_content=d.page_content, metadata=metadata, id=doc_id))
    return groups


def _plain(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata with its links written as text, for an id's hash."""
    links = metadata.get("links")
    if links:
        metadata = {**metadata, "links": [repr(link) for link in links]}
    return metadata
