"""PDF files, read with pypdfium2 (PDFium, the PDF engine of Chromium).

The text of each page comes in PDFium's reading order (a two-column page column by column); pages
are joined by a blank line, and the offset where each page starts is kept, so that every chunk knows
its page. A PDF without a text layer (a scan) or with a password is a `FormatError` naming the file,
never an empty document.
"""

from __future__ import annotations

from pathlib import Path

from . import ExtractedText, FormatError

__all__ = ["read", "PAGE_BREAK"]

#: Between the text of two pages (the splitter's first separator: chunks tend to end at a page end).
PAGE_BREAK = "\n\n"


def _page_text(page) -> str:
    textpage = page.get_textpage()
    try:
        # PDFium ends lines with "\r\n" and may mark a page end with a form feed.
        return textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").strip()
    finally:
        textpage.close()


def read(path: Path) -> ExtractedText:
    """The text of the PDF `path` (see the module docstring)."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        why = str(exc)
        if "password" in why.lower():
            raise FormatError(
                f"{path}: the PDF is encrypted (it needs a password); save a copy without one to ingest it"
            ) from None
        detail = why.split("(PDFium: ")[-1].rstrip(").") if "PDFium: " in why else why
        raise FormatError(f"{path}: not a readable PDF ({detail.lower()}: a damaged or cut-off file?)") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                pages.append(_page_text(page))
            finally:
                page.close()
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
    except pypdfium2.PdfiumError as exc:
        raise FormatError(f"{path}: not a readable PDF ({exc})") from None
    finally:
        pdf.close()
    if not any(pages):
        raise FormatError(
            f"{path}: the PDF has no text layer ({len(pages)} page{'s' if len(pages) != 1 else ''} of pictures only: "
            "a scan?); doclinks reads the text of PDFs: run OCR on it first (e.g. ocrmypdf)"
        )
    text, starts = "", []
    for page_text in pages:
        if text:
            text += PAGE_BREAK
        starts.append(len(text))
        text += page_text
    return ExtractedText(text=text, page_starts=starts, title=title)
