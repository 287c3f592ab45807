"""Fixtures of the command-line tests: a NER model, a tiny corpus, one ingested database, Chromium.

The tests drive `doclinks` as a subprocess (``python -m doclinks``, the same `main` as the
console script) on real files. Models: the default GLiNER model shipped inside the package (fixed
weights, so what it finds is the same on every machine; a model trained during the test session is
not: its weights depend on the CPU's float rounding) or a checkpoint folder named by
$DOCLINKS_TEST_MODEL; all-MiniLM-L6-v2 for embeddings. One torch thread per process (the
machine is small and shared).

Chromium (the `browser` fixture, tests/conftest.py): the browser tests need Debian's ``chromium`` and
``chromium-driver``, installed by the test install step (``scripts/install-test-browser``, in the
README's test command); no test installs anything. Without them the browser tests are skipped with the
reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LABELS = "person,location,organization"

# Small texts about people, places and organisations.
CORPUS = {
    "notes/anna.txt": (
        "Anna Smith moved to Paris in 2019.\n\n"
        "Anna Smith, a manager at Acme Corp, visited Berlin.\n\n"
        "Acme Corp opened an office in Berlin; Omar Okafor leads it."
    ),
    "notes/trips/berlin.md": (
        "# Meetings\n\nAnna Smith and Omar Okafor met in Berlin.\n\n"
        "## Travel\n\nHiroshi Tanaka moved to Tokyo in June 2020."
    ),
    "notes/people.jsonl": "\n".join(
        json.dumps(o)
        for o in [
            {"text": "Hiroshi Tanaka and Elena Rossi met in Tokyo.", "author": "Li Wang", "year": 2021},
            {"text": "Elena Rossi, a manager at Siemens, visited Paris.", "author": "Aiko Dubois", "source": "letters"},
        ]
    )
    + "\n",
}
# Chunks of about one sentence (7 chunks in all).
CHUNK_SIZE = 70


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE", TOKENIZERS_PARALLELISM="false",
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""), COLUMNS="200")  # fmt: skip
    env.update(extra)
    return env


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300,
            input: str | None = None) -> subprocess.CompletedProcess:  # fmt: skip
    """Run ``python -m doclinks ARGS`` (niced, one torch thread); returns the completed process."""
    cmd = ["nice", "-n", "10", sys.executable, "-m", "doclinks", *map(str, args)]
    return subprocess.run(
        cmd, cwd=cwd, env=env or cli_env(), capture_output=True, text=True, timeout=timeout, input=input
    )


def write_corpus(root: Path, files: dict[str, str] = CORPUS) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def stored_documents(db) -> list:
    """Every chunk of the SQLite store `db`, read through the store's API (read-only)."""
    from doclinks.store import SQLiteGraphStore, SQLiteSettings

    with SQLiteGraphStore(db, sqlite=SQLiteSettings(read_only=True)) as store:
        return list(store.iter_documents())


@pytest.fixture(scope="session")
def ner_model() -> str:
    """A real GLiNER checkpoint folder: $DOCLINKS_TEST_MODEL, else the shipped default model's."""
    return os.environ.get("DOCLINKS_TEST_MODEL") or str(REPO / "doclinks" / "models" / "default")


@dataclass
class Ingested:
    root: Path  # the folder holding notes/ and the database
    db: Path
    summary: dict
    model: str


@pytest.fixture(scope="session")
def ingested(tmp_path_factory, ner_model) -> Ingested:
    """The corpus ingested once (chunk size 70, batches of 2) into graph.db."""
    root = write_corpus(tmp_path_factory.mktemp("cli"))
    db = root / "graph.db"
    done = run_cli("ingest", "notes", "--labels", LABELS, "--db", db, "--model", ner_model,
                   "--chunk-size", CHUNK_SIZE, "--batch-size", 2, "--json", "--no-progress", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Ingested(root, db, json.loads(done.stdout), ner_model)


# ------------------------------------------------------------------------------------------ Chromium
# The `chromium` and `browser` fixtures are the session's (tests/conftest.py): one browser for the CLI and
# the serve tests.
def wait_for(driver, script: str, timeout: float = 30.0):
    """The first truthy value of `script` run in the page, polled every 50 ms (AssertionError after `timeout` s)."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {script}")
        time.sleep(0.05)


def pytest_collection_modifyitems(items):
    """Tests that run the shipped model (through `ner_model` or the `ingested` corpus) are in the
    ``shipped_model`` group: a new default model may change what they see."""
    for item in items:
        if {"ner_model", "ingested"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.shipped_model)
