"""``doclinks ingest`` keeping a store in sync with its folder, ``--prune``, ``doclinks delete``, and a
real ingest killed (SIGKILL) in the middle of replacing every file: each file is left in its old version
or its new one, never both and never half, and the next run finishes the job."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from .conftest import LABELS, cli_env, run_cli, stored_documents, write_corpus

NAMES = ["Anna Smith", "Omar Okafor", "Elena Rossi", "Hiroshi Tanaka"]
CITIES = ["Paris", "Berlin", "Tokyo", "Lagos", "Cape Town", "Lima"]


def version(i: int, v: int) -> str:
    """File i in version v: three paragraphs, one chunk each at --chunk-size 60."""
    name, city = NAMES[i % 4], CITIES[i % 6]
    verb = "moved to" if v == 1 else "left"
    return "\n\n".join(f"{name} {verb} {city} in {1990 + 10 * v + i + k}." for k in range(3))


def texts_by_file(db: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for d in stored_documents(db):
        out[Path(d.metadata["source"]).name].add(d.page_content)
    return out


def expected(i: int, v: int) -> set[str]:
    return set(version(i, v).split("\n\n"))


def test_ingest_again_replaces_edits_prunes_deleted_files_and_delete_removes_by_hand(tmp_path, ner_model):
    root = write_corpus(tmp_path, {f"docs/f{i}.txt": version(i, 1) for i in range(3)})
    args = [
        "ingest",
        "docs",
        "--labels",
        LABELS,
        "--db",
        root / "g.db",
        "--model",
        ner_model,
        "--chunk-size",
        "60",
        "--json",
    ]
    first = json.loads(run_cli(*args, cwd=root).stdout)
    assert (first["sources_added"], first["new_chunks"]) == (3, 9)

    write_corpus(root, {"docs/f0.txt": version(0, 2)})
    (root / "docs" / "f1.txt").unlink()
    done = run_cli(*args[:-1], cwd=root)  # the summary for people; no --prune: f1.txt's chunks stay
    assert done.returncode == 0, done.stderr
    assert "sources        0 added, 1 updated, 1 unchanged, 0 deleted (3 old chunks removed)" in done.stdout
    by_file = texts_by_file(root / "g.db")
    assert by_file == {"f0.txt": expected(0, 2), "f1.txt": expected(1, 1), "f2.txt": expected(2, 1)}

    pruned = json.loads(run_cli(*args, "--prune", cwd=root).stdout)
    assert (
        pruned["sources_deleted"],
        pruned["sources_unchanged"],
        pruned["deleted_chunks"],
        pruned["stored_chunks"],
    ) == (1, 2, 3, 6)
    assert set(texts_by_file(root / "g.db")) == {"f0.txt", "f2.txt"}

    done = run_cli("delete", "--source", "docs/f2.txt", "--db", root / "g.db", cwd=root)
    assert done.returncode == 0 and done.stdout.startswith("deleted 3 chunks of 1 source from"), done.stderr
    done = run_cli("delete", "--source", "docs/f2.txt", "--db", root / "g.db", cwd=root)
    assert done.returncode == 1 and "no ingested file at or under this path" in done.stderr
    assert set(texts_by_file(root / "g.db")) == {"f0.txt"}


def _replaced(db: Path, old_hashes: dict[str, str]) -> int:
    """How many sources the running ingest has committed in their new version (0 while it cannot be read)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            rows = conn.execute("SELECT source, content_hash FROM sources").fetchall()
    except sqlite3.Error:
        return 0
    return sum(1 for source, h in rows if old_hashes.get(source) != h)


def test_an_ingest_killed_while_replacing_files_leaves_each_whole_and_the_next_run_finishes(tmp_path, ner_model):
    n = 12
    root = write_corpus(tmp_path, {f"docs/f{i:02}.txt": version(i, 1) for i in range(n)})
    db = root / "g.db"
    args = [sys.executable, "-m", "doclinks", "ingest", "docs", "--labels", LABELS, "--db", str(db), "--model", ner_model,
            "--chunk-size", "60", "--batch-size", "1", "--no-progress", "--json"]  # fmt: skip
    assert run_cli(*args[3:], cwd=root).returncode == 0
    with sqlite3.connect(db) as conn:
        old_hashes = dict(conn.execute("SELECT source, content_hash FROM sources").fetchall())
    write_corpus(root, {f"docs/f{i:02}.txt": version(i, 2) for i in range(n)})  # every file edited

    proc = subprocess.Popen(args, cwd=root, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while _replaced(db, old_hashes) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # no handler runs: the process dies wherever it is
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    by_file = texts_by_file(db)
    versions = []
    for i in range(n):
        got = by_file[f"f{i:02}.txt"]
        assert got in (expected(i, 1), expected(i, 2)), (i, got)  # never both, never half
        versions.append(1 if got == expected(i, 1) else 2)
    assert 1 <= versions.count(2) < n, versions  # killed in the middle

    done = run_cli(*args[3:], cwd=root)  # the same command again
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    assert (s["sources_updated"], s["sources_unchanged"]) == (versions.count(1), versions.count(2))
    assert texts_by_file(db) == {f"f{i:02}.txt": expected(i, 2) for i in range(n)}
    with sqlite3.connect(db) as conn:
        pending = conn.execute("SELECT value FROM doclinks_meta WHERE key = 'setting:pending_tags'").fetchone()
    assert pending == ("[]",)  # the tags the killed run committed were normalised by this one
