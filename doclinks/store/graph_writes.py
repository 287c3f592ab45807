"""The write path of `GraphStore` (`GraphWrites`, a part of the facade): upserts and deletes, each one
transaction, with their checks and the embedding of what changed, and their async twins."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from .facade_parts import FacadeParts
from .records import ChunkRecord, build_record, check_ids, check_vector, unique_batch

__all__ = ["GraphWrites"]


class GraphWrites(FacadeParts):
    """The writes of `GraphStore` (a mixin: it uses the store's lock, backend, embedder and semantics)."""

    def add_documents(self, documents: Iterable[Any], ids: Sequence[str] | None = None, **kwargs: Any) -> list[str]:
        """Upsert documents (doclinks or LangChain), in one transaction.

        A document whose id is already stored is replaced, with its links and
        vector. Ingesting the same documents again changes nothing (a document whose
        text is unchanged is not embedded again). Ids come from `ids`, else from each
        document's ``id``, else they are derived from the content, metadata and links
        (a UUID5), so re-ingesting id-less documents is also a no-op.

        Args:
            documents: the documents; ``metadata["links"]`` holds their links.
            ids: optional ids, one per document (default None).
            kwargs: LangChain's ``batch_size`` (what ``langchain_core.indexing.index`` passes) is accepted
                and has no effect: the documents are written in one transaction; any other is a TypeError.

        Returns:
            The ids, one per document, in order.

        Raises:
            ValueError: `ids` of the wrong length, one id twice with different
                documents, or an embedding of the wrong dimension, NaN or zero.
            TypeError: metadata that is not JSON-serialisable, or a non-Link link.
        """
        unknown = sorted(set(kwargs) - {"batch_size"})
        if unknown:
            raise TypeError(f"add_documents() got unexpected keyword arguments: {', '.join(unknown)}")
        docs = list(documents)
        if ids is not None:
            ids = check_ids(ids)
            if len(ids) != len(docs):
                raise ValueError(f"got {len(ids)} ids for {len(docs)} documents")
        records = [build_record(d, None if ids is None else ids[i], i) for i, d in enumerate(docs)]
        return self._upsert(records, None)

    def add_embedded_documents(self, documents: Iterable[Any], vectors: Sequence[Any]) -> list[str]:
        """Upsert documents whose vectors were computed elsewhere, in one transaction.

        As `add_documents`, but nothing is embedded: each document comes with its vector (e.g. from
        the workers of a distributed ingest, `doclinks.scale`, embedding with this store's embedder).
        A document stored with the same text keeps its stored vector, as `add_documents` keeps it;
        one stored identical is not written.

        Args:
            documents: the documents, each with an ``id``; ``metadata["links"]`` holds their links.
            vectors: one vector per document (any length: they are normalised to unit length).

        Returns:
            The ids, one per document, in order.

        Raises:
            ValueError: a vector count other than the documents', a document without an id, one id
                twice with different documents, a vector of the wrong dimension, NaN or zero.
            TypeError: metadata that is not JSON-serialisable, or a non-Link link.
        """
        docs = list(documents)
        vectors = list(vectors)
        if len(vectors) != len(docs):
            raise ValueError(f"got {len(vectors)} vectors for {len(docs)} documents")
        for i, d in enumerate(docs):
            if not getattr(d, "id", None):
                raise ValueError(f"document {i}: add_embedded_documents needs documents with ids")
        records = [build_record(d, None, i) for i, d in enumerate(docs)]
        given: dict[str, Any] = {}
        for r, v in zip(records, vectors):
            given.setdefault(r.id, v)
        return self._upsert(records, given)

    def _upsert(self, records: list[ChunkRecord], given: dict[str, Any] | None) -> list[str]:
        """Write `records` (skipping stored identical ones) with vectors: `given` by id, else embedded."""
        out_ids = [r.id for r in records]
        records = unique_batch(records)
        if not records:
            return out_ids
        with self._lock:
            self._check_open()
            stored = self.backend.stored([r.id for r in records])
            dim = self.backend.dimension()
            to_write: list[ChunkRecord] = []
            to_embed: list[ChunkRecord] = []
            for r in records:
                old = stored.get(r.id)
                if old is not None and old.content == r.content:
                    if (old.metadata_json, old.links_json) == (r.metadata_json, r.links_json):
                        continue  # identical: nothing to write
                    r.vector = old.vector  # same text: no need to embed it again
                    to_write.append(r)
                else:
                    to_embed.append(r)
                    to_write.append(r)
            if to_embed:
                if given is not None:
                    vectors = [given[r.id] for r in to_embed]
                else:
                    vectors = list(self.embedding.embed_documents([r.content for r in to_embed]))
                if len(vectors) != len(to_embed):
                    raise ValueError(f"the embedder returned {len(vectors)} vectors for {len(to_embed)} texts")
                for r, v in zip(to_embed, vectors):
                    r.vector = check_vector(v, dim, f"embedding of document {r.id!r}")
                    dim = r.vector.shape[0]
            if to_write:
                self.backend.write(to_write)
        return out_ids

    def delete(self, ids: Sequence[str] | None = None, *, missing: str | None = None) -> int | bool:
        """Delete documents, their links and vectors, in one transaction.

        Args:
            ids: the ids to delete. None (default) deletes every document with LangChain
                semantics (LangChain's contract) and is a TypeError with doclinks'.
            missing: ``"raise"``: if any id is unknown, raise `UnknownIdError` and delete
                nothing; ``"ignore"``: skip unknown ids; None (default): the store's
                semantics, ``"raise"`` for doclinks, ``"ignore"`` for LangChain.

        Returns:
            doclinks semantics: the number of documents deleted; LangChain's: True.
        """
        langchain = self.semantics == "langchain"
        if missing is None:
            missing = "ignore" if langchain else "raise"
        if missing not in ("raise", "ignore"):
            raise ValueError(f'missing must be "raise" or "ignore", got {missing!r}')
        if ids is None and langchain:
            with self._lock:
                self._check_open()
                every = [d.id for batch in self.backend.iter_documents(10_000) for d in batch if d.id is not None]
                if every:
                    self.backend.delete(every, "ignore")
            return True
        ids = list(dict.fromkeys(check_ids(ids)))
        with self._lock:
            self._check_open()
            deleted = self.backend.delete(ids, missing) if ids else 0
        return True if langchain else deleted

    def set_setting(self, name: str, value: str) -> None:
        """Keep a value about the store in the store (e.g. how its tags were normalised), transactionally;
        the store must hold chunks (a PostgreSQL collection exists from its first chunk on)."""
        if not isinstance(name, str) or not name or not isinstance(value, str):
            raise TypeError(f"name and value must be str, got {name!r}: {value!r}")
        with self._lock:
            self._check_open()
            self.backend.set_setting(name, value)

    async def aadd_documents(
        self, documents: Iterable[Any], ids: Sequence[str] | None = None, **kwargs: Any
    ) -> list[str]:
        """Async `add_documents` (runs in a worker thread)."""
        return await asyncio.to_thread(self.add_documents, list(documents), ids, **kwargs)

    async def aadd_embedded_documents(self, documents: Iterable[Any], vectors: Sequence[Any]) -> list[str]:
        """Async `add_embedded_documents` (runs in a worker thread)."""
        return await asyncio.to_thread(self.add_embedded_documents, list(documents), list(vectors))

    async def adelete(self, ids: Sequence[str] | None = None, *, missing: str | None = None) -> int | bool:
        """Async `delete`."""
        return await asyncio.to_thread(self.delete, ids, missing=missing)
