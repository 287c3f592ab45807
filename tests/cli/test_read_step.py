"""Every check that can run on a text runs in the read step, before any model loads (issue 29, item 2).

A `.txt` file full of NUL bytes used to pass the read and fail after the model had loaded, naming a
chunk's UUID and printing thousands of escape sequences; `--skip-bad` did not skip it, and an empty
database was left behind. Now the read step names the file, line and column with one short excerpt,
`--skip-bad` skips it, and a failed first ingest leaves no database file; a database that was there
is byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from .conftest import run_cli

GOOD = "Anna Smith met Omar Okafor in Berlin."


@pytest.fixture
def corpus(tmp_path):
    """good.txt; nul.txt (a line of text, then 3,000 NULs); nan.jsonl (NaN is not JSON: the store
    would refuse its metadata); a folder that is no model (were a model loaded, it would fail)."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.txt").write_text(GOOD, encoding="utf-8")
    (root / "nul.txt").write_text("Hello Berlin.\n" + "\x00" * 3000 + " end", encoding="utf-8")
    (root / "nan.jsonl").write_text('{"text": "Elena Rossi visited Paris.", "score": NaN}\n', encoding="utf-8")
    (tmp_path / "not-a-model").mkdir()
    return tmp_path


def existing_store(path):
    from doclinks.document import Document
    from doclinks.store import SQLiteGraphStore

    with SQLiteGraphStore(path) as store:
        store.add_documents([Document("Elena Rossi visited Paris.", {"source": "old.txt"}, id="old")])
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_texts_no_store_can_hold_are_refused_while_reading(corpus):
    existing = corpus / "existing.db"
    digest = existing_store(existing)
    for db in (corpus / "new.db", existing):
        done = run_cli(
            "ingest", "corpus", "--labels", "person,location", "--db", db, "--model", "not-a-model", cwd=corpus
        )
        assert done.returncode == 1 and done.stdout == ""
        (line,) = done.stderr.splitlines()
        assert "gliner_config" not in line  # refused before the model was looked at
        assert "2 of 3 file(s) cannot be read" in line and "--skip-bad" in line
        assert "corpus/nul.txt:2:1: the text holds a NUL character (\\x00), 3,000 in all" in line
        assert '"\\x00×3,000 end"' in line and line.count("\\x00") == 2  # one short excerpt, no flood
        assert "corpus/nan.jsonl:1: NaN is not a JSON number" in line
        assert len(line) < 600
    assert not (corpus / "new.db").exists()
    assert hashlib.sha256(existing.read_bytes()).hexdigest() == digest


def test_a_failed_first_ingest_leaves_no_database_file(corpus):
    existing = corpus / "existing.db"
    digest = existing_store(existing)
    for db in (corpus / "new.db", existing):
        # The files read well; the model fails to load, after the database was opened.
        done = run_cli(
            "ingest", "corpus/good.txt", "--labels", "person", "--db", db, "--model", "not-a-model", cwd=corpus
        )
        assert done.returncode == 1 and "not a GLiNER checkpoint" in done.stderr
        assert not (corpus / "new.db").exists()
        assert len(done.stderr.splitlines()) == 1, done.stderr  # no progress frame left above the error
    assert sorted(p.name for p in corpus.iterdir()) == ["corpus", "existing.db", "not-a-model"]
    assert hashlib.sha256(existing.read_bytes()).hexdigest() == digest


def test_skip_bad_skips_what_the_read_step_refuses(corpus, ner_model):
    db = corpus / "graph.db"
    done = run_cli("ingest", "corpus", "--labels", "person,location", "--db", db, "--model", ner_model, "--skip-bad",
                   "--json", "--no-progress", cwd=corpus)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert sorted(b["file"].rsplit("/", 1)[-1] for b in summary["bad_files"]) == ["nan.jsonl", "nul.txt"]
    with sqlite3.connect(db) as conn:
        assert [row[0] for row in conn.execute("SELECT content FROM chunks")] == [GOOD]


def test_excerpt_and_text_problem():
    from doclinks.source_checks import excerpt, text_problem

    text = "first line\nAnna " + "\x00" * 2980 + " Smith"
    pos, why = text_problem(text)
    assert (pos, why) == (16, "holds a NUL character (\\x00), 2,980 in all")
    assert excerpt(text, pos) == '"Anna \\x00×2,980 Smith"'
    assert excerpt("x" * 100 + "\ud800" + "y" * 100, 100) == '"…' + "x" * 24 + "\\ud800" + "y" * 23 + '…"'
    assert text_problem("fine text") is None
