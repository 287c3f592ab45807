"""`doclinks parse`: read a question's constraints on metadata fields, as a self-query retriever would.

    doclinks parse "comedies with tom hanks from the nineties" --fields fields.json [--today 2026-12-07]
                   [--db graph.db] [--model M] [--json]

`--fields` is a JSON list of fields (name, description, type, labels: `doclinks.query.fields`). With
`--db`, string values are linked to the values the store holds (an unknown value is reported).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import add_model, check_model_name, open_store
from .errors import CommandError

__all__ = ["add_parser", "run", "load_parser", "render_parsed", "add_parse_options"]


def add_parse_options(p: argparse.ArgumentParser, required: bool) -> None:
    """``--fields``, ``--today``, ``--timezone`` (shared with ``doclinks search --parse``)."""
    p.add_argument(
        "--fields",
        required=required,
        metavar="FILE",
        help="JSON list of the metadata fields a question may constrain: name, description, type "
        "(string, integer, float, date, boolean, list[string]), labels (docs/query.md)",
    )
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day relative dates are read against (default: today)")
    p.add_argument("--timezone", metavar="TZ", help="IANA time zone of today when --today is not given (default UTC)")


def load_parser(fields: str, model: str | None, threshold: float, store: Any = None, timezone: str | None = None):
    """A `QueryParser` on `fields` (a JSON file) and `model` (None: the shipped model), its string values
    linked to `store`'s when one is given."""
    from ..query import QueryParser, ValueLinker, load_fields

    try:
        specs = load_fields(fields, shared_labels=store is not None)
    except FileNotFoundError:
        raise CommandError(f"--fields {fields}: no such file") from None
    except (ValueError, TypeError) as exc:
        raise CommandError(f"--fields {fields}: {exc}") from None
    check_model_name(model)
    if model is None:
        from ..ner.default import default_model

        gliner = default_model()
    else:
        from ..ner.gliner import GLiNER

        gliner = GLiNER.from_pretrained(model)
    linker = None
    if store is not None:
        linker = ValueLinker.from_store(store, [f.name for f in specs if f.type in ("string", "list[string]")])
    return QueryParser(gliner, specs, linker=linker, threshold=threshold, timezone=timezone)


def render_parsed(parsed: Any, out=None) -> None:
    """Print a `ParsedQuery` for people."""
    from rich.markup import escape

    from . import console

    out = out or console.out()
    q = parsed.query
    out.print(f"[bold]{escape(q)}[/bold]  (today {parsed.today})")
    for c in parsed.constraints:
        link = f", {c.link} link" if c.link and c.link != "exact" else ""
        out.print(
            f"  [cyan]{escape(c.field)}[/cyan] {c.operator} [bold]{escape(json.dumps(c.value, ensure_ascii=False))}"
            f"[/bold]  [dim]from {escape(repr(q[c.phrase_start : c.phrase_end]))} [{c.start}:{c.end}], "
            f"score {c.score:.2f}{link}[/dim]"
        )
    for c in parsed.unknown:
        out.print(
            f"  [yellow]not in the store[/yellow]: {escape(c.field)} {escape(repr(c.written))} "
            "[dim](not filtered on)[/dim]"
        )
    for s in parsed.unused:
        out.print(
            f"  [yellow]unused[/yellow]: {escape(repr(s.text))} as {escape(s.label)} [dim]({escape(s.reason)})[/dim]"
        )
    if parsed.limit is not None:
        out.print(f"  limit {parsed.limit}")
    out.print(f"  filter: {escape(json.dumps(parsed.filter, ensure_ascii=False))}")
    out.print(f"  search text: {escape(repr(parsed.residual))}")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks parse``."""
    p = sub.add_parser(
        "parse", help="read a question's constraints on metadata fields (no LLM: the GLiNER model)",
        description="Query parsing: the fields a question constrains, with typed values (numbers, years, "
        "decades, dates, negation, lists), the filter, the limit and the words left for the vector search.",
    )  # fmt: skip
    p.add_argument("question")
    add_parse_options(p, required=True)
    p.add_argument("--db", metavar="DB", help="link string values to this store's values (an SQLite file or a "
                   "postgresql:// URL; default: values as written)")  # fmt: skip
    add_model(p)
    p.add_argument("--json", action="store_true", help="print the parse as JSON")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks parse``."""
    if args.db:
        with open_store(args.db) as store:
            parser = load_parser(args.fields, args.model, args.threshold, store, args.timezone)
    else:
        parser = load_parser(args.fields, args.model, args.threshold, None, args.timezone)
    parsed = parser.parse(args.question, today=args.today)
    if args.json:
        print(json.dumps(parsed.to_dict(), indent=2, ensure_ascii=False))
    else:
        render_parsed(parsed)
    return 0
