"""What `doclinks search` finds and how it is shown: its options, one `Result` per chunk, the terminal
rendering and the JSON (`doclinks.cli.search` runs the search and imports these from here)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from .errors import CommandError
from .inventory import label_of, tag_name

__all__ = ["MODES", "Result", "SearchOptions", "count_text", "render_results", "results_json", "snippet", "where"]


@dataclass
class SearchOptions:
    """Search settings; the defaults are the CLI's (and the store's)."""

    k: int = 4
    depth: int = 1
    mmr: bool = False  # the same as mode="mmr"
    adjacent_k: int = 10
    fetch_k: int = 100
    lambda_mult: float = 0.5
    mode: str = "traversal"  # traversal | mmr | ppr | similarity
    model: str | None = None  # ppr, entity_k: the model that reads the question's entities (None: the default)
    entity_k: int = 0  # traversal: roots among the chunks carrying an entity the question names

    def __post_init__(self) -> None:
        if self.mmr:
            self.mode = "mmr"
        if self.mode not in MODES:
            raise CommandError(f"--mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        self.mmr = self.mode == "mmr"


#: Search modes: the store method each runs.
MODES = {"traversal": "traversal_search", "mmr": "mmr_traversal_search", "ppr": "ppr_search",
         "similarity": "similarity_search"}  # fmt: skip


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
    ppr_score: float | None = None
    via: list[tuple[str, str]] = field(default_factory=list)  # (kind, tag), rarest first
    metadata: dict[str, Any] = field(default_factory=dict)
    via_degrees: list[int] = field(default_factory=list)  # chunks carrying each via tag (traversal, depth > 0)
    rank_score: float | None = None  # traversal, depth > 0: the neighbour rank the results of a depth are ordered by

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict (the `--json` output)."""
        return {
            "rank": self.rank, "id": self.id, "source": self.source, "chunk": self.chunk, "line": self.line,
            "depth": self.depth, "score": self.score, "mmr_score": self.mmr_score, "ppr_score": self.ppr_score,
            "via": [{"kind": k, "label": label_of(k), "tag": t, **({"chunks": d} if d is not None else {})}
                    for (k, t), d in zip(self.via, self._degrees())],
            "rank_score": self.rank_score,
            "text": self.text,
        }  # fmt: skip

    def _degrees(self) -> list[int | None]:
        return list(self.via_degrees) if len(self.via_degrees) == len(self.via) else [None] * len(self.via)

    @property
    def group(self) -> str:
        """Why it is there: ``"nearest"`` (similar to the question), ``"named"`` (an entity-seeded root:
        it carries an entity the question names) or ``"linked"`` (reached through shared entities)."""
        return "linked" if self.depth > 0 else "named" if self.via else "nearest"


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


def render_results(
    results: list[Result], question: str, options: SearchOptions, *, full: bool = False, out=None
) -> None:
    """Print results for people (rich; plain text when not a terminal)."""
    from rich.markup import escape
    from rich.text import Text

    from . import console

    out = out or console.out()
    kind = _search_name(options)
    shape = f"k={options.k}" if options.mode in ("ppr", "similarity") else f"k={options.k}, depth={options.depth}"
    out.print(f"[bold]{escape(question)}[/bold]  ({kind}, {shape}: {count_text(results, options)})")
    if not results:
        return
    heading = None
    for r in results:
        now = _heading(r, results, options)
        if now != heading and now:
            out.print()
            out.print(f"[dim]{escape(now)}[/dim]")
        heading = now
        score = (
            f"score {r.score:.3f}"
            + (f"  mmr {r.mmr_score:.3f}" if r.mmr_score is not None else "")
            + (f"  ppr {r.ppr_score:.4f}" if r.ppr_score is not None else "")
            + (f"  rank {r.rank_score:.3f}" if r.rank_score is not None else "")
        )
        out.print()
        out.print(f"[bold cyan]{r.rank:>2}.[/bold cyan] [bold]{escape(where(r))}[/bold]  depth {r.depth}  {score}")
        if r.depth == 0:
            out.print("    [dim]similar to the question[/dim]")
        elif r.via and options.mode == "ppr":
            out.print(
                "    via "
                + "; ".join(f"[magenta]{escape(tag_name(k, t))}[/magenta]" for k, t in r.via)
                + " [dim](named by the question or carried by a chunk similar to it)[/dim]"
            )
        elif r.via:
            out.print("    via " + "; ".join(f"[magenta]{escape(tag_name(k, t))}[/magenta]"
                                         + (f" [dim]({d:,} chunk{'s' if d != 1 else ''})[/dim]" if d is not None else "")
                                         for (k, t), d in zip(r.via, r._degrees())))  # fmt: skip
        text = " ".join(r.text.split()) if full else snippet(r.text)
        width = max(40, min(out.width, 104) - 4)
        out.print(Text(textwrap.fill(text, width, initial_indent="    ", subsequent_indent="    ")), soft_wrap=True)


def count_text(results: list[Result], options: SearchOptions) -> str:
    """How many results, and why they are there: ``"4 nearest + 10 through shared entities"`` for a
    traversal (`k` bounds the nearest; each hop adds up to ``--adjacent-k``), ``"4 results"`` for the
    searches whose results are all of one kind."""
    if options.mode in ("ppr", "similarity") or (
        options.mode == "traversal" and options.depth == 0 and not options.entity_k
    ):
        return f"{len(results)} result{'s' if len(results) != 1 else ''}"
    groups = [
        (sum(r.group == g for r in results), words)
        for g, words in (
            ("nearest", "nearest"),
            ("named", "naming the question's entities"),
            ("linked", "through shared entities"),
        )
    ]
    parts = [f"{n} {words}" for n, words in groups if n or words == "nearest"]
    return " + ".join(parts) + (f" (k={options.k} in all)" if options.mode == "mmr" else "")


def _heading(r: Result, results: list[Result], options: SearchOptions) -> str | None:
    """The line above each group of results that says what they are and in which order they come."""
    if options.mode == "mmr":
        return (
            "in the order MMR traversal chose them (mmr: similarity to the question, less similarity to the results before)"
            if r.rank == 1
            else None
        )
    if options.mode != "traversal" or (options.depth == 0 and not options.entity_k):
        return None
    if r.group == "nearest":
        n = sum(x.group == "nearest" for x in results)
        return f"nearest: the {n} chunk{'s' if n != 1 else ''} most similar to the question, most similar first"
    if r.group == "named":
        return "naming an entity of the question: the most similar chunks that carry one, most similar first"
    return (
        f"through shared entities, depth {r.depth}: best rank first (rank: similarity to the question "
        "weighted by the rarity of the tags shared with the depth before; a tag on fewer chunks weighs more)"
    )


def _search_name(options: SearchOptions) -> str:
    """How the search is called in the output."""
    if options.mode == "traversal" and options.depth == 0:
        return "similarity"
    return {"mmr": "MMR traversal", "ppr": "PPR"}.get(options.mode, options.mode)


def results_json(results: list[Result], question: str, options: SearchOptions) -> dict[str, Any]:
    """Results as a JSON-ready dict."""
    return {
        "question": question,
        "search": {"mmr": "mmr_traversal"}.get(options.mode, options.mode),
        "k": options.k,
        "depth": options.depth,
        "counts": {g: sum(r.group == g for r in results) for g in ("nearest", "named", "linked")},
        "results": [r.to_dict() for r in results],
    }
