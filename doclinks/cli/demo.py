"""`doclinks demo`: the main job in one command, on the embedded defaults.

Ingests the 2022 State of the Union address (``texts/state_of_the_union.txt`` of the shared
data folder: ``$DOCLINKS_DATA``, else ``../shared/data`` beside the project) when it is
there, else the sample text shipped inside the package (`doclinks/data/sample.txt`), with
the labels Person, Organization and Location; then runs one traversal search and prints the
results. Run again, it finds every chunk already stored and only searches.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .common import add_db, interrupted

__all__ = ["DemoInput", "demo_input", "DEMO_LABELS", "SAMPLE", "add_parser", "run"]

DEMO_LABELS = ["Person", "Organization", "Location"]

#: The sample text shipped with the package.
SAMPLE = "sample.txt"


@dataclass(frozen=True)
class DemoInput:
    """The text the demo ingests, the question it asks, and what to call the text."""

    path: Path
    question: str
    what: str


def sample_path() -> Path:
    """The packaged sample text (a few paragraphs, written for doclinks, public domain)."""
    return Path(str(resources.files("doclinks.data") / SAMPLE))


def demo_input() -> DemoInput:
    """The text the demo ingests, and the question it asks about it."""
    from ..paths import data_root

    sotu = data_root() / "texts" / "state_of_the_union.txt"
    if sotu.is_file():
        return DemoInput(
            sotu, "What did the president say about Ketanji Brown Jackson?", "the 2022 State of the Union address"
        )
    return DemoInput(sample_path(), "Who built the lighthouse at Cascais?", "the sample text shipped with doclinks")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks demo``."""
    p = sub.add_parser(
        "demo", help="the main job: ingest a text, then one traversal search",
        description="Ingest the 2022 State of the Union address (../shared/data/texts, or $DOCLINKS_DATA/texts) "
        "when it is there, else the sample text shipped with doclinks, with the labels Person, Organization, "
        "Location; then run one traversal search and print the results.",
    )  # fmt: skip
    add_db(p, "demo.db")
    p.add_argument(
        "--model", metavar="M", help="GLiNER checkpoint folder or hub id (default: the shipped default model)"
    )
    p.add_argument("--question", metavar="TEXT", help="the question to search (default: one about the text)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


#: Demo chunks are short (characters), so that a few paragraphs give chunks that links can join.
DEMO_CHUNK_SIZE = 400
#: Roots of the demo search: few, so that what the links add shows.
DEMO_K = 2


def link_only(store, question: str, results) -> list:
    """The results a plain similarity search with as many results misses: found through links only."""
    similar = {d.id for d in store.similarity_search(question, k=max(1, len(results)))}
    return [r for r in results if r.depth > 0 and r.id not in similar]


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks demo``: ingest, search, and point at the results only links found."""
    from .common import open_store
    from .ingest import IngestOptions, ingest
    from .inventory import tag_name
    from .search import SearchOptions, render_results, search

    chosen = demo_input()
    path = os.path.relpath(chosen.path)
    if path.startswith(os.path.join(os.pardir, os.pardir, os.pardir)):
        path = str(chosen.path)  # not near the working folder: the absolute path reads better
    print(f"doclinks demo: {chosen.what} ({path})", file=sys.stderr)
    options = IngestOptions(
        labels=DEMO_LABELS, model=args.model, chunk_size=DEMO_CHUNK_SIZE, progress=not args.no_progress
    )
    try:
        summary = ingest([path], args.db, options)
    except KeyboardInterrupt as exc:
        return interrupted("demo", exc)
    print(summary.text())
    print()
    question = args.question or chosen.question
    search_options = SearchOptions(k=DEMO_K, depth=1)
    results = search(args.db, question, search_options)
    render_results(results, question, search_options)
    with open_store(args.db) as store:
        found = link_only(store, question, results)
    print()
    if found:
        for r in found:
            via = "; ".join(tag_name(k, t) for k, t in r.via)
            print(f"Result {r.rank} is here only because of a shared entity ({via}): a similarity search for "
                  f"{len(results)} results does not find it.")  # fmt: skip
    else:
        print(f"Every result is also among the {len(results)} most similar chunks: links found nothing new here.")
    return 0
