"""Ingest through the service: texts from the request body (never a server-side path), split and linked
as ``doclinks ingest`` does (`doclinks.pipeline.ingest_chunks`), written by the writer store.

A document's chunk ids derive from ``"api:" + its id`` (or, without an id, a digest of its text), its
chunk index and the chunk's text (`doclinks.sources.chunk_id`): sending the same documents again stores
nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Protocol

from .errors import RequestError
from .settings import Limits

__all__ = ["ingest_documents", "parse_jsonl"]

#: Metadata keys the ingest sets itself; a document's own keys of these names are stored as ``meta_<key>``.
_RESERVED = ("source", "line", "chunk", "start_index", "links", "entities", "ner_labels")


class IngestService(Protocol):
    """What an ingest needs of the service (`doclinks.serve.service.Service`): its limits, checks,
    extractor and writer store (named here, not imported: the service imports this module)."""

    limits: Limits
    writer: Any

    def check_text(self, text: Any, field: str, limit: int | None = None) -> str: ...

    def check_int(self, value: Any, field: str, low: int, high: int) -> int: ...

    def check_labels(self, labels: Any, field: str = "labels") -> list[str]: ...

    def extractor(self, labels: Sequence[str], threshold: float = 0.5, min_link_score: float | None = None) -> Any: ...


def parse_jsonl(body: bytes, text_field: str = "text") -> list[dict[str, Any]]:
    """The documents of a JSONL body: one JSON object per non-blank line, its `text_field` the text, its
    ``id`` the document id, every other field metadata. Raises `RequestError` naming the line."""
    try:
        lines = body.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise RequestError("body", f"not UTF-8 (byte {exc.start})") from None
    documents = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise RequestError(f"line {number}", f"not valid JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise RequestError(f"line {number}", f"expected a JSON object, got {type(obj).__name__}")
        text = obj.pop(text_field, None)
        doc_id = obj.pop("id", None)
        documents.append({"text": text, "id": doc_id, "metadata": obj, "_field": f"line {number}"})
    return documents


def ingest_documents(service: IngestService, documents: Any, labels: Any, *, chunk_size: int = 1000,
                     threshold: float = 0.5) -> dict[str, Any]:  # fmt: skip
    """Check every document first (nothing is written when one is bad), then ingest them all."""
    from ..pipeline import IngestSettings, ingest_chunks
    from ..sources import SourceDocument, Splitter

    limits = service.limits
    labels = service.check_labels(labels)
    chunk_size = service.check_int(chunk_size, "chunk_size", 50, 100_000)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise RequestError("threshold", f"must lie in (0, 1), got {threshold!r}")
    if not isinstance(documents, list) or not documents:
        raise RequestError("documents", "expected a non-empty list of documents")
    if len(documents) > limits.max_documents:
        raise RequestError("documents", f"{len(documents)} documents; the limit is {limits.max_documents}", 413)
    sources = []
    for i, doc in enumerate(documents):
        where = doc.get("_field", f"documents[{i}]") if isinstance(doc, dict) else f"documents[{i}]"
        if not isinstance(doc, dict):
            raise RequestError(where, "expected an object with a text")
        text = service.check_text(doc.get("text"), f"{where}.text")
        doc_id = doc.get("id")
        if doc_id is not None:
            doc_id = service.check_text(doc_id if isinstance(doc_id, str) else str(doc_id), f"{where}.id", 1_000)
        metadata = doc.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise RequestError(f"{where}.metadata", "expected an object")
        try:
            encoded = json.dumps(metadata, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise RequestError(f"{where}.metadata", f"not JSON-serialisable ({exc})") from None
        if "\\u0000" in encoded or "\x00" in encoded:
            raise RequestError(f"{where}.metadata", "holds a NUL character")
        metadata = {(f"meta_{k}" if k in _RESERVED or k.startswith("_") else k): v for k, v in metadata.items()}
        key = "api:" + (doc_id or "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest())
        sources.append(SourceDocument(text=text, source=doc_id or "api", key=key, kind="text", metadata=metadata))
    splitter = Splitter(chunk_size=chunk_size)
    chunks = [chunk for source in sources for chunk in splitter.split(source)]
    settings = IngestSettings(labels=labels, threshold=float(threshold))
    extractor = service.extractor(labels, settings.threshold, settings.min_link_score)
    report = ingest_chunks(service.writer, chunks, settings, extractor=extractor)
    return {**report.to_dict(), "ids": list(dict.fromkeys(c.id for c in chunks))}
