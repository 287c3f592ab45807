"""The jobs behind the `doclinks` command line, one module each, so that `doclinks/cli.py` stays thin.

- `sources`: find .txt, .md and .jsonl files, read them, split them into chunks with stable ids.
- `db`: check that a file is a doclinks SQLite database, and read it (read-only) for stats and graphs.
- `ingest`: files -> chunks -> entities and links -> embeddings -> the store; resumable.
- `search`: similarity, traversal and MMR traversal, with the shared tags that brought each result in.
- `entities`: entities of a text as a table, JSON, or an HTML page (spaCy's displaCy).
- `graph`: the chunk-entity graph as an interactive HTML page (vis-network, inlined), GraphML or JSON.
- `stats`: counts, the most linked tags, hub tags.
- `demo`: the main job in one command (ingest a text, run a traversal search).

Every module raises `AppError` for problems the user can fix (the CLI prints it as one line).
"""

from .errors import AppError

__all__ = ["AppError"]
