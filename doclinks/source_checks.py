"""The checks `doclinks.sources` runs on every text while reading, so that a text no store can hold
is refused with its file and line before any model loads (and `--skip-bad` can leave it out).

A NUL character or a lone surrogate is named with its position and one short excerpt (`excerpt`:
a run of one repeated character written once with its length, not thousands of escapes); last,
each chunk goes through the store's own check (`storable_problem`), the one every store runs
before a write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .document import Document
from .store.records import build_record

__all__ = ["NotJSON", "no_constant", "text_problem", "excerpt", "storable_problem"]


class NotJSON(ValueError):
    """A JSON constant that Python reads but JSON does not have (NaN, Infinity)."""


def no_constant(name: str) -> None:
    """`json.loads`'s ``parse_constant``: refuses NaN and Infinity (metadata is stored as strict JSON)."""
    raise NotJSON(f"{name} is not a JSON number (metadata is stored as JSON); write null or a string")


_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> tuple[int, str] | None:
    """(position, why) of the first character no store can hold (a NUL, a lone surrogate:
    `doclinks.store.records.bad_text`), with how many there are; None when there is none."""
    found = _BAD_CHAR.search(text)
    if found is None:
        return None
    char = found.group()
    count = text.count(char) if char == "\x00" else len(_BAD_CHAR.findall(text))
    what = "a NUL character (\\x00)" if char == "\x00" else "a lone surrogate (not valid Unicode)"
    many = f", {count:,} in all" if count > 1 else ""
    return found.start(), f"holds {what}{many}"


def excerpt(text: str, pos: int, width: int = 24) -> str:
    """A short excerpt of `text` around `pos`, within its line and at most about `2 * width` characters,
    quoted: unprintable characters escaped, a run of one repeated unprintable character written once
    with its length (``"Anna \\x00×2,980"``), so that a file full of NULs gives one short line."""
    line_start = text.rfind("\n", 0, pos) + 1
    start = max(line_start, pos - width)
    out: list[str] = ["…"] if start > line_start else []
    i, shown = start, 0
    while i < len(text) and text[i] != "\n" and shown < 2 * width:
        char = text[i]
        if char.isprintable():
            out.append(char)
            i += 1
        else:
            j = i
            while j < len(text) and text[j] == char:
                j += 1
            escaped = char.encode("unicode_escape", "backslashreplace").decode("ascii")
            out.append(escaped + (f"×{j - i:,}" if j - i > 1 else ""))
            i = j
        shown += 1
    if i < len(text) and text[i] != "\n":
        out.append("…")
    return '"' + "".join(out) + '"'


def storable_problem(chunks: Sequence[Any]) -> tuple[Any, str] | None:
    """(chunk, why) for the first chunk the store would refuse (`doclinks.store.records.build_record`,
    the check every store runs before a write), None when it takes them all: so that whatever can be
    wrong with a text is found while reading, before any model loads."""
    for chunk in chunks:
        try:
            build_record(Document(page_content=chunk.text, metadata=dict(chunk.metadata), id=chunk.id), None, 0)
        except (TypeError, ValueError) as exc:
            return chunk, str(exc).split("): ", 1)[-1][:200]  # without the store's "document 0 (id ...)"
    return None
