"""HTML pages, read with trafilatura: the main text and the title; navigation, headers, footers,
scripts, styles and the rest of the page's chrome are left out.

The file's bytes go to trafilatura, which finds the page's character set itself (the ``<meta
charset>``, else a guess), so ``--encoding`` does not apply to HTML.
"""

from __future__ import annotations

from pathlib import Path

from . import ExtractedText, FormatError

__all__ = ["read"]


def read(path: Path) -> ExtractedText:
    """The main text and title of the HTML page `path` (an empty text when the page holds none)."""
    import trafilatura

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        found = trafilatura.bare_extraction(
            data, with_metadata=True, include_tables=True, include_comments=False, favor_recall=True
        )
    except (ValueError, TypeError) as exc:  # lxml refuses what it cannot parse at all
        raise FormatError(f"{path}: not a readable HTML page ({exc})") from None
    if found is None:
        return ExtractedText(text="")
    text = (getattr(found, "text", None) or "").strip()
    return ExtractedText(text=text, title=(getattr(found, "title", None) or "").strip() or None)
