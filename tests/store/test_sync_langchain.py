"""LangChain's own indexing API (``langchain_core.indexing.index`` with its record manager) on doclinks'
stores, and doclinks' `GraphStore.sync` giving the same counts and the same store on the same steps."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_core")

from langchain_core.documents import Document as LCDocument
from langchain_core.indexing import InMemoryRecordManager, index

from doclinks.store import InMemoryGraphStore, SQLiteGraphStore
from doclinks.store.testing.kit import HashingEmbeddings

V1 = [
    LCDocument(page_content="Charles Babbage designed the Analytical Engine in London.", metadata={"source": "a.txt"}),
    LCDocument(page_content="Ada Lovelace wrote the first program.", metadata={"source": "a.txt"}),
    LCDocument(page_content="Alan Turing worked in Manchester.", metadata={"source": "b.txt"}),
]
# a.txt edited: its first document changed, the second kept.
V2 = [LCDocument(page_content="Charles Babbage lived in London.", metadata={"source": "a.txt"}), V1[1], V1[2]]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "memory":
        made = InMemoryGraphStore(embedding=HashingEmbeddings(), semantics="langchain")
    elif request.param == "sqlite":
        made = SQLiteGraphStore(tmp_path / "lc.db", embedding=HashingEmbeddings(), semantics="langchain")
    else:
        from doclinks.store import PostgresGraphStore, PostgresSettings

        made = PostgresGraphStore(request.getfixturevalue("pg_dsn"), HashingEmbeddings(),
                                  postgres=PostgresSettings(collection="lc_index"), semantics="langchain")  # fmt: skip
    yield made
    made.close()


def texts(store) -> list[str]:
    return sorted(d.page_content for d in store.iter_documents())


def test_langchain_index_with_its_record_manager_keeps_a_doclinks_store_in_sync(store):
    manager = InMemoryRecordManager("doclinks/test")
    manager.create_schema()
    first = index(V1, manager, store, cleanup="incremental", source_id_key="source", key_encoder="sha256")
    assert first == {"num_added": 3, "num_updated": 0, "num_skipped": 0, "num_deleted": 0}
    again = index(V1, manager, store, cleanup="incremental", source_id_key="source", key_encoder="sha256")
    assert again == {"num_added": 0, "num_updated": 0, "num_skipped": 3, "num_deleted": 0}
    edited = index(V2[:2], manager, store, cleanup="incremental", source_id_key="source", key_encoder="sha256")
    assert edited == {"num_added": 1, "num_updated": 0, "num_skipped": 1, "num_deleted": 1}
    assert texts(store) == sorted(d.page_content for d in V2)
    full = index(
        V2[:2], manager, store, cleanup="full", source_id_key="source", key_encoder="sha256"
    )  # b.txt not given: deleted
    assert full["num_deleted"] == 1 and texts(store) == sorted(d.page_content for d in V2[:2])


def test_doclinks_sync_gives_langchains_counts_on_the_same_steps(tmp_path):
    store = SQLiteGraphStore(tmp_path / "own.db", embedding=HashingEmbeddings())
    try:
        counts = lambda r: (r.num_added, r.num_skipped, r.num_deleted)  # noqa: E731
        assert counts(store.sync(V1)) == (3, 0, 0)
        assert counts(store.sync(V1)) == (0, 3, 0)
        assert counts(store.sync(V2[:2])) == (1, 1, 1)
        assert texts(store) == sorted(d.page_content for d in V2)
        full = store.sync(V2[:2], cleanup="full")
        assert (full.num_deleted, full.sources_deleted) == (1, ["b.txt"])
        assert texts(store) == sorted(d.page_content for d in V2[:2])
    finally:
        store.close()
