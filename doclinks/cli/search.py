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
from typing import Any

from .common import add_db, open_store, shown_db
from .errors import CommandError
from .search_results import (
    MODES,
    Result,
    SearchOptions,
    render_results,
    results_json,
    snippet,
)

__all__ = [
    "SearchOptions",
    "Result",
    "search",
    "search_parsed",
    "render_results",
    "results_json",
    "snippet",
    "add_parser",
    "run",
]


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
            entity_labels(kind for kind, _ in store.tags()) or ["Person"], model=model, min_link_score=None
        )


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


def search_parsed(
    db: str | os.PathLike,
    question: str,
    options: SearchOptions,
    fields: str,
    *,
    soft: bool = False,
    today: str | None = None,
    timezone: str | None = None,
    threshold: float = 0.5,
):
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
        retriever = GLiNERSelfQueryRetriever(
            store=store,
            parser=parser,
            search_type=kind,
            k=options.k,
            search_kwargs=kwargs,
            mode="soft" if soft else "strict",
            today=today,
        )
        found = retriever.search(question)
        n_chunks, idf_weight = len(store), store.settings.idf_weight
    return found.parsed, found.relaxed, _results(found.documents, options, n_chunks, idf_weight)


def _add_search_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--k",
        type=int,
        default=4,
        metavar="N",
        help="results found by similarity (default 4); traversal adds the chunks linked to them "
        '(up to --adjacent-k a hop), shown as "4 nearest + 10 through shared entities"',
    )
    p.add_argument(
        "--depth", type=int, default=1, metavar="N", help="hops along shared entities (default 1; 0: similarity only)"
    )
    p.add_argument(
        "--mode",
        choices=list(MODES),
        default="traversal",
        help="traversal (default): similar chunks, then their neighbours through shared entities; "
        "ppr: Personalized PageRank from similar chunks and the entities the question names; "
        "mmr: MMR traversal, diverse, lower recall on MuSiQue (docs/store.md); similarity: no links",
    )
    p.add_argument("--mmr", action="store_true", help="the same as --mode mmr")
    p.add_argument(
        "--model",
        metavar="M",
        help="ppr, --entity-k: the GLiNER model that reads the question's entities "
        "(default: the shipped default model)",
    )
    p.add_argument(
        "--entity-k",
        type=int,
        default=0,
        metavar="N",
        help="traversal: also N roots among the chunks carrying an entity the question names "
        "(default 0; 2 measured best on MuSiQue, docs/store.md)",
    )
    p.add_argument(
        "--adjacent-k",
        type=int,
        default=10,
        metavar="N",
        help="most chunks one hop adds (default 10: the store's default, the same for --mmr)",
    )
    p.add_argument(
        "--fetch-k", type=int, default=100, metavar="N", help="MMR: candidates found by similarity (default 100)"
    )
    p.add_argument(
        "--lambda-mult",
        type=float,
        default=0.5,
        metavar="X",
        help="MMR: 1 similarity only, 0 diversity only (default 0.5)",
    )
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

    p.add_argument(
        "--parse",
        action="store_true",
        help="parse the question's constraints on metadata fields "
        "(--fields) with the GLiNER model and filter by them (docs/query.md)",
    )
    add_parse_options(p, required=False)
    p.add_argument(
        "--soft",
        action="store_true",
        help="--parse: when the filter finds fewer than --k results, "
        "relax its constraints in order (least sure first) and say so",
    )
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
