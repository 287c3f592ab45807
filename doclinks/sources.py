"""Input files: find them, read them, split them into chunks with stable ids.

Files: ``.txt`` and ``.md`` (one document per file, UTF-8) and ``.jsonl`` (one document
per line: a JSON object whose text field, ``"text"`` by default, is the document and whose
other fields become its metadata). Folders are searched recursively; hidden files and
folders (a name starting with ".") are skipped.

Chunks come from LangChain's ``RecursiveCharacterTextSplitter`` (Markdown separators for
``.md``). A chunk's id is a UUID5 of its source (the file's absolute path, plus the line for
``.jsonl``), its index in the document and its text: the same file ingested again gives the
same ids, so an ingest that was interrupted continues where it stopped, and nothing is
stored twice.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store.records import bad_text
from .errors import AppError

__all__ = [
    "SUFFIXES",
    "RESERVED_KEYS",
    "SourceDocument",
    "Chunk",
    "collect_files",
    "read_documents",
    "Splitter",
    "chunk_id",
]

#: File types read by `collect_files`.
SUFFIXES = (".txt", ".md", ".jsonl")

#: Metadata keys doclinks writes itself. A .jsonl field with one of these names is kept
#: under ``"meta_" + name`` instead.
RESERVED_KEYS = ("source", "line", "chunk", "start_index", "links", "entities", "ner_labels")

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


@dataclass
class Chunk:
    """A piece of a document, ready to be linked and stored."""

    id: str
    text: str
    metadata: dict[str, Any]


def chunk_id(key: str, index: int, text: str) -> str:
    """The id of the `index`-th chunk of the document `key` with this text."""
    return str(uuid.uuid5(_NAMESPACE, json.dumps([key, index, text], ensure_ascii=False)))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def collect_files(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """The files to read: each path is a file, or a folder searched recursively.

    Raises:
        AppError: no paths, a path that does not exist, a file of another type, or a
            folder without a single .txt, .md or .jsonl file.
    """
    if not paths:
        raise AppError("no files or folders given")
    out: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise AppError(f"{os.fspath(given)}: no such file or folder")
        if path.is_dir():
            found = sorted(
                f for f in path.rglob("*")
                if f.suffix.lower() in SUFFIXES and f.is_file() and not _hidden(f, path)
            )  # fmt: skip
            for f in [f for f in found if not _utf8_name(f)]:
                # Its name could not be stored as the chunks' source: skip it, saying so.
                print(f"doclinks: warning: skipped {os.fsencode(f)!r}: the file name is not valid UTF-8", file=sys.stderr)
                found.remove(f)
            if not found:
                raise AppError(f"{os.fspath(given)}: no .txt, .md or .jsonl files in this folder")
        elif path.suffix.lower() not in SUFFIXES:
            raise AppError(
                f"{os.fspath(given)}: cannot read {(path.suffix + ' files') if path.suffix else 'a file without a suffix'} "
                f"(doclinks reads .txt, .md and .jsonl)"
            )
        elif not path.is_file():
            raise AppError(f"{os.fspath(given)}: not a regular file (a FIFO, socket or device); doclinks reads files")
        elif not _utf8_name(path):
            raise AppError(f"{os.fsencode(path)!r}: the file name is not valid UTF-8; rename the file")
        else:
            found = [path]
        for f in found:
            resolved = f.resolve()
            if resolved not in seen:
                seen.add(resolved)
                out.append(f)
    return out


def _utf8_name(path: Path) -> bool:
    """Whether the path's name decodes as UTF-8 (else Python holds it with lone surrogates)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bad_string(value: object, depth: int = 0) -> str | None:
    """The first string in a JSON value that holds a lone surrogate or NUL (None: none does)."""
    if isinstance(value, str):
        return value if bad_text(value) else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        for item in value:
            found = _bad_string(item, depth + 1)
            if found is not None:
                return found
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AppError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise AppError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _jsonl(path: Path, text_field: str) -> Iterator[SourceDocument]:
    key = str(path.resolve())
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise AppError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        for lineno, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise AppError(f"{path}:{lineno}: not UTF-8 text (byte {exc.start} of the line)") from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AppError(f"{path}:{lineno}: not valid JSON ({exc.msg}, column {exc.colno})") from None
            except RecursionError:
                raise AppError(f"{path}:{lineno}: JSON nested too deeply to read") from None
            try:
                bad = _bad_string(obj)
            except RecursionError:
                raise AppError(f"{path}:{lineno}: JSON nested too deeply to read") from None
            if bad is not None:
                raise AppError(f"{path}:{lineno}: a string holds a lone surrogate or a NUL character: {bad[:40]!r}")
            if not isinstance(obj, dict):
                raise AppError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            text = obj.get(text_field)
            if not isinstance(text, str):
                fields = ", ".join(sorted(obj)) or "none"
                what = "no" if text is None else f"a {type(text).__name__} in the"
                raise AppError(f"{path}:{lineno}: {what} {text_field!r} text field (fields: {fields}); see --text-field")
            metadata = {}
            for name, value in obj.items():
                if name == text_field:
                    continue
                metadata[f"meta_{name}" if name in RESERVED_KEYS or name.startswith("_") else name] = value
            metadata["line"] = lineno
            yield SourceDocument(text=text, source=str(path), key=f"{key}:{lineno}", kind="text", metadata=metadata)


def read_documents(path: Path, *, text_field: str = "text") -> Iterator[SourceDocument]:
    """The documents of one file (one for .txt/.md, one per non-blank line for .jsonl).

    Raises:
        AppError: unreadable file, not UTF-8, a .jsonl line that is not a JSON object
            with a string `text_field` (the message names the file and line).
    """
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl(path, text_field)
        return
    kind = "markdown" if suffix == ".md" else "text"
    yield SourceDocument(text=_read_text(path), source=str(path), key=str(path.resolve()), kind=kind)


class Splitter:
    """Splits documents into `Chunk`s: ``RecursiveCharacterTextSplitter`` (characters).

    Args:
        chunk_size: largest chunk, in characters (default 1000).
        chunk_overlap: characters shared by neighbouring chunks (default 0).
    """

    def __init__(self, chunk_size: int = 1000, chunk_overlap: int = 0) -> None:
        if chunk_size < 1:
            raise AppError(f"--chunk-size must be at least 1, got {chunk_size}")
        if not 0 <= chunk_overlap < chunk_size:
            raise AppError(f"--chunk-overlap must be at least 0 and below --chunk-size ({chunk_size}), got {chunk_overlap}")
        from langchain_text_splitters import Language, RecursiveCharacterTextSplitter

        common = {"chunk_size": chunk_size, "chunk_overlap": chunk_overlap, "add_start_index": True}
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._splitters = {
            "text": RecursiveCharacterTextSplitter(**common),
            "markdown": RecursiveCharacterTextSplitter.from_language(Language.MARKDOWN, **common),
        }

    def split(self, document: SourceDocument) -> list[Chunk]:
        """The chunks of `document`, with metadata: its own, plus source, chunk and start_index."""
        if not document.text.strip():
            return []
        splitter = self._splitters[document.kind]
        pieces = splitter.create_documents([document.text])
        chunks = []
        for index, piece in enumerate(pieces):
            metadata = dict(document.metadata)
            metadata.update(source=document.source, chunk=index, start_index=piece.metadata.get("start_index", -1))
            chunks.append(Chunk(id=chunk_id(document.key, index, piece.page_content), text=piece.page_content, metadata=metadata))
        return chunks


def read_chunks(files: Iterable[Path], splitter: Splitter, *, text_field: str = "text") -> tuple[int, list[Chunk]]:
    """(number of documents, their chunks) for `files`, in order."""
    documents = 0
    chunks: list[Chunk] = []
    for path in files:
        for document in read_documents(path, text_field=text_field):
            documents += 1
            chunks.extend(splitter.split(document))
    return documents, chunks
