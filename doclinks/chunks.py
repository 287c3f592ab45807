"""Documents and their chunks: `SourceDocument` (one document read from a file), `Chunk`, the stable
`chunk_id`, and the `Splitter` that cuts documents into chunks (`doclinks.sources` reads the files and
imports these from here)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import formats

__all__ = ["Chunk", "SourceDocument", "Splitter", "chunk_id"]

# Chunk ids are UUID5s in this namespace (a fixed, arbitrary UUID).
_NAMESPACE = uuid.UUID("7b0c3c52-5e0a-4d55-9a39-2f1f7c0d6a11")


@dataclass
class SourceDocument:
    """One document read from a file: its text, metadata, and what its chunk ids derive from."""

    text: str
    source: str  # the path as shown to the user
    key: str  # absolute path (+ ":line" for .jsonl): the stable part of chunk ids
    kind: str  # "text", "markdown"
    metadata: dict[str, Any] = field(default_factory=dict)
    page_starts: list[int] = field(default_factory=list)  # paged formats: where each page starts in `text`


@dataclass
class Chunk:
    """A piece of a document, ready to be linked and stored."""

    id: str
    text: str
    metadata: dict[str, Any]


def chunk_id(key: str, index: int, text: str) -> str:
    """The id of the `index`-th chunk of the document `key` with this text."""
    return str(uuid.uuid5(_NAMESPACE, json.dumps([key, index, text], ensure_ascii=False)))


class Splitter:
    """Splits documents into `Chunk`s: ``RecursiveCharacterTextSplitter`` (characters).

    Args:
        chunk_size: largest chunk, in characters (default 1000).
        chunk_overlap: characters shared by neighbouring chunks (default 0).
    """

    def __init__(self, chunk_size: int = 1000, chunk_overlap: int = 0) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        if not 0 <= chunk_overlap < chunk_size:
            raise ValueError(
                f"chunk_overlap must be at least 0 and below chunk_size ({chunk_size}), got {chunk_overlap}"
            )
        from langchain_text_splitters import Language, RecursiveCharacterTextSplitter

        common: dict[str, Any] = {"chunk_size": chunk_size, "chunk_overlap": chunk_overlap, "add_start_index": True}
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._splitters = {
            "text": RecursiveCharacterTextSplitter(**common),
            "markdown": RecursiveCharacterTextSplitter.from_language(Language.MARKDOWN, **common),
        }

    def split(self, document: SourceDocument) -> list[Chunk]:
        """The chunks of `document`, with metadata: its own, plus source, chunk and start_index (and, for a
        paged format, ``page``: the page, from 1, where the chunk starts; ``page_end`` where it ends, when
        another)."""
        if not document.text.strip():
            return []
        splitter = self._splitters[document.kind]
        pieces = splitter.create_documents([document.text])
        chunks = []
        for index, piece in enumerate(pieces):
            metadata = dict(document.metadata)
            metadata.update(source=document.source, chunk=index, start_index=piece.metadata.get("start_index", -1))
            if document.page_starts and metadata["start_index"] >= 0:
                metadata.update(
                    formats.page_span(document.page_starts, metadata["start_index"], len(piece.page_content))
                )
            chunks.append(
                Chunk(id=chunk_id(document.key, index, piece.page_content), text=piece.page_content, metadata=metadata)
            )
        return chunks
