"""Errors as users expect: one clear line on stderr, a non-zero exit status, nothing written."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from .conftest import LABELS, run_cli, write_corpus


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_one_line_error(done, command: str, *needles: str, status: int = 1) -> None:
    assert done.returncode == status, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"doclinks {command}: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture
def work(tmp_path) -> Path:
    write_corpus(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "text.db").write_text("not a database\n")
    foreign = sqlite3.connect(tmp_path / "foreign.db")
    foreign.execute("CREATE TABLE customers (name TEXT)")
    foreign.execute("INSERT INTO customers VALUES ('Ann')")
    foreign.commit()
    foreign.close()
    from doclinks.store import SQLiteGraphStore

    SQLiteGraphStore(tmp_path / "store.db").close()  # an empty doclinks store
    return tmp_path


CASES = [
    # (command line, command, words the message must hold)
    (["ingest", "missing.txt", "--labels", LABELS], "ingest", ["missing.txt", "no such file"]),
    (
        ["ingest", "empty", "--labels", LABELS],
        "ingest",
        ["empty", "no .txt, .md, .jsonl, .pdf, .html, .htm or .docx files"],
    ),
    (["ingest", "empty/image.png", "--labels", LABELS], "ingest", ["image.png", ".png"]),
    (["ingest", "notes"], "ingest", ["labels missing"]),
    (["ingest", "notes", "--labels", " , "], "ingest", ["labels missing"]),
    (["ingest", "notes", "--labels", LABELS, "--db", "text.db"], "ingest", ["text.db", "not a doclinks database"]),
    (
        ["ingest", "notes", "--labels", LABELS, "--db", "foreign.db"],
        "ingest",
        ["foreign.db", "not a doclinks database"],
    ),
    (["ingest", "notes", "--labels", LABELS, "--db", "nowhere/graph.db"], "ingest", ["nowhere", "does not exist"]),
    (
        ["ingest", "notes", "--labels", LABELS, "--chunk-size", "100", "--chunk-overlap", "100"],
        "ingest",
        ["--chunk-overlap"],
    ),
    (
        ["ingest", "notes", "--labels", LABELS, "--model", "./no-such-model"],
        "ingest",
        ["no-such-model", "no such folder"],
    ),
    (["search", "Who is Anna?", "--db", "missing.db"], "search", ["missing.db", "no such database"]),
    (["search", "Who is Anna?", "--db", "foreign.db"], "search", ["not a doclinks database"]),
    (["search", "Who is Anna?", "--db", "text.db"], "search", ["not a doclinks database"]),
    (["stats", "--db", "foreign.db"], "stats", ["not a doclinks database"]),
    (["stats", "--db", "missing.db"], "stats", ["no such database"]),
    (["graph", "--db", "foreign.db", "--html", "out.html"], "graph", ["not a doclinks database"]),
    (["graph", "--db", "missing.db", "--format", "json"], "graph", ["no such database"]),
    (["graph", "--db", "missing.db"], "graph", ["missing.db", "no such database"]),  # the database first
    (["graph", "--db", "store.db"], "graph", ["--html"]),
    (["entities", "--labels", LABELS], "entities", ["no text"]),
    (["entities", "Anna Smith lives in Paris."], "entities", ["labels missing"]),
    (["entities", "--file", "missing.txt", "--labels", LABELS], "entities", ["missing.txt", "no such file"]),
]


@pytest.mark.parametrize("argv,command,needles", CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_one_line_error_and_nothing_written(work, argv, command, needles):
    before = snapshot(work)
    done = run_cli(*argv, cwd=work)
    assert_one_line_error(done, command, *needles)
    assert snapshot(work) == before  # no database created, no file touched


def test_bad_jsonl_line_names_file_and_line(work):
    (work / "notes" / "broken.jsonl").write_text('{"text": "Anna Smith."}\n{"text": \n', encoding="utf-8")
    before = snapshot(work)
    done = run_cli("ingest", "notes", "--labels", LABELS, cwd=work)
    assert_one_line_error(done, "ingest", "broken.jsonl:2", "not valid JSON")
    (work / "notes" / "broken.jsonl").write_text('{"body": "Anna Smith."}\n', encoding="utf-8")
    done = run_cli("ingest", "notes", "--labels", LABELS, cwd=work)
    assert_one_line_error(done, "ingest", "broken.jsonl:1", "'text'", "--text-field")
    assert not (work / "graph.db").exists()
    assert {k: v for k, v in snapshot(work).items() if "broken" not in k} == {
        k: v for k, v in before.items() if "broken" not in k
    }


def test_usage_errors_are_one_line_with_status_2(work):
    done = run_cli("ingest", "notes", "--labels", LABELS, "--chunk-size", "big", cwd=work)
    assert_one_line_error(done, "ingest", "--chunk-size", "invalid int", status=2)
    done = run_cli("search", cwd=work)
    assert_one_line_error(done, "search", "question", status=2)
    done = run_cli("frobnicate", cwd=work)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", ["ingest", "search", "entities", "graph", "stats", "demo", "train", "eval"])
def test_help_on_every_command(command):
    done = run_cli(command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: doclinks {command}")


def test_top_level_help_lists_the_commands():
    done = run_cli("--help")
    assert done.returncode == 0
    for command in ("ingest", "search", "entities", "graph", "stats", "demo", "train", "eval"):
        assert f"    {command}" in done.stdout


def test_the_console_script_is_the_same_main():
    import shutil
    import subprocess

    from .conftest import cli_env

    script = shutil.which("doclinks")
    if script is None:
        pytest.skip("the doclinks console script is not on PATH (pip install -e . installs it)")
    done = subprocess.run(
        [script, "stats", "--db", "missing.db"], capture_output=True, text=True, env=cli_env(), timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.startswith("doclinks stats: error: missing.db: no such database")
