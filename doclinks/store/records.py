"""Turning documents into the rows every store writes, and stored rows back into documents.

All stores share this module, so input is checked, and metadata and links are encoded,
the same way everywhere (filters: `doclinks.store.filters`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..document import Document, as_document
from ..links.link import Link, as_link, link_sides
from .filters import metadata_tokens
from .results import RESULT_KEYS

__all__ = [
    "ChunkRecord",
    "StoredChunk",
    "build_record",
    "bad_text",
    "check_vector",
    "check_ids",
    "check_count",
    "decode_document",
    "unique_batch",
]

_ID_NAMESPACE = uuid.UUID("6f1c2b1e-8d7a-4a53-9c3e-2f5b1d0a7e41")


@dataclass
class ChunkRecord:
    """One document, checked and encoded for storage."""

    id: str
    content: str
    metadata_json: str  # metadata without "links" and RESULT_KEYS
    links_json: str  # [[kind, direction, tag], ...] in the document's order
    out_tags: frozenset[tuple[str, str]]  # (kind, tag) of "out" and "bidir" links
    in_tags: frozenset[tuple[str, str]]  # (kind, tag) of "in" and "bidir" links
    tokens: frozenset[tuple[str, str]]  # (metadata key, value token) for filters
    vector: np.ndarray | None = None  # unit length float32, set before writing

    def written_vector(self) -> np.ndarray:
        """`vector`, which the store sets before any write (a ValueError naming the chunk if it did not)."""
        if self.vector is None:
            raise ValueError(f"chunk {self.id!r} has no vector: it must be embedded before it is written")
        return self.vector


class StoredChunk(NamedTuple):
    """What a backend holds for one id, as written: enough to tell whether a new version differs."""

    content: str
    metadata_json: str
    links_json: str
    vector: np.ndarray  # unit length float32


def bad_text(value: str) -> str | None:
    """Why `value` cannot be stored as text in every backend (None when it can): a NUL character
    (PostgreSQL refuses it, SQLite's JSON functions cut the text there) or a lone surrogate (not
    encodable as UTF-8)."""
    if "\x00" in value:
        return "holds a NUL character (\\x00)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (not valid Unicode text)"
    return None


def _check_texts(value: Any, where: str, what: str, depth: int = 0) -> None:
    """Raise ValueError naming the document when a str in `value` (keys and values of dicts and lists,
    recursively) cannot be stored (`bad_text`)."""
    if isinstance(value, str):
        why = bad_text(value)
        if why:
            raise ValueError(f"{where}: {what} {why}: {value!r}")
    elif isinstance(value, dict) and depth < 100:
        for key, item in value.items():
            if isinstance(key, str):
                _check_texts(key, where, f"metadata key in {what}" if depth else "a metadata key", depth + 1)
            _check_texts(item, where, f"metadata[{key!r}]" if not depth else what, depth + 1)
    elif isinstance(value, (list, tuple)) and depth < 100:
        for item in value:
            _check_texts(item, where, what, depth + 1)


def build_record(doc: Any, id: str | None, index: int) -> ChunkRecord:
    """Check one document and encode it (vector left unset).

    Args:
        doc: a doclinks or LangChain document.
        id: the id to store it under (None: the document's id, else one derived from
            its content, metadata and links, so that ingesting it again is a no-op).
        index: its position in the batch, for error messages.
    """
    doc = as_document(doc)
    where = f"document {index}" + (f" (id {id or doc.id!r})" if (id or doc.id) else "")
    metadata = dict(doc.metadata)
    raw_links = metadata.pop("links", [])
    for key in RESULT_KEYS:
        metadata.pop(key, None)
    if not isinstance(raw_links, (list, tuple)):
        raise TypeError(f'{where}: metadata["links"] must be a list, got {type(raw_links).__name__}')
    _check_texts(metadata, where, "metadata")
    if isinstance(doc.page_content, str):
        _check_texts(doc.page_content, where, "the text")
    links: list[Link] = []
    seen: set[Link] = set()
    for item in raw_links:
        link = as_link(item, f'{where}: metadata["links"]')
        _check_texts([link.kind, link.tag], where, "a link")
        if link not in seen:
            seen.add(link)
            links.append(link)
    try:
        metadata_json = json.dumps(metadata, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: metadata is not JSON-serialisable: {exc}") from None
    links_json = json.dumps([[l.kind, l.direction, l.tag] for l in links], ensure_ascii=False)
    chosen = id if id is not None else doc.id
    if chosen is None:
        chosen = str(uuid.uuid5(_ID_NAMESPACE, json.dumps([doc.page_content, metadata_json, links_json])))
    if not isinstance(chosen, str) or not chosen:
        raise ValueError(f"{where}: id must be a non-empty str, got {chosen!r}")
    _check_texts(chosen, where, "the id")
    out_tags, in_tags = link_sides(links)
    return ChunkRecord(
        id=chosen,
        content=doc.page_content,
        metadata_json=metadata_json,
        links_json=links_json,
        out_tags=out_tags,
        in_tags=in_tags,
        tokens=metadata_tokens(json.loads(metadata_json)),
    )


def decode_document(id: str, content: str, metadata_json: str, links_json: str) -> Document:
    """Rebuild a stored document; links come back as `Link` objects in ``metadata["links"]``."""
    metadata = json.loads(metadata_json)
    links = json.loads(links_json)
    if links:
        metadata["links"] = [Link(kind=k, direction=d, tag=t) for k, d, t in links]
    return Document(page_content=content, metadata=metadata, id=id)


def check_vector(vector: Any, dimension: int | None, what: str) -> np.ndarray:
    """Return `vector` as unit-length float32, or raise a ValueError naming the problem.

    Args:
        vector: a sequence of numbers.
        dimension: the store's dimension, or None when the store is still empty.
        what: names the vector in error messages (e.g. "embedding of document 3").
    """
    try:
        arr = np.asarray(vector, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not a sequence of numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{what} must be a non-empty 1-d vector, got shape {arr.shape}")
    if dimension is not None and arr.shape[0] != dimension:
        raise ValueError(f"{what} has dimension {arr.shape[0]}, but the store holds {dimension}-dimensional vectors")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or infinite values")
    with np.errstate(over="ignore"):
        norm = float(np.linalg.norm(arr))
    if not np.isfinite(norm):
        raise ValueError(f"{what} is too large to normalise (its norm overflows); scale it down")
    if norm == 0.0:
        raise ValueError(f"{what} is the zero vector (cosine similarity is undefined)")
    return (arr / norm).astype(np.float32)


def check_ids(ids: Any, what: str = "ids") -> list[str]:
    """Check a list of ids: non-empty strings (duplicates are allowed and kept)."""
    if isinstance(ids, str):
        raise TypeError(f"{what} must be a list of str, got a single str {ids!r}")
    try:
        out = list(ids)
    except TypeError:
        raise TypeError(f"{what} must be a list of str, got {type(ids).__name__}") from None
    for i in out:
        if not isinstance(i, str) or not i:
            raise TypeError(f"{what} must be non-empty str, got {i!r}")
        why = bad_text(i)
        if why:
            raise ValueError(f"{what}: id {i!r} {why}")
    return out


def check_count(name: str, value: Any, *, allow_none: bool = False) -> None:
    """Raise unless `value` is an int >= 0 (or None when allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


def unique_batch(records: Sequence[ChunkRecord]) -> list[ChunkRecord]:
    """Drop exact repeats of a record in one batch; a repeated id with other content is an error."""
    by_id: dict[str, ChunkRecord] = {}
    out = []
    for r in records:
        prev = by_id.get(r.id)
        if prev is None:
            by_id[r.id] = r
            out.append(r)
        elif (prev.content, prev.metadata_json, prev.links_json) != (r.content, r.metadata_json, r.links_json):
            raise ValueError(f"id {r.id!r} appears twice in one batch with different documents")
    return out
