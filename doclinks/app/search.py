"""`doclinks search`: search a database and say why each result is there.

A root (depth 0) is there by similarity to the question. A result at depth d > 0 was reached
from the results at depth d - 1 through the tags it shares with them: its incoming tags that
one of them carries on its outgoing side, of degree at most ``max_tag_degree`` (hubs are not
walked). Those are its "via" tags, rarest first.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from typing import Any

from .db import check_db, chunk_count, open_store, tag_degrees
from .errors import AppError
from .inventory import label_of, tag_name

__all__ = ["SearchOptions", "Result", "search", "render_results", "results_json", "snippet"]


@dataclass
class SearchOptions:
    """Search settings; the defaults are the CLI's (and the store's)."""

    k: int = 4
    depth: int = 1
    mmr: bool = False
    adjacent_k: int = 10
    fetch_k: int = 100
    lambda_mult: float = 0.5


@dataclass
class Result:
    """One search result."""

    rank: int
    id: str
    text: str
    source: str | None
    chunk: int | None
    line: int | None
    depth: int
    score: float  # cosine similarity to the question
    mmr_score: float | None
    via: list[tuple[str, str]] = field(default_factory=list)  # (kind, tag), rarest first
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank, "id": self.id, "source": self.source, "chunk": self.chunk, "line": self.line,
            "depth": self.depth, "score": self.score, "mmr_score": self.mmr_score,
            "via": [{"kind": k, "label": label_of(k), "tag": t} for k, t in self.via],
            "text": self.text,
        }  # fmt: skip


def _check(options: SearchOptions) -> None:
    for name in ("k", "adjacent_k", "fetch_k"):
        if getattr(options, name) < 1:
            raise AppError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(options, name)}")
    if options.depth < 0:
        raise AppError(f"--depth must be at least 0, got {options.depth}")
    if not 0.0 <= options.lambda_mult <= 1.0:
        raise AppError(f"--lambda-mult must lie in [0, 1], got {options.lambda_mult}")


def _sides(doc: Any) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    outs, ins = set(), set()
    for link in doc.metadata.get("links", []) or []:
        if link.direction in ("out", "bidir"):
            outs.add((link.kind, link.tag))
        if link.direction in ("in", "bidir"):
            ins.add((link.kind, link.tag))
    return outs, ins


def search(db: str | os.PathLike, question: str, options: SearchOptions | None = None) -> list[Result]:
    """Search the SQLite database `db`.

    Traversal (`traversal_search`) by default, MMR traversal with ``options.mmr``; depth 0
    is plain similarity search.

    Raises:
        AppError: an empty question, bad options, a missing or foreign database, or an
            empty one.
    """
    options = options or SearchOptions()
    if not question.strip():
        raise AppError("the question is empty")
    _check(options)
    check_db(db, must_exist=True)
    n_chunks = chunk_count(db)
    if n_chunks == 0:
        raise AppError(f"{db}: the database holds no chunks yet; add some with `doclinks ingest`")
    with open_store(db) as store:
        if options.mmr:
            docs = store.mmr_traversal_search(
                question, k=options.k, depth=options.depth, fetch_k=options.fetch_k,
                adjacent_k=options.adjacent_k, lambda_mult=options.lambda_mult,
            )  # fmt: skip
        else:
            docs = store.traversal_search(question, k=options.k, depth=options.depth, adjacent_k=options.adjacent_k)
        max_degree = store.settings.degree_limit(n_chunks)
    sides = [_sides(d) for d in docs]
    wanted = {p for outs, ins in sides for p in ins}
    degrees = tag_degrees(db, wanted)
    results = []
    for rank, (doc, (_, ins)) in enumerate(zip(docs, sides), start=1):
        depth = int(doc.metadata.get("_depth", 0))
        via: list[tuple[str, str]] = []
        if depth > 0:
            parents = set().union(*(o for (o, _), d in zip(sides, docs) if d.metadata.get("_depth") == depth - 1))
            shared = ins & parents
            via = sorted(
                (p for p in shared if max_degree is None or degrees.get(p, 0) <= max_degree),
                key=lambda p: (degrees.get(p, 0), label_of(p[0]), p[1]),
            )
        meta = {k: v for k, v in doc.metadata.items() if k not in ("links", "entities") and not k.startswith("_")}
        results.append(Result(
            rank=rank, id=doc.id, text=doc.page_content, source=meta.get("source"), chunk=meta.get("chunk"),
            line=meta.get("line"), depth=depth, score=float(doc.metadata.get("_similarity_score", 0.0)),
            mmr_score=doc.metadata.get("_mmr_score"), via=via, metadata=meta,
        ))  # fmt: skip
    return results


def snippet(text: str, width: int = 240) -> str:
    """`text` on one line, cut at a word boundary near `width` characters."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat.rfind(" ", 0, width)
    return flat[: cut if cut > width // 2 else width] + " …"


def where(result: Result) -> str:
    """``"notes.txt · chunk 2"``, ``"people.jsonl:3 · chunk 0"``."""
    source = result.source or result.id
    if result.line is not None:
        source = f"{source}:{result.line}"
    return source if result.chunk is None else f"{source} · chunk {result.chunk}"


def render_results(results: list[Result], question: str, options: SearchOptions, *, full: bool = False, out=None) -> None:
    """Print results for people (rich; plain text when not a terminal)."""
    from rich.markup import escape
    from rich.text import Text

    from . import console

    out = out or console.out()
    kind = "MMR traversal" if options.mmr else ("similarity" if options.depth == 0 else "traversal")
    out.print(f"[bold]{escape(question)}[/bold]  ({kind}, k={options.k}, depth={options.depth}: {len(results)} results)")
    if not results:
        return
    for r in results:
        score = f"score {r.score:.3f}" + (f"  mmr {r.mmr_score:.3f}" if r.mmr_score is not None else "")
        out.print()
        out.print(f"[bold cyan]{r.rank:>2}.[/bold cyan] [bold]{escape(where(r))}[/bold]  depth {r.depth}  {score}")
        if r.depth == 0:
            out.print("    [dim]similar to the question[/dim]")
        elif r.via:
            out.print("    via " + "; ".join(f"[magenta]{escape(tag_name(k, t))}[/magenta]" for k, t in r.via))
        text = " ".join(r.text.split()) if full else snippet(r.text)
        width = max(40, min(out.width, 104) - 4)
        out.print(Text(textwrap.fill(text, width, initial_indent="    ", subsequent_indent="    ")), soft_wrap=True)


def results_json(results: list[Result], question: str, options: SearchOptions) -> dict[str, Any]:
    """Results as a JSON-ready dict."""
    return {
        "question": question,
        "search": "mmr_traversal" if options.mmr else "traversal",
        "k": options.k,
        "depth": options.depth,
        "results": [r.to_dict() for r in results],
    }
