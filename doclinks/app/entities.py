"""`doclinks entities`: the entities of one text, as a table, JSON, or an HTML page.

The HTML page is spaCy's displaCy entity view (``displacy.render(..., style="ent",
manual=True)``), given doclinks' spans; no spaCy pipeline or model is involved.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .colors import label_colors
from .errors import AppError

__all__ = ["read_input", "find_entities", "render_table", "to_json", "render_html"]

#: Fields of a mention record shown to users (see docs/links.md, "Mention records").
FIELDS = ("text", "label", "score", "start", "end", "tag")


def read_input(text: str | None, file: str | None) -> tuple[str, str]:
    """(the text, a title for it) from the TEXT argument or ``--file`` (``-``: stdin)."""
    if (text is None) == (file is None):
        raise AppError("give either a TEXT or --file FILE (not both)" if text is not None else "no text: give a TEXT or --file FILE")
    if file is not None:
        if file == "-":
            import sys

            return sys.stdin.read(), "stdin"
        path = Path(file)
        if not path.is_file():
            raise AppError(f"{file}: no such file" if not path.exists() else f"{file}: not a file")
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except UnicodeDecodeError as exc:
            raise AppError(f"{file}: not UTF-8 text (byte {exc.start})") from None
    return text, "text"


def find_entities(text: str, labels: Sequence[str], *, model: str | None = None, threshold: float = 0.5) -> list[dict[str, Any]]:
    """Mention records of `text` (text, label, score, start, end, tag), in text order."""
    from .ingest import load_extractor

    if not text.strip():
        raise AppError("the text is empty")
    if not 0.0 < threshold < 1.0:
        raise AppError(f"--threshold must lie in (0, 1), got {threshold}")
    extractor = load_extractor(labels, model, threshold)
    records = next(extractor.extract_entities([text]))
    return [{k: r[k] for k in FIELDS} for r in records]


def render_table(records: list[dict[str, Any]], title: str, out=None) -> None:
    """A rich table (plain text when not a terminal)."""
    from rich.table import Table

    from . import console

    out = out or console.out()
    table = Table(title=f"{len(records)} entities in {title}", title_justify="left")
    for name, justify in (("#", "right"), ("text", "left"), ("label", "left"), ("score", "right"),
                          ("chars", "right"), ("tag", "left")):  # fmt: skip
        table.add_column(name, justify=justify)
    for i, r in enumerate(records, start=1):
        table.add_row(str(i), r["text"], r["label"], f"{r['score']:.2f}", f"{r['start']}-{r['end']}", r["tag"] or "")
    out.print(table)


def to_json(records: list[dict[str, Any]], text: str, labels: Sequence[str]) -> dict[str, Any]:
    return {"labels": list(labels), "text": text, "entities": records}


def render_html(text: str, records: list[dict[str, Any]], labels: Sequence[str], title: str) -> str:
    """A self-contained HTML page with the entity spans highlighted (displaCy)."""
    from spacy import displacy

    colors = label_colors(labels)
    # displaCy escapes the text but fills its title and label templates as given: escape those here.
    spans = [{"start": r["start"], "end": r["end"], "label": html.escape(r["label"])} for r in records]
    page = displacy.render(
        {"text": text, "ents": spans, "title": html.escape(title)},
        style="ent", manual=True, page=True, jupyter=False,
        options={"colors": {html.escape(label).upper(): color for label, color in colors.items()}, "ents": None},
    )  # fmt: skip
    return page.replace("<title>displaCy</title>", f"<title>{html.escape(title)} · doclinks entities</title>", 1)


def write_text(path: str | os.PathLike, content: str) -> None:
    """Write an output file (its folder must exist)."""
    p = Path(path)
    if not p.parent.is_dir():
        raise AppError(f"{p}: folder {str(p.parent)!r} does not exist")
    if p.is_dir():
        raise AppError(f"{p}: is a folder")
    p.write_text(content, encoding="utf-8")
