"""`doclinks stats`: what a database holds, which tags link the most, which tags are hubs."""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import add_db, is_url, open_reader, shown_db
from .errors import CommandError
from .inventory import Inventory, label_of

if TYPE_CHECKING:
    from rich.console import JustifyMethod

__all__ = ["collect_stats", "render_stats", "add_parser", "run"]


def collect_stats(db: str | os.PathLike, *, top: int = 10, max_tag_degree: int | None = None) -> dict[str, Any]:
    """Counts, the `top` most linked walkable tags, and the hub tags (degree > max_tag_degree).

    `max_tag_degree` defaults to the store's limit for its number of chunks (`degree_limit`).
    """
    from ..links import merges_of
    from ..pipeline import stored_contrast_labels

    with open_reader(db) as store:
        docs = list(store.iter_documents())
        if max_tag_degree is None:
            max_tag_degree = store.degree_limit()
        contrast = stored_contrast_labels(store)
    inv = Inventory.from_documents(docs)
    tags = inv.tags
    per_label = Counter(label_of(kind) for kind, _ in tags)
    linking = inv.linking_tags()

    def row(pair: tuple[str, str]) -> dict[str, Any]:
        return {"label": label_of(pair[0]), "kind": pair[0], "tag": pair[1], "degree": inv.degree(pair)}

    walkable = [p for p in linking if inv.degree(p) <= max_tag_degree]
    hubs = [p for p in tags if inv.degree(p) > max_tag_degree]
    order = lambda p: (-inv.degree(p), label_of(p[0]), p[1])  # noqa: E731
    return {
        "db": shown_db(db),
        "file_bytes": None if is_url(db) else Path(db).stat().st_size,
        "chunks": len(inv.docs),
        "sources": inv.sources(),
        "entity_mentions": inv.mentions(),
        "links": inv.links,
        "distinct_tags": len(tags),
        "tags_per_label": dict(sorted(per_label.items(), key=lambda kv: (-kv[1], kv[0]))),
        "linking_tags": len(linking),
        "linked_pairs": inv.linked_pairs(max_tag_degree),
        "unlinked_chunks": inv.unlinked_chunks(max_tag_degree),
        "max_tag_degree": max_tag_degree,
        "most_linked": [row(p) for p in sorted(walkable, key=order)[:top]],
        "hubs": [row(p) for p in sorted(hubs, key=order)],
        "merges": merges_of(docs)[:top],
        "contrast_labels": contrast,  # the sets the chunks were extracted with ([] : not recorded)
    }


def render_stats(stats: dict[str, Any], out=None) -> None:
    """Print `collect_stats` for people."""
    from rich.markup import escape

    from . import console

    out = out or console.out()
    size = stats["file_bytes"]
    size_text = "PostgreSQL" if size is None else f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"
    pairs = "not counted (too many)" if stats["linked_pairs"] is None else f"{stats['linked_pairs']:,}"
    per_label = ", ".join(f"{escape(k)} {v:,}" for k, v in stats["tags_per_label"].items()) or "none"
    out.print(f"[bold]{escape(stats['db'])}[/bold] ({size_text})")
    for name, value in (
        ("chunks", f"{stats['chunks']:,} from {stats['sources']:,} documents"),
        ("entity mentions", f"{stats['entity_mentions']:,}"),
        ("links", f"{stats['links']:,} (chunk-tag)"),
        ("distinct tags", f"{stats['distinct_tags']:,} ({per_label})"),
        ("linking tags", f"{stats['linking_tags']:,} (carried by two chunks or more)"),
        ("linked pairs", f"{pairs} (chunk pairs joined by a walkable tag)"),
        ("unlinked chunks", f"{stats['unlinked_chunks']:,}"),
        ("contrast labels", _contrast_text(stats.get("contrast_labels") or [])),
    ):
        out.print(f"  {name:<16} {value}")
    out.print()
    if stats["most_linked"]:
        out.print("[bold]most linked tags[/bold] (chunks carrying each)")
        out.print(_tag_table(stats["most_linked"]))
    elif stats["linking_tags"]:
        out.print("no tag that traversal walks links two chunks: every linking tag is a hub (below)")
    else:
        out.print("no tag links two chunks yet")
    out.print()
    limit = stats["max_tag_degree"]
    if not stats["hubs"]:
        out.print(f"hub tags: none (no tag is on more than {limit:,} chunks, the max_tag_degree of traversal)")
    else:
        plural = "s" if limit != 1 else ""
        out.print(
            f"[bold]hub tags[/bold]: on more than {limit:,} chunk{plural} (max_tag_degree), not walked by traversal"
        )
        out.print(_tag_table(stats["hubs"]))
    out.print()
    merges = stats.get("merges") or []
    if not merges:
        out.print("merges: none (no short tag joined a longer one)")
    else:
        from rich.table import Table

        out.print("[bold]merges[/bold]: short tags joined to a longer one across chunks (undo all: ingest --no-merge)")
        table = Table()
        columns: tuple[tuple[str, JustifyMethod], ...] = (
            ("label", "left"), ("from", "left"), ("to", "left"), ("chunks", "right"),
        )  # fmt: skip
        for name, justify in columns:
            table.add_column(name, justify=justify)
        for m in merges:
            table.add_row(escape(label_of(m["kind"])), escape(m["from"]), escape(m["to"]), f"{m['chunks']:,}")
        out.print(table)


def _contrast_text(sets: list[list[str]]) -> str:
    """How the stored chunks' contrast labels read: one set, or the sets of runs that differed."""
    from rich.markup import escape

    if not sets:
        return "not recorded"
    shown = [escape(", ".join(s)) if s else "none" for s in sets]
    if len(shown) == 1:
        return f"{shown[0]} (spans that fit these better are not linked)"
    return "differ between ingests: " + " | ".join(shown)


def _tag_table(rows: list[dict[str, Any]]):
    """A rich table of tag rows (label, tag, chunks carrying it)."""
    from rich.table import Table

    table = Table()
    columns: tuple[tuple[str, JustifyMethod], ...] = (("label", "left"), ("tag", "left"), ("chunks", "right"))
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for r in rows:
        table.add_row(r["label"], r["tag"], f"{r['degree']:,}")
    return table


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks stats``."""
    p = sub.add_parser("stats", help="counts, the most linked tags, hub tags",
                       description="What a database holds: counts, the most linked tags, and the hub tags that "
                       "traversal does not walk (carried by more chunks than the store's hub limit).")  # fmt: skip
    add_db(p)
    p.add_argument("--top", type=int, default=10, metavar="N", help="most linked tags to list (default 10)")
    p.add_argument(
        "--max-tag-degree",
        type=int,
        metavar="N",
        help="hub threshold (default: the store's for this many chunks: 0.5%% of them, at least 10, at most 100)",
    )
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks stats``."""
    if args.top < 0:
        raise CommandError(f"--top must be at least 0, got {args.top}")
    if args.max_tag_degree is not None and args.max_tag_degree < 1:
        raise CommandError(f"--max-tag-degree must be at least 1, got {args.max_tag_degree}")
    stats = collect_stats(args.db, top=args.top, max_tag_degree=args.max_tag_degree)
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        render_stats(stats)
    return 0
