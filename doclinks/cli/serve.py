"""`doclinks serve`: the store as a JSON API and a web page, on one process that loads the model once."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .common import add_db, add_model_name, check_model_name, is_url, shown_db
from .errors import CommandError

__all__ = ["add_parser", "run", "read_token", "torch_threads", "add_fields_options", "check_fields"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks serve``."""
    p = sub.add_parser(
        "serve", help="answer searches over HTTP: a JSON API and a web page",
        description="Serve a database: a JSON API (OpenAPI at /openapi.json) and a web page at / to search and "
        "explore the graph. Binds 127.0.0.1 unless told otherwise; only reads unless --allow-ingest.",
    )  # fmt: skip
    add_db(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    add_write_options(p)
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host header is NAME (besides localhost and --host)",
    )
    add_fields_options(p)
    p.add_argument("--workers", type=int, default=2, metavar="N", help="threads for model and store work (default 2)")
    p.add_argument(
        "--queue",
        type=int,
        default=64,
        metavar="N",
        help="requests admitted at once (running or waiting); more get 503 with Retry-After (default 64)",
    )
    p.set_defaults(func=run)
    return p


def add_write_options(p: argparse.ArgumentParser) -> None:
    """``--model``, ``--allow-ingest`` and ``--token-file`` (shared with ``doclinks mcp``)."""
    add_model_name(p)
    p.add_argument("--allow-ingest", action="store_true", help="accept ingest and delete requests (default: read only)")
    p.add_argument(
        "--token-file", metavar="F", help="file holding the bearer token writes must carry (with --allow-ingest)"
    )


def add_fields_options(p: argparse.ArgumentParser) -> None:
    """``--fields`` and ``--timezone``: the parsed search mode (shared with ``doclinks mcp``)."""
    p.add_argument("--fields", metavar="FILE",
                   help="JSON list of the metadata fields a question may constrain (the file of `doclinks parse`, "
                   "docs/query.md): enables search mode \"parsed\"")  # fmt: skip
    p.add_argument(
        "--timezone", metavar="TZ", help="IANA time zone of today for parsed searches that give none (default UTC)"
    )


def check_fields(path: str | None, timezone: str | None) -> None:
    """A fields file that `doclinks.query.load_fields` reads, and a known time zone: refused at start-up."""
    if timezone is not None:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(timezone)
        except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise CommandError(f"--timezone {timezone}: not a known time zone ({exc})") from None
    if path is None:
        return
    from ..query import load_fields

    try:
        load_fields(path, shared_labels=True)
    except FileNotFoundError:
        raise CommandError(f"--fields {path}: no such file") from None
    except (ValueError, TypeError) as exc:
        raise CommandError(f"--fields {path}: {exc}") from None


def read_token(path: str | None, allow_ingest: bool, *, required: bool = True) -> str | None:
    """The token in `path` (surrounding whitespace dropped); with --allow-ingest it must exist and be non-empty."""
    if path is None:
        if allow_ingest and required:
            raise CommandError("--allow-ingest needs --token-file F: a file holding the token writes must carry")
        return None
    p = Path(path)
    if not p.is_file():
        raise CommandError(f"--token-file {path}: no such file")
    token = p.read_text(encoding="utf-8").strip()
    if len(token) < 16:
        raise CommandError(
            f"--token-file {path}: the token is {len(token)} characters; use at least 16 (e.g. `openssl rand -hex 32`)"
        )
    return token


def check_db(db: str, allow_ingest: bool) -> None:
    """A missing SQLite file is created only with --allow-ingest."""
    if not is_url(db) and not allow_ingest and not Path(db).is_file():
        raise CommandError(
            f"{db}: no such database; create it with `doclinks ingest PATH... --db {db}` (or --allow-ingest)"
        )
    if not is_url(db) and Path(db).is_dir():
        raise CommandError(f"{db}: is a folder, not a database file")


def torch_threads(workers: int) -> None:
    """Torch threads per worker: the cores shared among the workers (at least one each)."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, workers)))


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks serve``."""
    try:
        # imported here only to fail early, with the install line, when they are missing
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401

        from ..serve import ServeSettings, serve
    except ImportError as exc:
        raise CommandError(f"doclinks serve needs FastAPI and uvicorn: pip install 'doclinks[serve]' ({exc})") from None
    check_model_name(args.model)
    check_db(args.db, args.allow_ingest)
    check_fields(args.fields, args.timezone)
    token = read_token(args.token_file, args.allow_ingest)
    if args.workers < 1 or args.queue < 1:
        raise CommandError(f"--workers and --queue must be at least 1, got {args.workers} and {args.queue}")
    torch_threads(args.workers)
    settings = ServeSettings(db=args.db, model=args.model, allow_ingest=args.allow_ingest, token=token, host=args.host,
                             port=args.port, allowed_hosts=tuple(args.allow_host), workers=args.workers,
                             queue=args.queue, fields=args.fields, timezone=args.timezone)  # fmt: skip
    print(f"doclinks serve: {shown_db(args.db)} on http://{args.host}:{args.port}/ "
          f"({'read and write' if args.allow_ingest else 'read only'})", flush=True)  # fmt: skip
    serve(settings)
    return 0
