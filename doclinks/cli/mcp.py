"""`doclinks mcp`: the store as Model Context Protocol tools over stdio, for an LLM agent."""

from __future__ import annotations

import argparse

from .common import add_db, add_model_name, check_model_name
from .errors import CommandError
from .serve import check_db, torch_threads

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks mcp``."""
    p = sub.add_parser(
        "mcp", help="answer an LLM agent's searches: an MCP tool server on stdio",
        description="An MCP server on stdin/stdout with the tools search, entities, document and neighbours "
        "(read only); ingest and delete too with --allow-ingest. Start it from an MCP client's configuration.",
    )  # fmt: skip
    add_db(p)
    add_model_name(p)
    p.add_argument("--allow-ingest", action="store_true", help="add the ingest and delete tools (default: read only)")
    p.add_argument(
        "--max-chars",
        type=int,
        default=None,
        metavar="N",
        help="most characters of JSON in one tool answer; more comes with a cursor (default 10000)",
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks mcp`` until the client closes stdin."""
    try:
        from ..serve.mcp_server import build_mcp
    except ImportError as exc:
        raise CommandError(f"doclinks mcp needs the mcp package: pip install 'doclinks[mcp]' ({exc})") from None
    from ..serve import ServeSettings
    from ..serve.mcp_server import MAX_CHARS
    from ..serve.service import Service

    max_chars = MAX_CHARS if args.max_chars is None else args.max_chars
    if max_chars < 500:
        raise CommandError(f"--max-chars must be at least 500, got {max_chars}")
    check_model_name(args.model)
    check_db(args.db, args.allow_ingest)
    torch_threads(2)
    service = Service(ServeSettings(db=args.db, model=args.model, allow_ingest=args.allow_ingest))
    try:
        build_mcp(service, max_chars=max_chars).run("stdio")
    finally:
        service.close()
    return 0
