"""`doclinks ingest --skip-bad` and `--encoding` end to end, as a user runs them (small test model).

A bad file stops the whole run before anything is written, and the error names every bad file and the
flag; `--skip-bad` ingests the others and lists what it left out; `--encoding latin-1` reads the
Latin-1 file whose bytes are not UTF-8, and its text round-trips; an unknown encoding is named.
"""

from __future__ import annotations

import json
import sqlite3

from .conftest import run_cli


def _corpus(root):
    (root / "good.txt").write_text("Anna Smith moved to Paris.", encoding="utf-8")
    (root / "latin.txt").write_bytes("Café Müller: Omar Okafor works for Siemens.".encode("latin-1"))
    (root / "broken.jsonl").write_bytes(b'{"text": "Li Tanaka visited Oslo."}\n[1]\n')
    return root


def _contents(db):
    with sqlite3.connect(db) as conn:
        return sorted(row[0] for row in conn.execute("SELECT content FROM chunks"))


def test_bad_files_stop_the_run_and_skip_bad_ingests_the_rest(tmp_path, small_ner_checkpoint):
    (tmp_path / "corpus").mkdir()
    root = _corpus(tmp_path / "corpus")
    db = tmp_path / "graph.db"
    common = ("--labels", "person,location,organization", "--model", str(small_ner_checkpoint), "--db", str(db))
    stopped = run_cli("ingest", str(root), *common)
    assert stopped.returncode == 1
    assert "latin.txt: not UTF-8 text" in stopped.stderr and "broken.jsonl:2" in stopped.stderr
    assert "--skip-bad" in stopped.stderr and not db.exists()  # nothing written
    done = run_cli("ingest", str(root), *common, "--skip-bad", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert sorted(b["file"].rsplit("/", 1)[-1] for b in summary["bad_files"]) == ["broken.jsonl", "latin.txt"]
    assert _contents(db) == ["Anna Smith moved to Paris."]


def test_encoding_reads_latin1_and_an_unknown_one_is_named(tmp_path, small_ner_checkpoint):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "latin.txt").write_bytes("Café Müller: Omar Okafor works for Siemens.".encode("latin-1"))
    db = tmp_path / "graph.db"
    common = ("--labels", "person,location,organization", "--model", str(small_ner_checkpoint), "--db", str(db))
    done = run_cli("ingest", str(root), *common, "--encoding", "latin-1", "--json")
    assert done.returncode == 0, done.stderr
    assert _contents(db) == ["Café Müller: Omar Okafor works for Siemens."]
    unknown = run_cli("ingest", str(root), *common, "--encoding", "latin-9x")
    assert unknown.returncode == 1 and "--encoding latin-9x: no such text encoding" in unknown.stderr
