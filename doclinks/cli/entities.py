"""`doclinks entities`: the entities of one text, as a table, JSON, or an HTML page.

The HTML page is ``templates/entities.html`` with the text's spans marked by character offsets
(`doclinks.html_assets.mark_spans`: everything escaped, one colour per label); self-contained, no script.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .colors import label_colors
from .common import add_labels, add_model, check_model_name, check_output, parse_labels
from .errors import CommandError

if TYPE_CHECKING:
    from rich.console import JustifyMethod

__all__ = ["read_input", "find_entities", "render_table", "to_json", "render_html", "add_parser", "run"]

#: Fields of a mention record shown to users (see docs/links.md, "Mention records").
FIELDS = ("text", "label", "score", "start", "end", "tag")


def read_input(text: str | None, file: str | None) -> tuple[str, str]:
    """(the text, a title for it) from the TEXT argument or ``--file`` (``-``: stdin)."""
    if file is None:
        if text is None:
            raise CommandError("no text: give a TEXT or --file FILE")
        return text, "text"
    if text is not None:
        raise CommandError("give either a TEXT or --file FILE (not both)")
    if file == "-":
        return sys.stdin.read(), "stdin"
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"{file}: no such file" if not path.exists() else f"{file}: not a file")
    try:
        return path.read_text(encoding="utf-8-sig"), path.name
    except UnicodeDecodeError as exc:
        raise CommandError(f"{file}: not UTF-8 text (byte {exc.start})") from None


def find_entities(
    text: str, labels: Sequence[str], *, model: str | None = None, threshold: float = 0.5
) -> list[dict[str, Any]]:
    """Mention records of `text` (text, label, score, start, end, tag), in text order."""

    if not text.strip():
        raise CommandError("the text is empty")
    if not 0.0 < threshold < 1.0:
        raise CommandError(f"--threshold must lie in (0, 1), got {threshold}")
    check_model_name(model)
    from ..links import GLiNERLinkExtractor

    extractor = GLiNERLinkExtractor(
        list(labels), model=model, extract_kwargs={"threshold": threshold}, min_link_score=None
    )
    records = next(extractor.extract_entities([text]))
    return [{k: r[k] for k in FIELDS} for r in records]


def render_table(records: list[dict[str, Any]], title: str, out=None) -> None:
    """A rich table (plain text when not a terminal)."""
    from rich.table import Table

    from . import console

    out = out or console.out()
    table = Table(title=f"{len(records)} entities in {title}", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"), ("text", "left"), ("label", "left"), ("score", "right"), ("chars", "right"), ("tag", "left"),
    )  # fmt: skip
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for i, r in enumerate(records, start=1):
        table.add_row(str(i), r["text"], r["label"], f"{r['score']:.2f}", f"{r['start']}-{r['end']}", r["tag"] or "")
    out.print(table)


def to_json(records: list[dict[str, Any]], text: str, labels: Sequence[str]) -> dict[str, Any]:
    """The `--format json` output: the labels, the text and its entity records."""
    return {"labels": list(labels), "text": text, "entities": records}


def render_html(text: str, records: list[dict[str, Any]], labels: Sequence[str], title: str) -> str:
    """A self-contained HTML page (no script, no external file) with the entity spans of `records`
    (character offsets into `text`) highlighted, one colour per label; `title` names the text."""
    from importlib import resources

    from ..html_assets import mark_spans

    template = (resources.files("doclinks.cli") / "templates" / "entities.html").read_text(encoding="utf-8")
    colors = label_colors([*labels, *(r["label"] for r in records)])
    found = len(records)
    summary = f"{found} {'entity' if found == 1 else 'entities'}; labels: {', '.join(labels)}"
    # One pass over the template's placeholders, so that text which looks like a placeholder stays text.
    values = {"__TITLE__": html.escape(title), "__SUMMARY__": html.escape(summary),
              "__MARKED_TEXT__": mark_spans(text, records, colors)}  # fmt: skip
    return re.sub("|".join(values), lambda m: values[m.group(0)], template)


def write_text(path: str | os.PathLike, content: str) -> None:
    """Write an output file (its folder must exist)."""
    p = Path(path)
    if not p.parent.is_dir():
        raise CommandError(f"{p}: folder {str(p.parent)!r} does not exist")
    if p.is_dir():
        raise CommandError(f"{p}: is a folder")
    p.write_text(content, encoding="utf-8")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks entities``."""
    p = sub.add_parser(
        "entities", help="the entities of a text: table, JSON or HTML",
        description="Find the entities of one text (the TEXT argument, or --file) and print them as a table, "
        "JSON, or an HTML page with the spans highlighted (self-contained, no script).",
    )  # fmt: skip
    p.add_argument("text", nargs="?", help="the text (or use --file)")
    p.add_argument("--file", metavar="FILE", help="read the text from this file (- for stdin)")
    add_labels(p, 'entity types (required): comma-separated, e.g. "Person,Organization,Location"')
    add_model(p)
    p.add_argument("--format", choices=["table", "json", "html"], default="table", help="output format (default table)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to this file instead of stdout")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks entities``."""

    labels = parse_labels(args.labels, exact=args.labels_exact)
    text, title = read_input(args.text, args.file)
    if args.output is not None:
        check_output(args.output)
    records = find_entities(text, labels, model=args.model, threshold=args.threshold)
    if args.format == "table" and args.output is None:
        render_table(records, title)
        return 0
    if args.format == "table":
        from rich.console import Console

        with open(args.output, "w", encoding="utf-8") as f:
            render_table(records, title, out=Console(file=f, width=200, highlight=False))
        return 0
    if args.format == "json":
        content = json.dumps(to_json(records, text, labels), indent=2, ensure_ascii=False) + "\n"
    else:
        content = render_html(text, records, labels, title)
    if args.output is None:
        sys.stdout.write(content)
    else:
        write_text(args.output, content)
        print(f"{len(records)} entities; wrote {args.output}", file=sys.stderr)
    return 0
