"""`doclinks ingest` end to end: summary, what is stored, no double storage, interrupt and resume."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from doclinks.sources import Splitter, collect_files, read_chunks
from doclinks.store import SQLiteGraphStore

from .conftest import CHUNK_SIZE, LABELS, cli_env, run_cli, stored_documents, write_corpus


def expected_chunks(root: Path, chunk_size: int = CHUNK_SIZE):
    return read_chunks(collect_files([root / "notes"]), Splitter(chunk_size))


def stored_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, content, metadata, links FROM chunks ORDER BY id").fetchall()


def test_summary_counts_what_was_read_and_stored(ingested):
    documents, chunks = expected_chunks(ingested.root)
    s = ingested.summary
    assert (s["files"], s["documents"], s["chunks"], s["new_chunks"], s["skipped_chunks"]) == (
        3,
        documents,
        len(chunks),
        len(chunks),
        0,
    )
    assert documents == 4 and len(chunks) == 7
    assert s["stored_chunks"] == len(chunks)
    assert s["entities"] > 0 and s["distinct_tags"] > 0
    assert s["files"] == 3 and s["bad_files"] == [] and s["empty_files"] == []
    assert s["seconds"] > 0 and s["chunks_per_second"] > 0


def test_chunks_are_stored_with_ids_metadata_entities_and_links(ingested):
    _, chunks = expected_chunks(ingested.root)
    docs = {d.id: d for d in stored_documents(ingested.db)}
    assert set(docs) == {c.id for c in chunks}
    for c in chunks:
        doc = docs[c.id]
        assert doc.page_content == c.text
        for key in ("chunk", "start_index"):
            assert doc.metadata[key] == c.metadata[key]
        assert ingested.root / doc.metadata["source"] == Path(c.metadata["source"])  # as given: notes/...
    letters = next(d for d in docs.values() if d.metadata.get("line") == 2)
    assert letters.metadata["source"] == "notes/people.jsonl"
    assert (letters.metadata["author"], letters.metadata["meta_source"]) == ("Aiko Dubois", "letters")
    # Entities: mention records with offsets into the chunk, and one bidir link per entity.
    for doc in docs.values():
        for r in doc.metadata.get("entities", []):
            assert doc.page_content[r["start"] : r["end"]] == r["text"]
            assert r["label"] in LABELS.split(",")
        for link in doc.metadata.get("links", []):
            assert link.direction == "bidir" and link.kind.startswith("entity:")
    tags = {(l.kind, l.tag) for d in docs.values() for l in d.metadata.get("links", [])}
    assert ("entity:person", "Anna Smith") in tags
    carrying = [d for d in docs.values() if any(l.tag == "Anna Smith" for l in d.metadata.get("links", []))]
    assert len(carrying) >= 3  # Anna Smith links anna.txt (twice) and berlin.md


def test_running_again_stores_nothing_twice_and_loads_no_model(ingested):
    before = stored_rows(ingested.db)
    # A hub id that cannot be loaded here: the run succeeds only because no chunk is new.
    done = run_cli("ingest", "notes", "--labels", LABELS, "--db", ingested.db, "--model", "nobody/no-model",
                   "--chunk-size", CHUNK_SIZE, "--json", cwd=ingested.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    assert (s["new_chunks"], s["skipped_chunks"], s["stored_chunks"]) == (0, s["chunks"], s["chunks"])
    assert stored_rows(ingested.db) == before


def _count(db: Path) -> int:
    if not db.exists():  # connecting would create the file before the ingest does
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_interrupted_ingest_continues_where_it_stopped(tmp_path, ner_model):
    # 80 small files, one chunk each, stored one per batch (a file is committed whole, with its source
    # record: doclinks.source_sync); interrupted after the first is stored (as early as possible: on a
    # loaded machine the poll below may see the database late).
    people = ["Anna Smith", "Omar Okafor", "Elena Rossi", "Hiroshi Tanaka"]
    cities = ["Paris", "Berlin", "Tokyo", "Lagos", "Cape Town"]
    corpus = write_corpus(tmp_path, {f"moves/m{i:02}.txt": f"{people[i % 4]} moved to {cities[i % 5]} in {1990 + i}."
                                     for i in range(80)})  # fmt: skip
    db = corpus / "graph.db"
    args = [sys.executable, "-m", "doclinks", "ingest", "moves", "--labels", LABELS, "--db", str(db),
            "--model", ner_model, "--batch-size", "1", "--no-progress"]  # fmt: skip
    # SIGINT back to its default in the child: a shell starts background jobs with SIGINT ignored, and
    # Python then never turns it into KeyboardInterrupt (pytest run with `&` would see no interrupt).
    proc = subprocess.Popen(args, cwd=corpus, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    deadline = time.monotonic() + 240
    while _count(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted after storing" in err and "run the same command again to continue" in err
    assert len(err.strip().splitlines()) == 1, err
    stored = _count(db)
    assert 1 <= stored < 80

    with SQLiteGraphStore(db) as store:  # what was stored is whole: every chunk has its vector and links
        assert len(store) == stored

    done = run_cli(*args[3:-1], "--json", cwd=corpus)  # the same command, progress bar on
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    assert (s["skipped_chunks"], s["new_chunks"], s["stored_chunks"]) == (stored, 80 - stored, 80)
    assert "chunks/s" in done.stderr  # the progress bar
    ids = [r[0] for r in stored_rows(db)]
    assert len(ids) == len(set(ids)) == 80
    # Tags were normalised across the whole store, batches and both runs alike.
    docs = list(stored_documents(db))
    anna = [d for d in docs if any(l.tag == "Anna Smith" for l in d.metadata.get("links", []))]
    assert len(anna) >= 2


def test_the_progress_rate_counts_like_the_summary():
    from doclinks.cli.ingest import rate_text

    assert rate_text(0, 10.0, 12.0) == "- chunks/s" and rate_text(5, None, 12.0) == "- chunks/s"
    assert rate_text(12, 10.0, 20.0) == "1.20 chunks/s"  # done / seconds since the model loaded
