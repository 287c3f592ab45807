"""The `doclinks` command line: the parser, the dispatch, and errors as one line on stderr.

    doclinks ingest PATH... --labels "Person,Organization,Location" [--db graph.db] [--model M] ...
    doclinks delete --source PATH | --id ID [--db graph.db] [--json]
    doclinks search "question" [--db graph.db | postgresql://...] [--k 4] [--depth 1] [--mmr] [--json]
                    [--parse --fields fields.json [--soft]]
    doclinks parse  "question" --fields fields.json [--today 2026-12-07] [--db graph.db] [--json]
    doclinks entities "text" | --file F --labels ... [--format table|json|html] [--output F]
    doclinks graph [--db graph.db] --html out.html | --format graphml|json [--output F]
    doclinks stats [--db graph.db] [--json]
    doclinks serve [--db graph.db] [--host 127.0.0.1] [--port 8000] [--allow-ingest --token-file F]
    doclinks mcp   [--db graph.db] [--allow-ingest]
    doclinks demo  [--db demo.db]
    doclinks train --output runs/minilm [--resume] [settings...]
    doclinks eval  [--model DIR] [--sets ...] [--limit N] [--json out.json]

Each command is a module of this package with ``add_parser`` and ``run``; a module is imported
only when its command runs (start-up time), except for the parsers.
An error is one line on stderr and a non-zero exit status (2 for a usage error).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["main", "build_parser", "ArgumentParser", "COMMANDS"]

#: The commands, in the order of ``doclinks --help``: the module of each.
COMMANDS = (
    "ingest",
    "delete",
    "search",
    "parse",
    "entities",
    "graph",
    "stats",
    "serve",
    "mcp",
    "demo",
    "train",
    "evaluate",
)

#: Commands that load a model (transformers' progress bars are silenced for them).
_LOADS_MODELS = ("ingest", "search", "parse", "entities", "serve", "mcp", "demo")


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with usage errors on one line of stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        """Print the usage error on one line of stderr and exit with status 2."""
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    parser = ArgumentParser(prog="doclinks", description="doclinks: entity links between documents.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.{name}").add_parser(sub)
    return parser


def _reported(exc: BaseException) -> bool:
    """Errors printed as one line: the user's to fix, or the environment's."""
    from .errors import CommandError

    kinds: tuple[type, ...] = (CommandError, ValueError, OSError, RuntimeError, ImportError)
    store = sys.modules.get("doclinks.store.errors")
    if store is not None:
        kinds += (store.StoreError, store.UnknownIdError)
    return isinstance(exc, kinds)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in _LOADS_MODELS:
        from .console import quiet_model_loading

        quiet_model_loading()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"doclinks {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `doclinks ... | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return 141
    except Exception as exc:
        if not _reported(exc):
            raise
        from .errors import CommandError, with_flags

        message = " ".join(str(exc).split())  # one line
        if not isinstance(exc, CommandError):
            message = with_flags(message)
        print(f"doclinks {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
