"""What several commands share: ``--db`` and opening any store, ``--model``, labels, interrupts."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from pathlib import Path

from .errors import CommandError

__all__ = [
    "DEFAULT_DB",
    "add_db",
    "add_model",
    "parse_labels",
    "check_model_name",
    "interrupted",
    "is_url",
    "open_store",
    "open_reader",
    "shown_db",
    "check_output",
]

DEFAULT_DB = "graph.db"

_SQLITE_HEADER = b"SQLite format 3\x00"
_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


def add_db(p: argparse.ArgumentParser, default: str = DEFAULT_DB) -> None:
    """``--db``: an SQLite file or a PostgreSQL URL."""
    p.add_argument("--db", default=default, metavar="DB",
                   help=f"the store: an SQLite file, or a postgresql:// URL (default {default})")  # fmt: skip


def add_model(p: argparse.ArgumentParser) -> None:
    """``--model`` and ``--threshold``."""
    p.add_argument("--model", metavar="M", help="GLiNER checkpoint folder or hub id (default: the shipped default model)")
    p.add_argument("--threshold", type=float, default=0.5, metavar="T", help="entity score threshold (default 0.5)")


def parse_labels(text: str | None) -> list[str]:
    """``"Person, Organization,Location"`` -> ``["Person", "Organization", "Location"]``.

    Labels that differ only in case are one label (the first spelling is kept): "Person" and "person"
    would never link to each other. A label holding ";" or "|" is most likely a list with the wrong
    separator. Both are said on stderr as warnings."""
    labels: list[str] = []
    folded: dict[str, str] = {}
    for part in (text or "").split(","):
        part = " ".join(part.split())
        if not part:
            continue
        if part.casefold() in folded:
            if folded[part.casefold()] != part:
                print(f"doclinks: warning: label {part!r} is {folded[part.casefold()]!r} in another case: "
                      "read as one label", file=sys.stderr)  # fmt: skip
            continue
        folded[part.casefold()] = part
        labels.append(part)
        if ";" in part or "|" in part:
            print(f"doclinks: warning: label {part!r} holds {';' if ';' in part else '|'}: separate labels with commas, "
                  'e.g. --labels "Person,Location"', file=sys.stderr)  # fmt: skip
    if not labels:
        raise CommandError('labels missing: give the entity types to find, e.g. --labels "Person,Organization,Location"')
    return labels


def check_model_name(model: str | None) -> None:
    """A ``--model`` that is neither a folder nor shaped like a hub id fails here, before any work."""
    if model is None:
        return
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise CommandError(f"--model {model}: not a folder (give a GLiNER checkpoint folder or a hub id)")
        return
    parts = model.split("/")
    looks_like_hub_id = len(parts) == 2 and all(parts) and not model.startswith((".", "~"))
    if not looks_like_hub_id:
        raise CommandError(f"--model {model}: no such folder")


def interrupted(command: str, exc: KeyboardInterrupt) -> int:
    """Say how far an interrupted ingest got (exit status 130)."""
    stored = getattr(exc, "stored", None)
    total = getattr(exc, "total", None)
    done = f" after storing {stored} of {total} new chunks" if stored is not None else ""
    print(f"doclinks {command}: interrupted{done}; run the same command again to continue", file=sys.stderr)
    return 130


def is_url(db: str | os.PathLike) -> bool:
    """Whether ``--db`` names a PostgreSQL server (``postgresql://`` or ``postgres://``)."""
    return isinstance(db, str) and bool(_URL.match(db))


def shown_db(db: str | os.PathLike) -> str:
    """``--db`` as it may be printed: a URL without its password."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@]*@", r"\1:***@", str(db), flags=re.IGNORECASE)


def open_store(db: str | os.PathLike, *, create: bool = False):
    """The store ``--db`` names, with the default embedder (loaded on first use).

    Args:
        db: an SQLite file, or a ``postgresql://`` URL (the store's default collection).
        create: True for ingest: a missing SQLite file is created and the store is writable.
            False for commands that read: the file must exist and is opened read-only.

    Raises:
        CommandError: a folder; a missing file (when reading) or folder; a file that is not a
            doclinks database; a server that cannot be reached.
    """
    from ..store import StoreError

    if is_url(db):
        try:
            from ..store import PostgresGraphStore
        except ImportError as exc:
            raise CommandError(f"--db {db.split('@')[-1]}: PostgreSQL needs psycopg: pip install 'doclinks[postgres]' ({exc})") from None
        try:
            return PostgresGraphStore(db)
        except StoreError as exc:
            raise CommandError(str(exc)) from None
    p = _sqlite_file(db, create)
    from ..store import SQLiteGraphStore, SQLiteSettings

    with _sqlite_errors(p):
        return SQLiteGraphStore(p, sqlite=SQLiteSettings(read_only=not create))


def open_reader(db: str | os.PathLike):
    """What the reading commands (`stats`, `graph`) need of the store ``--db`` names: `iter_documents`
    and `degree_limit`. An SQLite file is read through its backend alone, without the store facade and
    the LangChain import it brings (half a second of start-up); a PostgreSQL URL opens the store."""
    if is_url(db):
        return open_store(db)
    from ..store.backends.sqlite import SQLiteBackend, SQLiteSettings
    from ..store.settings import TraversalSettings

    p = _sqlite_file(db, create=False)
    with _sqlite_errors(p):
        return BackendReader(SQLiteBackend(p, SQLiteSettings(read_only=True)), TraversalSettings())


class BackendReader:
    """A read-only view of a store's backend with the store's names for what the reading commands use."""

    def __init__(self, backend, settings) -> None:
        self.backend, self.settings = backend, settings

    def iter_documents(self, batch_size: int = 1000):
        """Every stored chunk as a Document, in insertion order (`GraphStore.iter_documents`)."""
        for batch in self.backend.iter_documents(batch_size):
            yield from batch

    def degree_limit(self) -> int:
        """The hub limit for the number of chunks stored (`GraphStore.degree_limit`)."""
        return self.settings.degree_limit(self.backend.count())

    def get_setting(self, name: str) -> str | None:
        """A value the store keeps about itself (`GraphStore.get_setting`)."""
        return self.backend.get_setting(name)

    def close(self) -> None:
        self.backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _sqlite_file(db: str | os.PathLike, create: bool) -> Path:
    """``--db`` as an SQLite file that may be opened: refused with a CommandError naming why."""
    p = Path(db)
    if p.is_dir():
        raise CommandError(f"{p}: is a folder, not a database file")
    exists = p.exists() and p.stat().st_size > 0
    if not exists and not create:
        raise CommandError(f"{p}: no such database; create it with `doclinks ingest PATH... --db {p}`")
    if not exists and not p.parent.is_dir():
        raise CommandError(f"{p}: cannot create the database: folder {str(p.parent)!r} does not exist")
    if exists:
        try:
            with p.open("rb") as f:
                header = f.read(len(_SQLITE_HEADER))
        except OSError as exc:
            raise CommandError(f"{p}: cannot read: {exc.strerror or exc}") from None
        if header != _SQLITE_HEADER:
            raise CommandError(f"{p}: not a doclinks database (not an SQLite file)")
    return p


@contextlib.contextmanager
def _sqlite_errors(p: Path):
    """Store errors of opening `p` as CommandErrors."""
    from ..store import StoreError

    try:
        yield
    except StoreError as exc:
        if "not a doclinks store" in str(exc):
            raise CommandError(f"{p}: not a doclinks database (an SQLite database without doclinks' tables)") from None
        raise CommandError(f"{p}: {exc}") from None


def check_output(path: str | os.PathLike, flag: str = "--output") -> None:
    """An output file must not be a folder, and its folder must exist."""
    out = Path(path)
    if out.is_dir() or not out.parent.is_dir():
        raise CommandError(f"{flag} {out}: {'is a folder' if out.is_dir() else 'its folder does not exist'}")
