"""Fixtures of the service tests: a small corpus ingested with the small test checkpoint into a real SQLite
file, and `doclinks serve` started as a real process on a free 127.0.0.1 port.

The model is the session's `small_ner_checkpoint` (tests/conftest.py): it finds people, places and
organisations in simple cased sentences, so the corpus is made of such sentences; the assertions hold on
clear cases only. Each server is a subprocess (`python -m doclinks serve`, niced, one torch thread per
worker), stopped at the end of its fixture.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, run_cli

pytest.importorskip("fastapi", reason="doclinks serve needs FastAPI: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="doclinks serve needs uvicorn: pip install -e '.[test]'")
httpx = pytest.importorskip("httpx")

LABELS = "person,location,organization"
XSS_TEXT = '<img src=x onerror="window.__xss=1"> Maria Garcia <script>window.__xss=2</script> lives in Lima .'

#: Simple cased sentences the small model reads well; people and places recur, so chunks link.
DOCUMENTS = [
    {"id": "anna-1", "text": "Anna Smith lives in Paris ."},
    {"id": "anna-2", "text": "Anna Smith visited Berlin with Omar Okafor ."},
    {"id": "omar-1", "text": "Omar Okafor works for Siemens ."},
    {"id": "siemens-1", "text": "Siemens opened an office in Berlin ."},
    {"id": "hiroshi-1", "text": "Hiroshi Tanaka was born in Tokyo in 1999 ."},
    {"id": "hiroshi-2", "text": "In Tokyo , Hiroshi Tanaka met Elena Rossi ."},
    {"id": "elena-1", "text": "Elena Rossi joined Nokia in 2019 ."},
    {"id": "xss", "text": XSS_TEXT},
]


def write_jsonl(path: Path, documents: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    return path


def ingest_corpus(db: str, model: str, folder: Path) -> None:
    """`doclinks ingest` of `DOCUMENTS` (one JSONL line each) into `db` with `model`."""
    corpus = folder / "corpus"
    corpus.mkdir(exist_ok=True)
    write_jsonl(corpus / "docs.jsonl", DOCUMENTS)
    done = run_cli("ingest", corpus, "--labels", LABELS, "--db", db, "--model", model, "--no-progress", cwd=folder)
    assert done.returncode == 0, done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store_bytes(db: Path) -> str:
    """A digest of the SQLite file and its WAL: equal digests, byte-identical store."""
    digest = hashlib.sha256()
    for path in (db, Path(str(db) + "-wal")):
        digest.update(path.read_bytes() if path.exists() else b"<none>")
    return digest.hexdigest()


@dataclass
class Server:
    url: str
    db: str
    process: subprocess.Popen
    token: str | None = None
    log: Path | None = None

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def start_server(db: str, model: str, folder: Path, *, allow_ingest: bool = False, extra: tuple = ()) -> Server:
    """`doclinks serve` on a free port; returns once /api/health answers (the model is loaded)."""
    port = free_port()
    args = ["serve", "--db", db, "--port", str(port), "--model", model, *extra]
    token = None
    if allow_ingest:
        token = secrets.token_hex(16)
        token_file = folder / f"token-{port}"
        token_file.write_text(token + "\n", encoding="utf-8")
        args += ["--allow-ingest", "--token-file", str(token_file)]
    log = folder / f"serve-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(["nice", "-n", "10", sys.executable, "-m", "doclinks", *args], env=cli_env(),
                                   stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", db, process, token, log)
    deadline = time.monotonic() + 240
    while True:
        if process.poll() is not None:
            raise AssertionError(f"doclinks serve exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(server.url + "/api/health", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop_server(server)
            raise AssertionError(f"doclinks serve did not answer: {log.read_text()[-2000:]}")
        time.sleep(0.3)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def served_db(tmp_path_factory, small_ner_checkpoint) -> Path:
    """The corpus ingested once into graph.db (the read-only server's store; tests never write it)."""
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "graph.db"
    ingest_corpus(str(db), str(small_ner_checkpoint), folder)
    return db


@pytest.fixture(scope="session")
def read_server(served_db, small_ner_checkpoint):
    """`doclinks serve` on `served_db`, read only."""
    server = start_server(str(served_db), str(small_ner_checkpoint), served_db.parent)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def write_server(served_db, small_ner_checkpoint, tmp_path_factory):
    """`doclinks serve --allow-ingest --token-file F` on a copy of `served_db`."""
    folder = tmp_path_factory.mktemp("serve-write")
    db = folder / "graph.db"
    shutil.copy(served_db, db)
    server = start_server(str(db), str(small_ner_checkpoint), folder, allow_ingest=True)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def pg_url(pg_database):
    """A database of its own on the session's PostgreSQL + pgvector (`pg_database`, tests/conftest.py), as a URL."""
    return pg_database("serve_tests")
