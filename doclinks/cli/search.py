"""`doclinks search`: search a database and say why each result is there.

A root (depth 0) is there by similarity to the question. A result at depth d > 0 was reached
from the results at depth d - 1 through the tags it shares with them: the store gives them as
``_via`` (its incoming tags that one of them carries on its outgoing side, of degree at most
the hub limit), rarest first; this module only shows them.
"""

from __future__ import annotations

import argparse
import json
import os
import textwrap
from dataclasses import dataclass, field
from typing import Any

from .common import add_db, open_store, shown_db
from .errors import CommandError
from .inventory import label_of, tag_name

__all__ = ["SearchOptions", "Result", "search", "search_parsed", "render_results", "results_json", "snippet", "add_parser", "run"]


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


def _check(options: SearchOptions) -> None:
    for name in ("k", "adjacent_k", "fetch_k"):
        if getattr(options, name) < 1:
            raise CommandError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(options, name)}")
    if options.depth < 0:
        raise CommandError(f"--depth must be at least 0, got {options.depth}")
    if options.entity_k < 0:
        raise CommandError(f"--entity-k must be at least 0, got {options.entity_k}")
    if not 0.0 <= options.lambda_mult <= 1.0:
        raise CommandError(f"--lambda-mult must lie in [0, 1], got {options.lambda_mult}")


def _query_model(store, model: str | None) -> None:
    """Read questions with `model` (a GLiNER folder or hub id) on the store's entity labels; None keeps
    the store's default (the shipped model)."""
    if model is not None:
        from ..links import GLiNERLinkExtractor
        from ..store.entity_search import entity_labels

        store.query_extractor = GLiNERLinkExtractor(
            entity_labels(kind for kind, _ in store.tags()) or ["Person"], model=model, min_link_score=None)


def search(db: str | os.PathLike, question: str, options: SearchOptions | None = None) -> list[Result]:
    """Search the store `db` (an SQLite file or a PostgreSQL URL).

    Traversal (`traversal_search`) by default, MMR traversal with ``options.mmr``; depth 0
    is plain similarity search. The "via" tags of each result are the store's (``_via``).

    Raises:
        CommandError: an empty question, bad options, a missing or foreign database, or an
            empty one.
    """
    options = options or SearchOptions()
    if not question.strip():
        raise CommandError("the question is empty")
    _check(options)
    with open_store(db) as store:
        if len(store) == 0:
            raise CommandError(f"{shown_db(db)}: the database holds no chunks yet; add some with `doclinks ingest`")
        if options.mode == "mmr":
            docs = store.mmr_traversal_search(
                question, k=options.k, depth=options.depth, fetch_k=options.fetch_k,
                adjacent_k=options.adjacent_k, lambda_mult=options.lambda_mult,
            )  # fmt: skip
        elif options.mode == "ppr":
            _query_model(store, options.model)
            docs = store.ppr_search(question, k=options.k)
        elif options.mode == "similarity" or (options.depth == 0 and not options.entity_k):
            docs = store.similarity_search(question, k=options.k)
        else:
            if options.entity_k:
                _query_model(store, options.model)
            docs = store.traversal_search(question, k=options.k, depth=options.depth, adjacent_k=options.adjacent_k,
                                          entity_k=options.entity_k)  # fmt: skip
        n_chunks, idf_weight = len(store), store.settings.idf_weight
    return _results(docs, options, n_chunks, idf_weight)


def _results(docs, options: SearchOptions, n_chunks: int, idf_weight: float) -> list[Result]:
    """The found documents as `Result`s; depth-1 traversal results carry the store's neighbour rank."""
    results = []
    for rank, doc in enumerate(docs, start=1):
        meta = {k: v for k, v in doc.metadata.items() if k not in ("links", "entities") and not k.startswith("_")}
        results.append(Result(
            rank=rank, id=doc.id, text=doc.page_content, source=meta.get("source"), chunk=meta.get("chunk"),
            line=meta.get("line"), depth=int(doc.metadata.get("_depth", 0)),
            score=float(doc.metadata.get("_similarity_score", 0.0)), mmr_score=doc.metadata.get("_mmr_score"),
            ppr_score=doc.metadata.get("_ppr_score"),
            via=[tuple(p) for p in doc.metadata.get("_via", doc.metadata.get("_query_tags", []))], metadata=meta,
            via_degrees=list(doc.metadata.get("_via_degrees", [])),
        ))  # fmt: skip
    if options.mode == "traversal":
        from ..store.ranking import neighbour_rank

        for r in results:  # the store's rule (`doclinks.store.ranking`), shown so that the order explains itself
            if r.depth > 0 and len(r.via_degrees) == len(r.via):
                r.rank_score = neighbour_rank(r.score, r.via_degrees, n_chunks, idf_weight)
    return results


def search_parsed(db: str | os.PathLike, question: str, options: SearchOptions, fields: str, *, soft: bool = False,
                  today: str | None = None, timezone: str | None = None, threshold: float = 0.5):
    """`search` through `doclinks.query.GLiNERSelfQueryRetriever`: the question parsed on `fields` (a JSON
    file), its constraints as the filter (relaxed in order with `soft`). Returns ``(parsed, relaxed,
    results)``."""
    from ..query import GLiNERSelfQueryRetriever
    from .parse import load_parser

    if not question.strip():
        raise CommandError("the question is empty")
    _check(options)
    if options.mode == "mmr":
        raise CommandError("--parse searches with --mode traversal, similarity or ppr, not mmr")
    with open_store(db) as store:
        if len(store) == 0:
            raise CommandError(f"{shown_db(db)}: the database holds no chunks yet; add some with `doclinks ingest`")
        parser = load_parser(fields, options.model, threshold, store, timezone)
        kwargs: dict[str, Any] = {}
        if options.mode == "ppr":
            kind = "ppr"
        elif options.mode == "similarity" or (options.depth == 0 and not options.entity_k):
            kind = "similarity"
        else:
            kind = "traversal"
            kwargs = {"depth": options.depth, "adjacent_k": options.adjacent_k, "entity_k": options.entity_k}
        retriever = GLiNERSelfQueryRetriever(store=store, parser=parser, search_type=kind, k=options.k,
                                             search_kwargs=kwargs, mode="soft" if soft else "strict", today=today)
        found = retriever.search(question)
        n_chunks, idf_weight = len(store), store.settings.idf_weight
    return found.parsed, found.relaxed, _results(found.documents, options, n_chunks, idf_weight)


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
        score = f"score {r.score:.3f}" + (f"  mmr {r.mmr_score:.3f}" if r.mmr_score is not None else "") + (
            f"  ppr {r.ppr_score:.4f}" if r.ppr_score is not None else "") + (
            f"  rank {r.rank_score:.3f}" if r.rank_score is not None else "")
        out.print()
        out.print(f"[bold cyan]{r.rank:>2}.[/bold cyan] [bold]{escape(where(r))}[/bold]  depth {r.depth}  {score}")
        if r.depth == 0:
            out.print("    [dim]similar to the question[/dim]")
        elif r.via and options.mode == "ppr":
            out.print("    via " + "; ".join(f"[magenta]{escape(tag_name(k, t))}[/magenta]" for k, t in r.via)
                      + " [dim](named by the question or carried by a chunk similar to it)[/dim]")
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
    if options.mode in ("ppr", "similarity") or (options.mode == "traversal" and options.depth == 0 and not options.entity_k):
        return f"{len(results)} result{'s' if len(results) != 1 else ''}"
    groups = [(sum(r.group == g for r in results), words) for g, words in
              (("nearest", "nearest"), ("named", "naming the question's entities"), ("linked", "through shared entities"))]
    parts = [f"{n} {words}" for n, words in groups if n or words == "nearest"]
    return " + ".join(parts) + (f" (k={options.k} in all)" if options.mode == "mmr" else "")


def _heading(r: Result, results: list[Result], options: SearchOptions) -> str | None:
    """The line above each group of results that says what they are and in which order they come."""
    if options.mode == "mmr":
        return "in the order MMR traversal chose them (mmr: similarity to the question, less similarity to the results before)" if r.rank == 1 else None
    if options.mode != "traversal" or (options.depth == 0 and not options.entity_k):
        return None
    if r.group == "nearest":
        n = sum(x.group == "nearest" for x in results)
        return f"nearest: the {n} chunk{'s' if n != 1 else ''} most similar to the question, most similar first"
    if r.group == "named":
        return "naming an entity of the question: the most similar chunks that carry one, most similar first"
    return (f"through shared entities, depth {r.depth}: best rank first (rank: similarity to the question "
            "weighted by the rarity of the tags shared with the depth before; a tag on fewer chunks weighs more)")


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


def _add_search_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--k", type=int, default=4, metavar="N",
                   help="results found by similarity (default 4); traversal adds the chunks linked to them "
                   "(up to --adjacent-k a hop), shown as \"4 nearest + 10 through shared entities\"")
    p.add_argument("--depth", type=int, default=1, metavar="N", help="hops along shared entities (default 1; 0: similarity only)")
    p.add_argument("--mode", choices=list(MODES), default="traversal",
                   help="traversal (default): similar chunks, then their neighbours through shared entities; "
                   "ppr: Personalized PageRank from similar chunks and the entities the question names; "
                   "mmr: MMR traversal, diverse, lower recall on MuSiQue (docs/store.md); similarity: no links")
    p.add_argument("--mmr", action="store_true", help="the same as --mode mmr")
    p.add_argument("--model", metavar="M", help="ppr, --entity-k: the GLiNER model that reads the question's entities "
                   "(default: the shipped default model)")
    p.add_argument("--entity-k", type=int, default=0, metavar="N",
                   help="traversal: also N roots among the chunks carrying an entity the question names "
                   "(default 0; 2 measured best on MuSiQue, docs/store.md)")
    p.add_argument("--adjacent-k", type=int, default=10, metavar="N",
                   help="most chunks one hop adds (default 10: the store's default, the same for --mmr)")
    p.add_argument("--fetch-k", type=int, default=100, metavar="N", help="MMR: candidates found by similarity (default 100)")
    p.add_argument("--lambda-mult", type=float, default=0.5, metavar="X", help="MMR: 1 similarity only, 0 diversity only (default 0.5)")
    p.add_argument("--full", action="store_true", help="print whole chunks, not the first lines")
    p.add_argument("--json", action="store_true", help="print the results as JSON")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks search``."""
    p = sub.add_parser(
        "search", help="search a database: similar chunks, then chunks that share their entities",
        description="Traversal search: the k chunks most similar to the question, then the chunks linked to "
        "them by shared entities, up to --depth hops. Each result shows its source, depth, similarity score, "
        "and the shared tags that brought it in.",
    )  # fmt: skip
    p.add_argument("question")
    add_db(p)
    _add_search_options(p)
    from .parse import add_parse_options

    p.add_argument("--parse", action="store_true", help="parse the question's constraints on metadata fields "
                   "(--fields) with the GLiNER model and filter by them (docs/query.md)")
    add_parse_options(p, required=False)
    p.add_argument("--soft", action="store_true", help="--parse: when the filter finds fewer than --k results, "
                   "relax its constraints in order (least sure first) and say so")
    p.set_defaults(func=run)
    return p


def _search_options(args: argparse.Namespace):
    return SearchOptions(k=args.k, depth=args.depth, mmr=args.mmr, adjacent_k=args.adjacent_k, fetch_k=args.fetch_k,
                         lambda_mult=args.lambda_mult, mode=args.mode, model=args.model,
                         entity_k=getattr(args, "entity_k", 0))  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks search``."""
    options = _search_options(args)
    if not args.parse:
        if args.fields or args.soft:
            raise CommandError("--fields and --soft go with --parse")
        results = search(args.db, args.question, options)
        if args.json:
            print(json.dumps(results_json(results, args.question, options), indent=2, ensure_ascii=False))
        else:
            render_results(results, args.question, options, full=args.full)
        return 0
    if not args.fields:
        raise CommandError("--parse needs --fields FILE: the metadata fields a question may constrain")
    parsed, relaxed, results = search_parsed(args.db, args.question, options, args.fields, soft=args.soft,
                                             today=args.today, timezone=args.timezone)  # fmt: skip
    if args.json:
        out = results_json(results, args.question, options)
        out.update(parsed=parsed.to_dict(), relaxed=relaxed)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    from rich.markup import escape

    from . import console
    from .parse import render_parsed

    render_parsed(parsed)
    for step in relaxed:
        console.out().print(f"  [yellow]relaxed[/yellow]: {escape(step)}")
    console.out().print()
    render_results(results, args.question, options, full=args.full)
    return 0
