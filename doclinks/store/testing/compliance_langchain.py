"""LangChain VectorStore rules every store follows: a mixin of `StoreCompliance`.

Both semantics (`doclinks.store.langchain`) on the same calls: unknown ids, result types and
metadata, scores, plain MMR, ``add_texts``, ``search`` with LangChain's search types, the async
forms. Tests that need langchain-core skip without it. LangChain's own standard suite runs on
each store in ``tests/store/test_langchain_standard.py``; `from_texts` per store class in
``tests/store/test_langchain_vectorstore.py`` (its arguments are the class's).
"""

from __future__ import annotations

import asyncio
import math

import pytest

from ...links import Link
from ..errors import UnknownIdError
from ..langchain import relevance
from .kit import Q, doc, ids, unit, vec_text

__all__ = ["LangChainCompliance"]


def _linked(store) -> None:
    """a (on the query) linked to b (orthogonal); c at 60 degrees, unlinked."""
    store.add_documents([doc("a", unit(0), Link.bidir("k", "t"), n=1), doc("b", unit(90), Link.bidir("k", "t"), n=2),
                         doc("c", unit(60), n=3)])  # fmt: skip


class LangChainCompliance:
    """LangChain API rules (see the module docstring)."""

    def test_is_a_langchain_vector_store(self, make_store):
        vectorstores = pytest.importorskip("langchain_core.vectorstores")
        store = make_store()
        assert isinstance(store, vectorstores.VectorStore)
        assert store.embeddings is store.embedding

    def test_unknown_ids_by_semantics(self, make_store):
        pytest.importorskip("langchain_core")
        for semantics in ("doclinks", "langchain"):
            store = make_store(semantics=semantics)
            _linked(store)
            if semantics == "doclinks":
                with pytest.raises(UnknownIdError):
                    store.get_by_ids(["a", "zz"])
                with pytest.raises(UnknownIdError):
                    store.delete(["a", "zz"])
                assert store.get_by_ids(["a", "zz"], missing="skip")[0].id == "a"
                assert store.delete(["a", "zz"], missing="ignore") == 1
            else:
                assert ids(store.get_by_ids(["zz", "b", "a"])) == ["b", "a"]
                with pytest.raises(UnknownIdError):  # the per-call option still wins
                    store.get_by_ids(["zz"], missing="raise")
                assert store.delete(["zz"]) is True and len(store) == 3
                with pytest.raises(UnknownIdError):
                    store.delete(["a", "zz"], missing="raise")
                assert store.delete(["a", "zz"]) is True
            assert len(store) == 2

    def test_delete_without_ids(self, make_store):
        pytest.importorskip("langchain_core")
        store = make_store()
        _linked(store)
        with pytest.raises(TypeError, match="ids"):
            store.delete()
        lc = make_store(semantics="langchain")
        _linked(lc)
        assert lc.delete() is True  # LangChain's contract: None deletes every document
        assert len(lc) == 0 and lc.similarity_search(Q) == []
        assert lc.delete() is True  # and an empty store stays empty

    def test_result_types_and_metadata_by_semantics(self, make_store):
        documents = pytest.importorskip("langchain_core.documents")
        plain = make_store()
        lc = make_store(semantics="langchain")
        for store in (plain, lc):
            _linked(store)
        (ours,) = plain.similarity_search(Q, k=1)
        assert not isinstance(ours, documents.Document) and ours.metadata["_similarity_score"] == pytest.approx(1.0)
        theirs = lc.similarity_search(Q, k=2)
        assert theirs == [documents.Document(id="a", page_content=vec_text(unit(0)), metadata={"n": 1, "links": [Link.bidir("k", "t")]}),
                          documents.Document(id="c", page_content=vec_text(unit(60)), metadata={"n": 3})]  # fmt: skip
        assert lc.similarity_search_by_vector(list(unit(0)), k=2) == theirs
        assert [d.id for d in lc.max_marginal_relevance_search(Q, k=2, lambda_mult=0.8)] == ["a", "c"]
        assert all(set(d.metadata) <= {"n", "links"} for d in lc.max_marginal_relevance_search(Q, k=2))
        assert all(isinstance(d, documents.Document) for d in lc.get_by_ids(["a"]))
        # Graph searches keep the result keys (why a chunk came) in both.
        trav = lc.traversal_search(Q, k=1)
        assert [(d.id, d.metadata["_depth"], d.metadata["_via"] if d.metadata["_depth"] else None) for d in trav] == [
            ("a", 0, None),
            ("b", 1, [("k", "t")]),
        ]
        assert all(isinstance(d, documents.Document) for d in trav + lc.mmr_traversal_search(Q, k=2))

    def test_scores_and_relevance(self, make_store):
        pytest.importorskip("langchain_core")
        for semantics in ("doclinks", "langchain"):
            store = make_store(semantics=semantics)
            store.add_documents([doc("a", unit(0)), doc("b", unit(60)), doc("c", unit(180))])
            scored = store.similarity_search_with_score(Q, k=3)
            assert [d.id for d, _ in scored] == ["a", "b", "c"]
            assert [s for _, s in scored] == pytest.approx([1.0, 0.5, -1.0], abs=1e-6)
            assert [d.id for d in store.similarity_search(Q, k=3)] == ["a", "b", "c"]
            rel = store.similarity_search_with_relevance_scores(Q, k=3)
            assert [r for _, r in rel] == pytest.approx([1.0, 0.5, 0.0], abs=1e-6)
            assert [d.id for d, _ in store.similarity_search_with_relevance_scores(Q, k=3, score_threshold=0.4)] == [
                "a",
                "b",
            ]
            assert [d.id for d in store.search(Q, "similarity_score_threshold", score_threshold=0.9)] == ["a"]
        assert relevance(-0.3) == 0.0 and relevance(0.25) == 0.25 and relevance(1.0000001) == 1.0

    def test_plain_mmr_is_mmr_traversal_at_depth_zero(self, make_store):
        store = make_store()
        store.add_documents([doc(f"d{i}", unit(i * 9), Link.bidir("k", "t")) for i in range(30)])
        for kwargs in ({}, {"k": 5, "fetch_k": 8, "lambda_mult": 0.2}, {"lambda_mult": 1.0, "filter": {"x": 1}}):
            mmr = store.max_marginal_relevance_search(Q, **kwargs)
            expected = store.mmr_traversal_search(Q, **{"fetch_k": 20, **kwargs, "depth": 0})
            assert [(d.id, d.metadata) for d in mmr] == [(d.id, d.metadata) for d in expected]
            by_vector = store.max_marginal_relevance_search_by_vector(list(unit(0)), **kwargs)
            assert [d.id for d in by_vector] == [d.id for d in mmr]
        assert ids(store.max_marginal_relevance_search(Q, k=2, lambda_mult=1.0)) == ["d0", "d1"]
        assert ids(store.max_marginal_relevance_search(Q, k=2, lambda_mult=0.0))[1] != "d1"  # diversity

    def test_add_texts(self, make_store):
        store = make_store()
        linked = {"links": [Link.bidir("k", "t")]}
        out = store.add_texts([vec_text(unit(0)), vec_text(unit(90)), vec_text(unit(45))], [linked, linked, None],
                              ids=["a", None, "c"])  # fmt: skip
        assert out[0] == "a" and out[2] == "c" and len(store) == 3
        assert ids(store.traversal_search(Q, k=1)) == out[:2]  # the links came with the metadata
        assert store.get_by_ids(["c"])[0].metadata == {}
        assert store.add_texts([vec_text(unit(90))], [linked]) == [out[1]]  # derived ids are stable
        with pytest.raises(ValueError, match="one each per text"):
            store.add_texts(["v:1,0,0"], [{}, {}])
        with pytest.raises(ValueError, match="one each per text"):
            store.add_texts(["v:1,0,0"], ids=["x", "y"])
        assert len(store) == 3

    def test_search_types(self, make_store):
        store = make_store()
        _linked(store)
        assert ids(store.search(Q, "similarity", k=1)) == ["a"]
        assert ids(store.search(Q, "mmr", k=2, fetch_k=3, lambda_mult=0.8)) == ["a", "c"]
        assert ids(store.search(Q, "traversal", k=1)) == ["a", "b"]
        assert ids(store.search(Q, "mmr_traversal", k=2, fetch_k=1)) == ["a", "b"]
        assert ids(asyncio.run(store.asearch(Q, "traversal", k=1, depth=0))) == ["a"]
        with pytest.raises(ValueError, match="search_type"):
            store.search(Q, "nearest")

    def test_as_retriever_default_follows_semantics(self, make_store):
        pytest.importorskip("langchain_core")
        for semantics, expected in (("doclinks", ["a"]), ("langchain", ["a", "b"])):
            store = make_store(semantics=semantics)
            _linked(store)
            retriever = store.as_retriever(search_kwargs={"k": 1})
            assert retriever.vectorstore is store and [d.id for d in retriever.invoke(Q)] == expected

    def test_graph_searches_take_langchains_keywords(self, make_store):
        store = make_store()
        _linked(store)
        with pytest.raises(TypeError):
            store.traversal_search(Q, 1)  # k, depth, filter are keyword-only, as in GraphVectorStore
        with pytest.raises(NotImplementedError, match="initial_roots"):
            store.mmr_traversal_search(Q, initial_roots=["a"])
        assert ids(store.mmr_traversal_search(Q, initial_roots=(), k=1)) == ["a"]

    def test_async_graph_searches_await_or_iterate(self, make_store):
        store = make_store()
        _linked(store)

        async def run():
            awaited = await store.atraversal_search(Q, k=1)
            iterated = [d async for d in store.atraversal_search(Q, k=1)]
            mmr = [d async for d in store.ammr_traversal_search(Q, k=2, fetch_k=1)]
            return awaited, iterated, mmr

        awaited, iterated, mmr = asyncio.run(run())
        assert ids(awaited) == ids(iterated) == ["a", "b"] and ids(mmr) == ["a", "b"]

    def test_langchain_async_methods(self, make_store):
        pytest.importorskip("langchain_core")
        store = make_store(semantics="langchain")

        async def run():
            added = await store.aadd_texts([vec_text(unit(0)), vec_text(unit(60))], ids=["a", "b"])
            scored = await store.asimilarity_search_with_score(Q, k=1)
            rel = await store.asimilarity_search_with_relevance_scores(Q, k=2, score_threshold=0.9)
            mmr = await store.amax_marginal_relevance_search(Q, k=2)
            gone = await store.adelete(["b", "zz"])
            got = await store.aget_by_ids(["a", "b"])
            return added, scored, rel, mmr, gone, got

        added, scored, rel, mmr, gone, got = asyncio.run(run())
        assert added == ["a", "b"] and scored[0][0].id == "a" and math.isclose(scored[0][1], 1.0, abs_tol=1e-6)
        assert [d.id for d, _ in rel] == ["a"] and ids(mmr) == ["a", "b"]
        assert gone is True and ids(got) == ["a"]

    def test_get_vectors(self, make_store):
        store = make_store()
        store.add_documents([doc("a", (3, 4, 0))])
        vectors = store.get_vectors(["a", "zz"])
        assert list(vectors) == ["a"] and vectors["a"].tolist() == pytest.approx([0.6, 0.8, 0.0])
