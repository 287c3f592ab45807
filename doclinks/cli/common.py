"""What several commands share: ``--db`` and opening any store, ``--model``, labels, interrupts."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeGuard

from .errors import CommandError

__all__ = [
    "DEFAULT_DB",
    "add_db",
    "add_model",
    "add_model_name",
    "add_labels",
    "parse_labels",
    "label_names",
    "check_model_name",
    "interrupted",
    "is_url",
    "open_store",
    "open_reader",
    "remove_database_file",
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


def add_model_name(p: argparse.ArgumentParser) -> None:
    """``--model``: a GLiNER checkpoint folder or hub id (default: the shipped model)."""
    p.add_argument(
        "--model", metavar="M", help="GLiNER checkpoint folder or hub id (default: the shipped default model)"
    )


def add_model(p: argparse.ArgumentParser) -> None:
    """``--model`` and ``--threshold``."""
    add_model_name(p)
    p.add_argument("--threshold", type=float, default=0.5, metavar="T", help="entity score threshold (default 0.5)")


#: Characters that separate labels in other tools: inside one label they most likely mean a list.
LIST_SEPARATORS = (";", "|", "/")

_EXAMPLE_LABELS = '--labels "Person,Organization,Location"'


def add_labels(p: argparse.ArgumentParser, help: str) -> None:
    """``--labels`` (comma-separated, or a JSON list) and ``--labels-exact``."""
    p.add_argument("--labels", metavar="LIST", help=help + ', or a JSON list: \'["Person", "Sports Team"]\'')
    p.add_argument("--labels-exact", action="store_true",
                   help="take each comma-separated label as written, even one that looks like a list "
                   "(holding ; | or /, or several capitalised words as the only label)")  # fmt: skip


def parse_labels(text: str | None, *, exact: bool = False) -> list[str]:
    """``--labels`` as a list: ``"Person, Organization,Location"`` -> ``["Person", "Organization", "Location"]``.

    A JSON list (text starting with "[") is taken as written, each string one label (a label may then
    hold commas). Otherwise labels are comma-separated, and a label that looks like a list is refused
    unless `exact` (``--labels-exact``): see `label_names`.

    Raises:
        CommandError: no labels, JSON that is not a list of strings, a label that looks like a list.
    """
    stripped = (text or "").strip()
    if stripped.startswith("["):
        return label_names(_json_labels(stripped), exact=True)
    return label_names([" ".join(part.split()) for part in (text or "").split(",")], exact=exact)


def _json_labels(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--labels: not valid JSON ({exc.msg}, column {exc.colno}); give a JSON list of "
                           'strings, e.g. \'["Person", "Sports Team"]\', or comma-separated labels') from None  # fmt: skip
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CommandError('--labels: JSON labels must be a list of strings, e.g. \'["Person", "Sports Team"]\'')
    return [" ".join(v.split()) for v in value]


def label_names(labels: Sequence[str], *, exact: bool = False) -> list[str]:
    """The labels to use: empty ones dropped, case variants joined, list-shaped ones refused.

    Labels that differ only in case are one label (the first spelling is kept; said on stderr as a
    warning): "Person" and "person" would never link to each other. Unless `exact`, a label that
    looks like a list written with the wrong separator is refused before anything is read or
    stored: one holding ";", "|" or "/", or, when it is the only label, several words that each
    start with a capital letter ("Person Location"; a label of several words given beside others,
    as in "Person,Sports Team", is taken as written: commas were used).

    Raises:
        CommandError: no labels, or a label that looks like a list (the message names the
            separator and the fix).
    """
    out: list[str] = []
    folded: dict[str, str] = {}
    for label in labels:
        if not isinstance(label, str):
            raise CommandError(f"--labels: every label must be a string, got {type(label).__name__}: {label!r}")
        if not label:
            continue
        if label.casefold() in folded:
            if folded[label.casefold()] != label:
                print(f"doclinks: warning: label {label!r} is {folded[label.casefold()]!r} in another case: "
                      "read as one label", file=sys.stderr)  # fmt: skip
            continue
        folded[label.casefold()] = label
        out.append(label)
    if not out:
        raise CommandError(f"labels missing: give the entity types to find, e.g. {_EXAMPLE_LABELS}")
    if not exact:
        for label in out:
            _refuse_list_shape(label, alone=len(out) == 1)
    return out


def _refuse_list_shape(label: str, alone: bool) -> None:
    """Raise CommandError when `label` looks like several labels (see `label_names`)."""
    for sep in LIST_SEPARATORS:
        if sep in label:
            parts = [p.strip() for p in label.split(sep) if p.strip()]
            fix = f'--labels "{",".join(parts)}"' if len(parts) > 1 else _EXAMPLE_LABELS
            raise CommandError(
                f"--labels: the label {label!r} looks like a list separated by {sep!r}: separate labels with commas, "
                f"e.g. {fix} (or add --labels-exact if {sep!r} belongs to the label)"
            )
    words = label.split()
    if alone and len(words) > 1 and all(w[0].isupper() for w in words):
        raise CommandError(
            f"--labels: the label {label!r} looks like a list separated by spaces (capitalised words): separate labels "
            f'with commas, e.g. --labels "{",".join(words)}"; for one label of several words add --labels-exact, '
            f"or give the labels as JSON: --labels '{json.dumps([label])}'"
        )


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


def is_url(db: str | os.PathLike) -> TypeGuard[str]:
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
            raise CommandError(
                f"--db {db.split('@')[-1]}: PostgreSQL needs psycopg: pip install 'doclinks[postgres]' ({exc})"
            ) from None
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


def remove_database_file(db: str | os.PathLike) -> None:
    """Remove the SQLite file `db` and its journal files (what a failed first ingest created)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.fspath(db) + suffix)


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
