"""SQLite store: one file that survives reopening, other processes, and a killed writer."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from doclinks.document import Document
from doclinks.store import InMemoryGraphStore, SQLiteGraphStore, StoreConnectionError
from doclinks.store.testing.kit import VectorTextEmbeddings, answers, make_docs

REPO = Path(__file__).resolve().parents[3]


def test_reopening_gives_the_same_answers(tmp_path):
    path = tmp_path / "s.db"
    store = SQLiteGraphStore(path, VectorTextEmbeddings())
    store.add_documents(make_docs("a", 60))
    store.delete(["a3", "a40"])
    store.add_documents(make_docs("a", 5, shift=0.5))  # replace a0..a4
    before = answers(store)
    store.close()
    again = SQLiteGraphStore(path, VectorTextEmbeddings())
    assert len(again) == 59  # a3 came back with the replaced a0..a4
    assert answers(again) == before
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_writes_from_another_connection_are_seen(tmp_path):
    path = tmp_path / "s.db"
    reader = SQLiteGraphStore(path, VectorTextEmbeddings())
    writer = SQLiteGraphStore(path, VectorTextEmbeddings())
    assert reader.similarity_search("v:1,0,0") == []
    writer.add_documents(make_docs("a", 10))
    assert len(reader) == 10
    assert answers(reader) == answers(writer)
    writer.delete(["a0", "a1"])
    writer.add_documents([Document("v:-3,-3,7", id="new")])
    assert reader.similarity_search("v:-3,-3,7", k=1)[0].id == "new"
    assert "a0" not in {d.id for d in reader.similarity_search("v:1,0,0", k=50)}


def test_unopenable_files_give_clear_errors(tmp_path):
    with pytest.raises(StoreConnectionError, match="folder does not exist"):
        SQLiteGraphStore(tmp_path / "missing" / "s.db", VectorTextEmbeddings())
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database file" * 100)
    with pytest.raises(StoreConnectionError, match=r"junk\.db"):
        SQLiteGraphStore(junk, VectorTextEmbeddings())


CHILD = textwrap.dedent(
    """
    import os, sys, time
    from doclinks.document import Document
    from doclinks.store import SQLiteGraphStore
    from doclinks.store.testing.kit import VectorTextEmbeddings, make_docs

    store = SQLiteGraphStore({path!r}, VectorTextEmbeddings())
    store.add_documents(make_docs("a", 50))            # committed
    marker = {marker!r}
    seen = 0
    def trace(statement):
        global seen
        # Deep inside the second write: chunks replaced and links being rewritten.
        if statement.startswith("INSERT INTO in_links"):
            seen += 1
            if seen == 100:
                open(marker, "w").close()
                time.sleep(600)                          # wait to be killed
    store.backend._conn.set_trace_callback(trace)
    docs = make_docs("a", 20, shift=1.0) + make_docs("b", 300)   # replaces a0..a19, adds b*
    store.add_documents(docs)
    print("write finished: the test did not kill me", flush=True)
    """
)


def test_killed_writer_leaves_the_store_as_it_was(tmp_path):
    path, marker = tmp_path / "s.db", tmp_path / "in-transaction"
    script = CHILD.format(path=str(path), marker=str(marker))
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the writer never reached the middle of its transaction"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    expected = InMemoryGraphStore(VectorTextEmbeddings())
    expected.add_documents(make_docs("a", 50))
    store = SQLiteGraphStore(path, VectorTextEmbeddings())
    assert store.backend._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(store) == 50
    assert store.get_by_ids(["a0"])[0].page_content == make_docs("a", 1)[0].page_content
    assert answers(store) == answers(expected)
    # The same write now goes through, and gives what the reference store gives.
    docs = make_docs("a", 20, shift=1.0) + make_docs("b", 300)
    store.add_documents(docs)
    expected.add_documents(docs)
    assert len(store) == 350 and answers(store) == answers(expected)


def test_opening_an_existing_store_does_not_wait_for_a_writer(tmp_path):
    """Another connection holds the write lock (as an ingest does): a new store opens and searches."""
    path = tmp_path / "s.db"
    SQLiteGraphStore(path, VectorTextEmbeddings()).add_documents(make_docs("a", 10))
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE doclinks_meta SET value = value WHERE key = 'schema'")
    try:
        started = time.monotonic()
        from doclinks.store import SQLiteSettings

        reader = SQLiteGraphStore(path, VectorTextEmbeddings(), sqlite=SQLiteSettings(busy_timeout_s=2.0))
        assert len(reader.similarity_search("v:1,0,0", k=3)) == 3
        assert time.monotonic() - started < 1.5  # no wait for the lock
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_foreign_sqlite_file_is_refused_and_left_unchanged(tmp_path):
    from doclinks.store import StoreError

    path = tmp_path / "theirs.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"not a doclinks store \(it holds the tables invoices\)"):
        SQLiteGraphStore(path, VectorTextEmbeddings())
    assert path.read_bytes() == before
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"invoices"}


def test_store_benchmark_leaves_nothing_in_the_temp_folder(tmp_path):
    """benchmarks/store.py writes its stores under one temporary folder and removes it, even at 100,000 chunks."""
    env = dict(os.environ, TMPDIR=str(tmp_path), OMP_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "store.py"), "--n", "300", "--queries", "3", "--gr-queries", "0",
         "--stores", "sqlite,memory", "--batch", "100"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sqlite" in done.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("doclinks-bench-")] == []


def test_another_process_commit_loads_only_what_changed(tmp_path, monkeypatch):
    """A long-lived searcher does not reload the whole vector matrix after each foreign commit."""
    from doclinks.store.backends import sqlite as sqlite_module
    from doclinks.store.backends.sqlite import changes as change_log_module

    path = tmp_path / "s.db"
    writer = SQLiteGraphStore(path, VectorTextEmbeddings())
    writer.add_documents(make_docs("a", 200))
    reader = SQLiteGraphStore(path, VectorTextEmbeddings())
    assert len(reader) == 200  # first use: one full load
    full_loads = []
    original = sqlite_module.SQLiteBackend._load
    monkeypatch.setattr(sqlite_module.SQLiteBackend, "_load", lambda self: (full_loads.append(1), original(self))[1])
    writer.add_documents([Document("v:-3,-3,7", id="new")])
    writer.add_documents(make_docs("a", 3, shift=0.5))  # replace a0..a2
    writer.delete(["a10", "a11"])
    assert reader.similarity_search("v:-3,-3,7", k=1)[0].id == "new"
    assert len(reader) == 199
    assert answers(reader) == answers(writer)
    assert full_loads == []
    # A reader that fell behind a pruned log reloads fully, with the same answers.
    monkeypatch.setattr(change_log_module, "CHANGE_LOG_ROWS", 2)
    writer.add_documents(make_docs("b", 10))
    assert answers(reader) == answers(writer) and full_loads == [1]


def test_a_store_made_before_the_change_log_still_follows_other_writers(tmp_path):
    path = tmp_path / "old.db"
    SQLiteGraphStore(path, VectorTextEmbeddings()).add_documents(make_docs("a", 20))
    sqlite3.connect(path).execute("DROP TABLE chunk_changes").connection.commit()
    reader = SQLiteGraphStore(path, VectorTextEmbeddings())
    writer = SQLiteGraphStore(path, VectorTextEmbeddings())
    assert len(reader) == 20
    writer.add_documents([Document("v:-3,-3,7", id="new")])  # creates the log
    assert reader.similarity_search("v:-3,-3,7", k=1)[0].id == "new" and len(reader) == 21
    writer.delete(["new"])
    assert len(reader) == 20 and answers(reader) == answers(writer)


def test_read_only_open_reads_and_changes_nothing(tmp_path):
    from doclinks.store import SQLiteSettings, StoreError

    path = tmp_path / "s.db"
    with SQLiteGraphStore(path, VectorTextEmbeddings()) as writer:
        writer.add_documents(make_docs("a", 30))
        expected = answers(writer)
    before = path.read_bytes()
    read_only = SQLiteSettings(read_only=True)
    store = SQLiteGraphStore(path, VectorTextEmbeddings(), sqlite=read_only)
    assert len(store) == 30 and answers(store) == expected
    assert len(list(store.iter_documents())) == 30
    with pytest.raises(StoreError, match="read-only"):
        store.add_documents([Document("v:1,2,3", id="new")])
    with pytest.raises(StoreError, match="read-only"):
        store.delete(["a0"])
    store.close()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.db"]  # no WAL files left behind
    with pytest.raises(StoreConnectionError, match="no such file"):
        SQLiteGraphStore(tmp_path / "missing.db", VectorTextEmbeddings(), sqlite=read_only)
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "empty.db").touch()
    with pytest.raises(StoreError, match="no doclinks store"):
        SQLiteGraphStore(tmp_path / "empty.db", VectorTextEmbeddings(), sqlite=read_only)
    assert (tmp_path / "empty.db").stat().st_size == 0
