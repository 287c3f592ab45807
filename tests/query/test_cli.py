"""`doclinks parse` and `doclinks search --parse`, run as the console runs them, on the small test model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from doclinks.document import Document
from doclinks.store import SQLiteGraphStore

from .conftest import FIELDS

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args, cwd):
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "COLUMNS": "200",
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    return subprocess.run(["nice", "-n", "10", sys.executable, "-m", "doclinks", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("query-cli")
    fields = root / "fields.json"
    fields.write_text(json.dumps([f.to_dict() for f in FIELDS]))
    db = root / "books.db"
    with SQLiteGraphStore(db) as store:
        store.add_documents(
            [
                Document("A novel about the sea.", {"author": "Anna Smith", "city": "Paris", "year": 1994}, "b1"),
                Document("Letters about mountains.", {"author": "Anna Smith", "city": "Kyōto", "year": 1999}, "b2"),
                Document("Poems about the sea.", {"author": "Maria Rossi", "city": "Paris", "year": 2005}, "b3"),
            ]
        )
    return root, fields, db


def test_parse_prints_constraints_as_json_and_for_people(setup, small_ner_checkpoint):
    root, fields, db = setup
    q = "Books by Anna Smith written in Kyoto after 1990 ."
    done = run_cli("parse", q, "--fields", fields, "--model", small_ner_checkpoint, "--today", "2026-12-07", "--json",
                   "--db", db, cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["filter"] == {
        "$and": [{"author": {"$eq": "Anna Smith"}}, {"city": {"$eq": "Kyōto"}}, {"year": {"$gte": 1991}}]
    }
    assert out["today"] == "2026-12-07" and out["residual"] == "Books written"
    assert [c["link"] for c in out["constraints"]] == ["exact", "folded", None]
    done = run_cli("parse", q, "--fields", fields, "--model", small_ner_checkpoint, "--today", "2026-12-07", cwd=root)
    assert done.returncode == 0, done.stderr
    assert 'author eq "Anna Smith"' in done.stdout and "year gte 1991" in done.stdout
    assert "search text: 'Books written'" in done.stdout


def test_search_parse_filters_and_prints_the_parse_first(setup, small_ner_checkpoint):
    root, fields, db = setup
    done = run_cli("search", "Books by Anna Smith after 1995 .", "--db", db, "--parse", "--fields", fields, "--model",
                   small_ner_checkpoint, "--mode", "similarity", "--today", "2026-12-07", "--json", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert [r["id"] for r in out["results"]] == ["b2"]
    assert out["parsed"]["filter"] == {"$and": [{"author": {"$eq": "Anna Smith"}}, {"year": {"$gte": 1996}}]}
    assert out["relaxed"] == []
    done = run_cli("search", "Books by Maria Rossi written in Kyoto .", "--db", db, "--parse", "--fields", fields,
                   "--model", small_ner_checkpoint, "--mode", "similarity", "--soft", "--k", "1", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Books by Maria Rossi written in Kyoto .")
    assert any(line.strip().startswith("relaxed: dropped") for line in lines)
    assert " 1. " in done.stdout


def test_bad_cli_input_gives_one_line_errors(setup, small_ner_checkpoint):
    root, _, db = setup
    done = run_cli("search", "books", "--db", db, "--parse", cwd=root)
    assert done.returncode != 0 and "--parse needs --fields FILE" in done.stderr
    done = run_cli("parse", "books", "--fields", root / "missing.json", cwd=root)
    assert done.returncode != 0 and "missing.json: no such file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
