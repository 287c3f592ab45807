"""The `doclinks` command line, over the library: one module per command (its parser, its run,
its rendering), registered in `doclinks.cli.main`.

- `main`: the parser, the dispatch, errors as one line on stderr.
- `common`: what several commands share (``--db`` and opening any store, ``--model``, labels).
- `ingest`, `search`, `entities`, `graph`, `stats`, `demo`, `train`, `evaluate`: the commands.
- `inventory`: what a set of stored chunks holds (tags, degrees, linked pairs), for stats and graph.
- `console`, `colors`, `errors`: output and the one error type, `CommandError`.

The library never imports this package.
"""

from .main import main

__all__ = ["main"]
