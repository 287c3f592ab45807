"""LangChain's constructors on each store class (`from_texts`, `from_documents`, their async forms), and
the stores without langchain-core. The rules every store follows under LangChain's API are in the
compliance suite (`doclinks.store.testing.compliance_langchain`); LangChain's own standard suite in
test_langchain_standard.py."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest

from doclinks.links import Link
from doclinks.store import GraphStore, InMemoryGraphStore, SQLiteGraphStore
from doclinks.store.backends.memory import MemoryBackend
from doclinks.store.testing.kit import Q, VectorTextEmbeddings, unit, vec_text

lc = pytest.importorskip("langchain_core.documents")

DOCS = [
    lc.Document(page_content=vec_text(unit(0)), metadata={"links": [Link.bidir("k", "t")], "n": 1}, id="a"),
    lc.Document(page_content=vec_text(unit(90)), metadata={"links": [Link.bidir("k", "t")], "n": 2}),
    lc.Document(page_content=vec_text(unit(45)), metadata={"n": 3}, id="c"),
]


def _check(store) -> None:
    """`store` was made from DOCS by LangChain's constructors: LangChain's semantics, DOCS in it."""
    assert store.semantics == "langchain" and len(store) == 3
    assert store.traversal_search(Q, k=1)[0].id == "a" and len(store.traversal_search(Q, k=1)) == 2
    assert store.similarity_search(Q, k=1) == [
        lc.Document(page_content=DOCS[0].page_content, metadata=DOCS[0].metadata, id="a")
    ]
    assert store.get_by_ids(["c", "zz"])[0].metadata == {"n": 3}
    store.close()


def test_in_memory_from_texts_and_documents():
    emb = VectorTextEmbeddings()
    _check(InMemoryGraphStore.from_documents(DOCS, emb))
    store = InMemoryGraphStore.from_texts(
        [d.page_content for d in DOCS], emb, [d.metadata for d in DOCS], ids=["a", None, "c"]
    )
    _check(store)
    _check(asyncio.run(InMemoryGraphStore.afrom_documents(DOCS, emb)))  # langchain-core's async form over ours
    store = InMemoryGraphStore.from_documents(DOCS, emb, semantics="doclinks")  # the constructor's arguments
    assert store.semantics == "doclinks" and store.similarity_search(Q, k=1)[0].metadata["_depth"] == 0
    _check(GraphStore.from_documents(DOCS, emb, backend=MemoryBackend()))  # the facade: its backend as an argument


def test_sqlite_from_documents_in_memory_or_in_a_file(tmp_path):
    emb = VectorTextEmbeddings()
    store = SQLiteGraphStore.from_documents(DOCS, emb)  # no path: a private in-memory database
    assert str(store.path) == ":memory:"
    _check(store)
    path = tmp_path / "graph.db"
    _check(SQLiteGraphStore.from_documents(documents=DOCS, embedding=emb, path=path))
    with SQLiteGraphStore(path, emb) as reopened:  # the file keeps them; the constructor's own default semantics
        assert reopened.semantics == "doclinks" and len(reopened) == 3
    with pytest.raises(TypeError, match="JSON"):  # a failed from_documents closes what it opened
        SQLiteGraphStore.from_documents(
            [lc.Document(page_content="v:1,0", metadata={"x": object()})], emb, path=tmp_path / "bad.db"
        )
    with SQLiteGraphStore(tmp_path / "bad.db", emb) as bad:
        assert len(bad) == 0


def test_postgres_from_documents(pg_dsn):
    from doclinks.store import PostgresGraphStore, PostgresSettings

    emb = VectorTextEmbeddings()
    _check(PostgresGraphStore.from_documents(DOCS, emb, dsn=pg_dsn, postgres=PostgresSettings(collection="from_docs")))
    with pytest.raises(TypeError, match="dsn"):
        PostgresGraphStore.from_documents(DOCS, emb)


def test_stores_without_langchain_core():
    """langchain-core stays optional: the stores work with doclinks' API, and say what needs it."""
    code = textwrap.dedent("""
        import sys
        sys.modules["langchain_core"] = None  # import langchain_core now fails
        from doclinks.store import InMemoryGraphStore
        from doclinks.store.testing.kit import VectorTextEmbeddings
        store = InMemoryGraphStore.from_texts(["v:1,0", "v:0,1"], VectorTextEmbeddings(), semantics="doclinks")
        assert [d.id for d in store.similarity_search("v:1,0", k=1)] == store.add_texts(["v:1,0"])
        assert store.max_marginal_relevance_search("v:1,0", k=2)[1].page_content == "v:0,1"
        for make in (lambda: InMemoryGraphStore(VectorTextEmbeddings(), semantics="langchain"),
                     lambda: InMemoryGraphStore.from_texts(["v:1,0"], VectorTextEmbeddings()),
                     lambda: store.as_retriever()):
            try:
                make()
            except ImportError as exc:
                assert "langchain-core" in str(exc)
            else:
                raise AssertionError("no ImportError")
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
