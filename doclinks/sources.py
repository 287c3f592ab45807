"""Input files: find them, read them, split them into chunks with stable ids.

Files: ``.txt`` and ``.md`` (one document per file, UTF-8 or another `encoding`), ``.jsonl`` (one document
per line: a JSON object whose text field, ``"text"`` by default, is the document and whose
other fields become its metadata), and, each through an optional extra, ``.pdf``, ``.html``/``.htm`` and
``.docx`` (one document per file: the text `doclinks.formats` extracts; chunk offsets refer to it, and
a PDF chunk's metadata holds its ``page``). Folders are searched recursively; hidden files and
folders (a name starting with ".") are skipped.

Chunks come from LangChain's ``RecursiveCharacterTextSplitter`` (Markdown separators for
``.md``). A chunk's id is a UUID5 of its source (the file's absolute path, plus the line for
``.jsonl``), its index in the document and its text: the same file ingested again gives the
same ids, so an ingest that was interrupted continues where it stopped, and nothing is
stored twice.

`read_sources` reads every file before anything is stored and lists every file it could not
read (not one at a time). Every check that can run on a text runs here, before any model loads:
the encoding, the JSON of ``.jsonl`` lines (NaN and Infinity are not JSON), characters no store can
hold (a NUL, a lone surrogate: named with file, line and one short excerpt), and last the store's own
check of each chunk (`doclinks.source_checks`). With ``skip_bad`` the files refused are left out and reported, else
`SourceError` names them all. Errors are `SourceError` (a `ValueError`) naming the file (and
line); they name no command-line flag.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import formats
from .chunks import Chunk, SourceDocument, Splitter, chunk_id
from .source_checks import NotJSON, excerpt, no_constant, storable_problem, text_problem
from .store.records import bad_text

__all__ = [
    "SUFFIXES",
    "RESERVED_KEYS",
    "SourceDocument",
    "Chunk",
    "SourceError",
    "SourceReport",
    "collect_files",
    "read_sources",
    "read_documents",
    "Splitter",
    "chunk_id",
    "unreadable_files_error",
]

#: File types read by `collect_files` (the last ones through `doclinks.formats`, optional extras).
SUFFIXES = (".txt", ".md", ".jsonl", *formats.SUFFIXES)

# The types read, for messages: ".txt, .md, .jsonl, .pdf, .html, .htm or .docx".
_READ = ", ".join(SUFFIXES[:-1]) + " or " + SUFFIXES[-1]

#: Metadata keys doclinks writes itself. A .jsonl field with one of these names is kept
#: under ``"meta_" + name`` instead.
RESERVED_KEYS = ("source", "line", "chunk", "start_index", "links", "entities", "ner_labels")


class SourceError(ValueError):
    """A file or folder that cannot be read as input (the message names it, and the line)."""


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def collect_files(paths: Sequence[str | os.PathLike], skipped: Counter | None = None) -> list[Path]:
    """The files to read: each path is a file, or a folder searched recursively.

    Args:
        paths: files and folders.
        skipped: if given, counts the files of folders left out, by suffix (``".pdf"``,
            ``""`` for none; hidden files are not counted).

    Raises:
        SourceError: no paths, a path that does not exist, a file of another type, or a
            folder without a single .txt, .md or .jsonl file.
    """
    if not paths:
        raise SourceError("no files or folders given")
    out: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise SourceError(f"{os.fspath(given)}: no such file or folder")
        if path.is_dir():
            visible = [f for f in path.rglob("*") if f.is_file() and not _hidden(f, path)]
            found = sorted(f for f in visible if f.suffix.lower() in SUFFIXES)
            if skipped is not None:
                skipped.update(f.suffix.lower() for f in visible if f.suffix.lower() not in SUFFIXES)
            for f in [f for f in found if not _utf8_name(f)]:
                # Its name could not be stored as the chunks' source: skip it, saying so.
                print(
                    f"doclinks: warning: skipped {os.fsencode(f)!r}: the file name is not valid UTF-8", file=sys.stderr
                )
                found.remove(f)
            if not found:
                raise SourceError(f"{os.fspath(given)}: no {_READ} files in this folder")
        elif path.suffix.lower() not in SUFFIXES:
            raise SourceError(
                f"{os.fspath(given)}: cannot read {(path.suffix + ' files') if path.suffix else 'a file without a suffix'} "
                f"(doclinks reads {_READ.replace(' or ', ' and ')})"
            )
        elif not path.is_file():
            raise SourceError(
                f"{os.fspath(given)}: not a regular file (a FIFO, socket or device); doclinks reads files"
            )
        elif not _utf8_name(path):
            raise SourceError(f"{os.fsencode(path)!r}: the file name is not valid UTF-8; rename the file")
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


def _codec(encoding: str) -> str:
    """The codec to read with: UTF-8 drops a byte-order mark."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _read_text(path: Path, encoding: str = "utf-8") -> str:
    try:
        text = path.read_text(encoding=_codec(encoding))
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not {_encoding_name(encoding)} text (byte {exc.start})") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
    problem = text_problem(text)
    if problem is not None:
        pos, why = problem
        line, column = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
        hint = " (binary data, or UTF-16 text read as UTF-8?)" if "NUL" in why else ""
        raise SourceError(f"{path}:{line}:{column}: the text {why}{hint}: {excerpt(text, pos)}")
    return text


def _encoding_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "UTF-8" if name == "utf-8" else name


def _jsonl(path: Path, text_field: str, encoding: str = "utf-8") -> Iterator[SourceDocument]:
    key = str(path.resolve())
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        for lineno, raw in enumerate(handle, start=1):
            try:
                line = raw.decode(_codec(encoding) if lineno == 1 else encoding)
            except UnicodeDecodeError as exc:
                raise SourceError(
                    f"{path}:{lineno}: not {_encoding_name(encoding)} text (byte {exc.start} of the line)"
                ) from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_constant=no_constant)
            except json.JSONDecodeError as exc:
                raise SourceError(f"{path}:{lineno}: not valid JSON ({exc.msg}, column {exc.colno})") from None
            except NotJSON as exc:
                raise SourceError(f"{path}:{lineno}: {exc}") from None
            except ValueError as exc:  # e.g. an integer of more digits than Python converts
                raise SourceError(f"{path}:{lineno}: not valid JSON ({str(exc).split(':')[0]})") from None
            except RecursionError:
                raise SourceError(f"{path}:{lineno}: JSON nested too deeply to read") from None
            try:
                bad = _bad_string(obj)
            except RecursionError:
                raise SourceError(f"{path}:{lineno}: JSON nested too deeply to read") from None
            if bad is not None:
                problem = text_problem(bad)  # never None for a string `_bad_string` found
                pos, why = problem if problem is not None else (0, "holds a character no store can hold")
                raise SourceError(f"{path}:{lineno}: a string {why}: {excerpt(bad, pos)}")
            if not isinstance(obj, dict):
                raise SourceError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            text = obj.get(text_field)
            if not isinstance(text, str):
                fields = ", ".join(sorted(obj)) or "none"
                what = "no" if text is None else f"a {type(text).__name__} in the"
                raise SourceError(
                    f"{path}:{lineno}: {what} {text_field!r} text field (fields: {fields}); name the text field"
                )
            metadata = {}
            for name, value in obj.items():
                if name == text_field:
                    continue
                metadata[f"meta_{name}" if name in RESERVED_KEYS or name.startswith("_") else name] = value
            metadata["line"] = lineno
            yield SourceDocument(text=text, source=str(path), key=f"{key}:{lineno}", kind="text", metadata=metadata)


def read_documents(path: Path, *, text_field: str = "text", encoding: str = "utf-8") -> Iterator[SourceDocument]:
    """The documents of one file (one for .txt/.md, one per non-blank line for .jsonl).

    Args:
        path: the file.
        text_field: the field of a .jsonl object that holds the text (default "text").
        encoding: the files' text encoding (default "utf-8"; a byte-order mark is dropped).

    Raises:
        SourceError: unreadable file, not UTF-8, a .jsonl line that is not a JSON object
            with a string `text_field` (the message names the file and line).
    """
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl(path, text_field, encoding)
        return
    if suffix in formats.READERS:
        yield _formatted(path)
        return
    kind = "markdown" if suffix == ".md" else "text"
    yield SourceDocument(text=_read_text(path, encoding), source=str(path), key=str(path.resolve()), kind=kind)


def _formatted(path: Path) -> SourceDocument:
    """The document of a PDF, HTML or Word file (`doclinks.formats`), its text checked as a text file's."""
    try:
        found = formats.extract(path)
    except (formats.FormatError, formats.MissingReaderError) as exc:
        raise SourceError(str(exc)) from None
    problem = text_problem(found.text)
    if problem is not None:
        pos, why = problem
        raise SourceError(f"{path}: the extracted text {why}: {excerpt(found.text, pos)}")
    metadata = {} if found.title is None else {"title": found.title}
    return SourceDocument(text=found.text, source=str(path), key=str(path.resolve()), kind="text", metadata=metadata,
                          page_starts=found.page_starts)  # fmt: skip


def read_chunks(files: Iterable[Path], splitter: Splitter, *, text_field: str = "text") -> tuple[int, list[Chunk]]:
    """(number of documents, their chunks) for `files`, in order (`read_sources`, nothing skipped)."""
    report = read_sources(files, splitter, text_field=text_field)
    return report.documents, report.chunks


@dataclass
class SourceReport:
    """What `read_sources` read: documents and chunks, and the files it could not use."""

    documents: int
    chunks: list[Chunk]
    files_read: int
    empty_files: list[Path]  # read, but without text
    bad_files: list[tuple[Path, str]]  # (file, why), left out (only with skip_bad)


def read_sources(
    files: Iterable[Path],
    splitter: Splitter,
    *,
    text_field: str = "text",
    encoding: str = "utf-8",
    skip_bad: bool = False,
) -> SourceReport:
    """Read and split every file; a file that cannot be read does not stop the others.

    Args:
        files: from `collect_files`.
        splitter: a `Splitter`.
        text_field, encoding: as in `read_documents`.
        skip_bad: leave unreadable files out (listed in the report); default False: raise.

    Raises:
        SourceError: with ``skip_bad`` False, when any file cannot be read: the message lists
            every such file and why (the first 20, then a count).
        LookupError: an unknown `encoding`.
    """
    codecs.lookup(encoding)
    files = list(files)
    try:  # a missing extra: one error, before any file is read
        formats.check_readers(path.suffix for path in files)
    except formats.MissingReaderError as exc:
        raise SourceError(str(exc)) from None
    documents = 0
    chunks: list[Chunk] = []
    empty: list[Path] = []
    bad: list[tuple[Path, str]] = []
    for path in files:
        try:
            docs = list(read_documents(path, text_field=text_field, encoding=encoding))
            pieces = [c for d in docs for c in splitter.split(d)]
            refused = storable_problem(pieces)
            if refused is not None:
                line = refused[0].metadata.get("line")
                raise SourceError(f"{path}{'' if line is None else f':{line}'}: {refused[1]}")
        except SourceError as exc:
            bad.append((path, str(exc)))
            continue
        documents += len(docs)
        if not pieces:
            empty.append(path)
        chunks.extend(pieces)
    if bad and not skip_bad:
        raise unreadable_files_error(bad, len(files))
    return SourceReport(documents, chunks, len(files) - len(bad), empty, bad)


def unreadable_files_error(bad: Sequence[tuple[Path, str]], files: int) -> SourceError:
    """The error for the (file, why) pairs of `files` files that cannot be read: the first 20, then a count."""
    shown = "; ".join(why for _, why in bad[:20])
    more = f"; ... and {len(bad) - 20} more" if len(bad) > 20 else ""
    return SourceError(f"{len(bad)} of {files} file(s) cannot be read: {shown}{more}")
