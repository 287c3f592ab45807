"""`doclinks delete`: remove sources (files, by path) or single chunks (by id) from a store, by hand.

    doclinks delete --source notes/old.pdf [--source notes/drafts/] [--id ID ...] [--db graph.db] [--json]

A source is a file ingested before (its absolute path), or a folder: every source recorded under it.
Its chunks, their links and its record go in one transaction (`doclinks.source_sync.remove_from_store`);
the tags the removed chunks carried are then renormalised. A path or id the store does not know is an
error, and nothing is deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .common import add_db, is_url, open_store, shown_db
from .errors import CommandError

__all__ = ["add_parser", "run", "sources_of"]


def sources_of(store, paths: list[str]) -> list[str]:
    """The recorded sources the `paths` name: the file's own record, else every source under the folder.

    Raises:
        CommandError: a path under which no source is recorded.
    """
    found: list[str] = []
    for given in paths:
        key = str(Path(given).resolve())
        if store.source_records([key]):
            found.append(key)
            continue
        under = store.sources_under(key.rstrip(os.sep) + os.sep)
        if not under:
            raise CommandError(
                f"--source {given}: no ingested file at or under this path in the store; nothing deleted"
            )
        found += under
    return list(dict.fromkeys(found))


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks delete``."""
    p = sub.add_parser(
        "delete", help="remove ingested files (or chunks by id) from a store",
        description="Remove sources from a store: a file ingested before (--source PATH; a folder removes every file "
        "ingested under it, whether or not it still exists) or a chunk (--id ID), with their links, in one transaction; "
        "the tags of the chunks removed are renormalised. Nothing is deleted when a path or id is unknown.",
    )  # fmt: skip
    p.add_argument(
        "--source", action="append", default=[], metavar="PATH", help="a file or folder ingested before; repeatable"
    )
    p.add_argument(
        "--id",
        action="append",
        default=[],
        metavar="ID",
        help="a chunk id (doclinks search --json shows them); repeatable",
    )
    add_db(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks delete``."""
    from ..source_sync import remove_from_store
    from ..store import UnknownIdError

    if not args.source and not args.id:
        raise CommandError("nothing to delete: give --source PATH or --id ID")
    if not is_url(args.db) and not Path(args.db).exists():
        raise CommandError(f"{args.db}: no such database")
    store = open_store(args.db, create=True)
    try:
        sources = sources_of(store, args.source)
        try:
            report = remove_from_store(store, sources=sources, ids=args.id)
        except UnknownIdError as exc:
            raise CommandError(f"--id: {exc}; nothing deleted") from None
        left = len(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"db": shown_db(args.db), "sources": report.sources, "chunks": report.chunks,
                          "renormalized_chunks": report.renormalized_chunks, "stored_chunks": left}, indent=2))  # fmt: skip
    else:
        print(f"deleted {report.chunks:,} chunk{'' if report.chunks == 1 else 's'}"
              + (f" of {len(report.sources):,} source{'' if len(report.sources) == 1 else 's'}" if report.sources else "")
              + f" from {shown_db(args.db)}; {left:,} chunks left"
              + (f"; tags of {report.renormalized_chunks:,} chunks renormalised" if report.renormalized_chunks else ""))  # fmt: skip
        for s in report.sources[:20]:
            print(f"  {s}", file=sys.stdout)
    return 0
