"""Word ``.docx`` files, read with python-docx: paragraphs and tables in document order.

Paragraphs are separated by a line break, a table's rows are one line each (cells separated by a
tab); the title is the document's title property, else its first heading.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from . import ExtractedText, FormatError

__all__ = ["read"]


def read(path: Path) -> ExtractedText:
    """The text and title of the Word file `path`."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
        lines, heading = [], None
        for block in document.iter_inner_content():
            if hasattr(block, "rows"):  # a table
                lines += ["\t".join(cell.text.strip() for cell in row.cells) for row in block.rows]
            else:
                lines.append(block.text.strip())
                if heading is None and block.style is not None and block.style.name.startswith(("Heading", "Title")):
                    heading = block.text.strip() or None
        title = (document.core_properties.title or "").strip() or heading
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        why = "not a Word .docx package" if isinstance(exc, (PackageNotFoundError, zipfile.BadZipFile)) else str(exc)
        raise FormatError(
            f"{path}: not a readable Word .docx file ({why}: a damaged file, or an old .doc renamed?)"
        ) from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    text = "\n".join(line for line in lines if line)
    return ExtractedText(text=text, title=title)
