"""Readers of the file formats beyond plain text: PDF, HTML and Word ``.docx``, each an optional extra.

Each reader turns one file into an `ExtractedText`: the text doclinks stores and splits (chunk offsets
refer to it), the offset where each page starts (PDF), and a title where the file has one (HTML,
Word). The libraries, chosen by `benchmarks/formats.py` (docs/cli.md, "Formats"):

- PDF: pypdfium2 (PDFium's text in reading order: same words as pypdf on real manuals, 14-20x faster),
  ``pip install "doclinks[pdf]"``;
- HTML: trafilatura (the main text and the title, navigation, scripts and page chrome left out),
  ``pip install "doclinks[html]"``;
- Word: python-docx (paragraphs and tables in document order, 8x faster than mammoth),
  ``pip install "doclinks[docx]"``.

``pip install "doclinks[formats]"`` installs all three. A missing library is `MissingReaderError`
naming the command; a file the library cannot read is `FormatError` naming the file (both
`doclinks.sources.SourceError`s, raised while reading, before any model loads).
"""

from __future__ import annotations

import bisect
import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ExtractedText",
    "FormatError",
    "MissingReaderError",
    "READERS",
    "SUFFIXES",
    "check_readers",
    "extract",
    "page_span",
]


@dataclass
class ExtractedText:
    """The text of one file as doclinks stores it.

    Attributes:
        text: the extracted text (chunk offsets refer to it).
        page_starts: for paged formats, the offset in `text` where each page starts (page 1 first);
            empty for others.
        title: the document's title, when it has one (else None).
    """

    text: str
    page_starts: list[int] = field(default_factory=list)
    title: str | None = None


class FormatError(ValueError):
    """A file its format's reader cannot read (corrupt, encrypted, no text layer); names the file."""


class MissingReaderError(ImportError):
    """The library that reads a format is not installed; names the ``pip install`` command."""


@dataclass(frozen=True)
class _Reader:
    module: str  # doclinks.formats.<module>, with read(path) -> ExtractedText
    library: str  # the import that must work
    extra: str  # doclinks[<extra>]
    name: str  # how the format is called in messages


#: The reader of each suffix (lower case).
READERS = {
    ".pdf": _Reader("pdf", "pypdfium2", "pdf", "PDF"),
    ".html": _Reader("html", "trafilatura", "html", "HTML"),
    ".htm": _Reader("html", "trafilatura", "html", "HTML"),
    ".docx": _Reader("word", "docx", "docx", "Word .docx"),
}

#: The suffixes read through a format reader.
SUFFIXES = tuple(READERS)


def check_readers(suffixes: Iterable[str]) -> None:
    """Raise `MissingReaderError` when a library needed for one of `suffixes` is not installed (the
    message names every missing extra at once); other suffixes are ignored."""
    missing: dict[str, list[str]] = {}
    for suffix in sorted({s.lower() for s in suffixes}):
        reader = READERS.get(suffix)
        if reader is None:
            continue
        try:
            importlib.import_module(reader.library)
        except ImportError:
            missing.setdefault(reader.extra, []).append(suffix)
    if missing:
        what = "; ".join(
            f"reading {', '.join(s)} files needs {READERS[s[0]].library if READERS[s[0]].library != 'docx' else 'python-docx'}: "
            f'pip install "doclinks[{extra}]"'
            for extra, s in missing.items()
        )
        raise MissingReaderError(what + ' (or pip install "doclinks[formats]" for every format)')


def extract(path: Path) -> ExtractedText:
    """The text of the file `path`, read by its format's reader.

    Raises:
        MissingReaderError: the reader's library is not installed.
        FormatError: the file cannot be read (the message names it and why).
        KeyError: a suffix without a reader.
    """
    reader = READERS[path.suffix.lower()]
    check_readers([path.suffix])
    module = importlib.import_module(f"{__name__}.{reader.module}")
    return module.read(path)


def page_span(page_starts: list[int], start: int, length: int) -> dict[str, int]:
    """``page`` (from 1) of the character at `start` of a text whose pages begin at `page_starts`
    (character offsets), and ``page_end`` of the chunk's last character when on another page."""
    first = bisect.bisect_right(page_starts, start)
    last = bisect.bisect_right(page_starts, start + max(length, 1) - 1)
    return {"page": first} if last == first else {"page": first, "page_end": last}
