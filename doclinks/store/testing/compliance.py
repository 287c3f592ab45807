"""The store compliance suite: the rules every store follows, as tests any backend can run.

A backend's test module subclasses `StoreCompliance` (under a name pytest collects, ``Test...``)
and implements `StoreCompliance.new_store`::

    from doclinks.store.testing.compliance import StoreCompliance

    class TestMyStore(StoreCompliance):
        def new_store(self, embedding, settings, folder, **options):
            return GraphStore(MyBackend(folder / "data"), embedding, settings)

Every test then runs on that store: same answers, same errors as the stores of doclinks. The
tests need pytest (and skip what needs langchain-core when it is missing). Chunks are placed
with `VectorTextEmbeddings` (``"v:x,y,z"`` texts), so each test knows the exact similarities and
therefore the exact answer. Searches: `doclinks.store.testing.compliance_search`; LangChain's
VectorStore API: `doclinks.store.testing.compliance_langchain`; filter operators:
`doclinks.store.testing.compliance_filters`; the command line's reads:
`doclinks.store.testing.compliance_reads`; source records and sync: `doclinks.store.testing.compliance_sync`.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

from ...document import Document
from ...links import Link
from ..errors import StoreClosedError, UnknownIdError
from ..graph_store import GraphStore
from ..settings import TraversalSettings
from .compliance_filters import FilterCompliance
from .compliance_langchain import LangChainCompliance
from .compliance_ppr import PPRCompliance
from .compliance_reads import ReadCompliance
from .compliance_search import SearchCompliance
from .compliance_sync import SyncCompliance
from .kit import Q, VectorTextEmbeddings, doc, ids, unit, vec_text

__all__ = ["StoreCompliance"]


class StoreCompliance(
    SearchCompliance, PPRCompliance, LangChainCompliance, FilterCompliance, ReadCompliance, SyncCompliance
):
    """The compliance suite; subclass it and implement `new_store` (see the module docstring)."""

    def new_store(self, embedding, settings: TraversalSettings | None, folder: Path, **options) -> GraphStore:
        """A new, empty store for one test.

        Args:
            embedding: the embedder to use.
            settings: traversal settings (None: the default).
            folder: an empty folder of this store's own, for files it needs.
            options: store options a test may ask for, passed to the store's constructor:
                ``semantics`` (`doclinks.store.langchain`).
        """
        raise NotImplementedError("a compliance test class implements new_store")

    @pytest.fixture
    def make_store(self, tmp_path):
        """make_store(embedding=None, settings=None, **options) -> a new, empty store (closed after the
        test); embedding None: `VectorTextEmbeddings`."""
        made: list[GraphStore] = []

        def make(embedding=None, settings: TraversalSettings | None = None, **options):
            folder = tmp_path / f"store{len(made)}"
            folder.mkdir()
            store = self.new_store(embedding if embedding is not None else VectorTextEmbeddings(), settings, folder,
                                   **options)  # fmt: skip
            made.append(store)
            return store

        yield make
        for s in made:
            s.close()

    # ----------------------------------------------------------------------------- CRUD
    def test_roundtrip_keeps_content_metadata_links_and_id(self, make_store):
        store = make_store()
        links = [Link.bidir("entity:Person", "Vladimir Putin"), Link.outgoing("url", "http://x")]
        d = doc("a", (1, 0, 0), *links, source="news", n=3, tags=["x", "y"], nested={"k": [1, 2.5]})
        assert store.add_documents([d]) == ["a"]
        (got,) = store.get_by_ids(["a"])
        assert got.page_content == d.page_content and got.id == "a"
        assert got.metadata == {"source": "news", "n": 3, "tags": ["x", "y"], "nested": {"k": [1, 2.5]}, "links": links}
        assert all(isinstance(l, Link) for l in got.metadata["links"])
        assert len(store) == 1

    def test_get_by_ids_order_and_unknown_ids(self, make_store):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0)), doc("b", (0, 1, 0))])
        assert ids(store.get_by_ids(["b", "a", "b"])) == ["b", "a", "b"]
        with pytest.raises(UnknownIdError, match="'zz'"):
            store.get_by_ids(["a", "zz"])
        assert ids(store.get_by_ids(["a", "zz"], missing="skip")) == ["a"]

    def test_ids_argument_and_langchain_documents(self, make_store):
        lc = pytest.importorskip("langchain_core.documents")
        store = make_store()
        out = store.add_documents(
            [lc.Document(page_content=vec_text((1, 0, 0)), metadata={"links": [Link.bidir("k", "t")]})], ids=["x1"]
        )
        assert out == ["x1"]
        assert store.get_by_ids(["x1"])[0].metadata["links"] == [Link.bidir("k", "t")]

    def test_upsert_replaces_links_and_vector(self, make_store):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))])
        assert ids(store.traversal_search(Q, k=1, depth=1)) == ["a", "b"]
        # Replace a: no more link, and a new vector pointing away from the query.
        store.add_documents([doc("a", (-1, 0.1, 0))])
        assert len(store) == 2
        assert store.get_by_ids(["a"])[0].metadata == {}
        res = store.traversal_search(Q, k=1, depth=1)
        assert ids(res) == ["b"]  # b is now the nearest, and a no longer links to it
        assert store.similarity_search(Q, k=2)[1].metadata["_similarity_score"] < 0

    def test_same_ingest_twice_changes_nothing(self, make_store):
        store = make_store()
        batch = [doc(None, (1, i, 0), Link.bidir("k", f"t{i % 3}"), i=i) for i in range(12)]
        first = store.add_documents(batch)
        before = [(d.id, d.metadata) for d in store.traversal_search(Q, k=3, depth=2)]
        second = store.add_documents(batch)
        assert first == second and len(set(first)) == 12  # derived ids are stable
        assert len(store) == 12
        assert [(d.id, d.metadata) for d in store.traversal_search(Q, k=3, depth=2)] == before

    def test_results_re_ingested_change_nothing(self, make_store):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))])
        results = store.traversal_search(Q, k=1, depth=1)
        store.add_documents(results)  # carries _depth/_similarity_score: never stored
        assert "_depth" not in store.get_by_ids(["b"])[0].metadata

    def test_delete_removes_document_and_its_links(self, make_store):
        store = make_store()
        store.add_documents(
            [
                doc("a", (1, 0, 0), Link.bidir("k", "t")),
                doc("b", (0, 1, 0), Link.bidir("k", "t")),
                doc("c", (0, 0, 1), Link.bidir("k", "t")),
            ]
        )
        assert store.delete(["b"]) == 1
        assert ids(store.traversal_search(Q, k=1, depth=1)) == ["a", "c"]
        with pytest.raises(UnknownIdError):
            store.delete(["a", "nope"])
        assert len(store) == 2  # nothing deleted by the failed call
        assert store.delete(["a", "nope"], missing="ignore") == 1
        assert ids(store.similarity_search(Q, k=5)) == ["c"]

    # ----------------------------------------------------------------------- similarity
    def test_similarity_order_and_ties_by_id(self, make_store):
        store = make_store()
        store.add_documents(
            [doc("c", (1, 0, 0)), doc("a", (1, 0, 0)), doc("b", (1, 0, 0)), doc("d", unit(30)), doc("e", unit(150))]
        )
        res = store.similarity_search(Q, k=4)
        assert ids(res) == ["a", "b", "c", "d"]
        assert res[0].metadata["_similarity_score"] == pytest.approx(1.0, abs=1e-6)
        assert res[3].metadata["_similarity_score"] == pytest.approx(math.cos(math.radians(30)), abs=1e-6)
        assert all(d.metadata["_depth"] == 0 for d in res)
        assert ids(store.similarity_search(Q, k=2)) == ["a", "b"]  # the tie broken at the cut, too
        assert ids(store.similarity_search(Q, k=50)) == ["a", "b", "c", "d", "e"]
        assert store.similarity_search(Q, k=0) == []

    def test_empty_store_answers_empty(self, make_store):
        store = make_store()
        assert store.similarity_search(Q) == []
        assert store.traversal_search(Q) == []
        assert store.mmr_traversal_search(Q) == []
        assert len(store) == 0

    def test_filter_matches_scalars_and_list_items(self, make_store):
        store = make_store()
        store.add_documents(
            [
                doc("a", unit(0), lang="en", year=2020, tags=["x", "y"], ok=True),
                doc("b", unit(10), lang="de", year=2020.0, tags=["y"], ok=1),
                doc("c", unit(20), lang="en", year=2021, tags="x", ok=None),
            ]
        )
        assert ids(store.similarity_search(Q, k=5, filter={"lang": "en"})) == ["a", "c"]
        assert ids(store.similarity_search(Q, k=5, filter={"year": 2020})) == ["a", "b"]  # 2020 == 2020.0
        assert ids(store.similarity_search(Q, k=5, filter={"tags": "x"})) == ["a", "c"]
        assert ids(store.similarity_search(Q, k=5, filter={"ok": True})) == ["a"]  # True is not 1
        assert ids(store.similarity_search(Q, k=5, filter={"ok": None})) == ["c"]
        assert ids(store.similarity_search(Q, k=5, filter={"lang": "en", "tags": "y"})) == ["a"]
        assert store.similarity_search(Q, k=5, filter={"missing": "x"}) == []

    # ------------------------------------------------------------------- bad input
    def test_bad_vectors_give_clear_errors(self, make_store):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0))])
        with pytest.raises(ValueError, match=r"dimension 2.*3-dimensional"):
            store.add_documents([Document("v:1,0", id="b")])
        with pytest.raises(ValueError, match="NaN"):
            store.add_documents([Document("v:1,nan,0", id="b")])
        with pytest.raises(ValueError, match="zero vector"):
            store.add_documents([Document("v:0,0,0", id="b")])
        with pytest.raises(ValueError, match="query embedding has dimension 4"):
            store.similarity_search("v:1,0,0,0")
        assert len(store) == 1  # nothing half-written

    def test_bad_arguments_give_clear_errors(self, make_store):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0))])
        with pytest.raises(ValueError, match="lambda_mult"):
            store.mmr_traversal_search(Q, lambda_mult=1.5)
        with pytest.raises(ValueError, match="k must be >= 0"):
            store.similarity_search(Q, k=-1)
        with pytest.raises(TypeError, match="depth"):
            store.traversal_search(Q, depth=1.5)
        with pytest.raises(TypeError, match="filter value"):
            store.similarity_search(Q, filter={"a": [1, 2]})
        with pytest.raises(TypeError, match="filter must be a dict"):
            store.similarity_search(Q, filter="lang = 'en'")
        with pytest.raises(ValueError, match="2 ids for 1 documents"):
            store.add_documents([doc("x", (1, 0, 0))], ids=["x", "y"])
        with pytest.raises(ValueError, match="appears twice"):
            store.add_documents([doc("x", (1, 0, 0)), doc("x", (0, 1, 0))])
        with pytest.raises(TypeError, match="JSON"):
            store.add_documents([doc("x", (1, 0, 0), when=object())])
        with pytest.raises(TypeError, match="non-Link"):
            store.add_documents([Document(vec_text((1, 0, 0)), {"links": ["k:t"]}, "x")])
        assert len(store) == 1

    def test_sql_fragments_in_tags_filters_and_ids_are_plain_data(self, make_store):
        store = make_store()
        evil = ["'; DROP TABLE chunks; --", '" OR 1=1 --', "x') OR ('1'='1", "$1", "%s", "{chunks}", "Robert'); --"]
        docs = [doc(f"root{e}", unit(0), Link.bidir("k'--", e), src=e) for e in evil[:1]]
        docs += [
            doc(f"n{i}{e}", unit(50 + i), Link.bidir("k'--", evil[0]), Link.bidir(e, e), src=e)
            for i, e in enumerate(evil)
        ]
        store.add_documents(docs)
        assert len(store) == len(docs)
        res = store.traversal_search(Q, k=1, depth=1, adjacent_k=None)
        assert len(res) == len(docs)
        for e in evil:
            got = store.similarity_search(Q, k=20, filter={"src": e})
            assert {d.metadata["src"] for d in got} == {e}
        assert store.get_by_ids([f"root{evil[0]}"])[0].metadata["links"] == [Link.bidir("k'--", evil[0])]
        assert store.delete([f"n1{evil[1]}"]) == 1
        assert len(store) == len(docs) - 1

    def test_closed_store_gives_clear_error(self, make_store):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0))])
        store.close()
        store.close()  # twice is fine
        for call in (
            lambda: store.similarity_search(Q),
            lambda: store.add_documents([doc("b", (0, 1, 0))]),
            lambda: store.get_by_ids(["a"]),
            lambda: len(store),
        ):
            with pytest.raises(StoreClosedError, match="closed"):
                call()

    # ------------------------------------------------------------------------ async
    def test_async_variants(self, make_store):
        store = make_store()

        async def run():
            await store.aadd_documents(
                [doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))]
            )
            sim = await store.asimilarity_search(Q, k=1)
            trav = await store.atraversal_search(Q, k=1, depth=1)
            mmr = await store.ammr_traversal_search(Q, k=2)
            got = await store.aget_by_ids(["b"])
            n = await store.adelete(["b"])
            return sim, trav, mmr, got, n

        sim, trav, mmr, got, n = asyncio.run(run())
        assert ids(sim) == ["a"] and ids(trav) == ["a", "b"] and ids(mmr) == ["a", "b"]
        assert ids(got) == ["b"] and n == 1 and len(store) == 1

    def test_as_retriever_gives_langchain_retriever(self, make_store):
        pytest.importorskip("langchain_core")
        from langchain_core.documents import Document as LCDocument
        from langchain_core.retrievers import BaseRetriever

        store = make_store()
        store.add_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))])
        for search_type, kwargs, expected in [
            ("similarity", {"k": 1}, ["a"]),
            ("traversal", {"k": 1, "depth": 1}, ["a", "b"]),
            ("mmr_traversal", {"k": 2, "fetch_k": 1}, ["a", "b"]),
            ("mmr", {"k": 2, "fetch_k": 2}, ["a", "b"]),
            ("similarity_score_threshold", {"k": 2, "score_threshold": 0.5}, ["a"]),
        ]:
            retriever = store.as_retriever(search_type=search_type, search_kwargs=kwargs)
            assert isinstance(retriever, BaseRetriever)
            out = retriever.invoke(Q)
            assert all(isinstance(d, LCDocument) for d in out) and [d.id for d in out] == expected
            assert [d.id for d in asyncio.run(retriever.ainvoke(Q))] == expected
        with pytest.raises(ValueError, match="search_type"):
            store.as_retriever(search_type="nearest")
        with pytest.raises(ValueError, match="fetch_k"):
            store.as_retriever(search_type="traversal", search_kwargs={"fetch_k": 3})

    def test_langchain_embeddings_object_works(self, make_store):
        pytest.importorskip("langchain_core.embeddings")
        from langchain_core.embeddings import Embeddings as LCEmbeddings

        from .kit import HashingEmbeddings

        class LCHashing(LCEmbeddings):  # a LangChain Embeddings subclass, used as is
            def __init__(self):
                self.inner = HashingEmbeddings()

            def embed_documents(self, texts):
                return self.inner.embed_documents(texts)

            def embed_query(self, text):
                return self.inner.embed_query(text)

        store = make_store(embedding=LCHashing())
        store.add_documents([Document("apples and pears", id="fruit"), Document("trains and buses", id="transport")])
        assert store.similarity_search("pears", k=1)[0].id == "fruit"
        assert store.similarity_search("buses", k=1)[0].id == "transport"

    # ----------------------------------------------------------------- text every backend can store
    @pytest.mark.parametrize(
        "bad, where",
        [
            (dict(id="a\x00evil"), "the id"),
            (dict(id="a\ud800"), "the id"),
            (dict(link=Link.bidir("entity:Person", "Pu\x00tin")), "a link"),
            (dict(link=Link.bidir("entity:Per\udc00son", "Putin")), "a link"),
            (dict(meta={"k\x00": "v"}), "a metadata key"),
            (dict(meta={"k": "v\ud800"}), "metadata['k']"),
            (dict(meta={"k": ["ok", {"deep": "x\x00"}]}), "metadata['k']"),
        ],
    )  # fmt: skip
    def test_nul_and_lone_surrogates_are_refused_naming_the_document(self, make_store, bad, where):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0), Link.bidir("entity:Person", "Putin"), source="kept")])
        links = [bad["link"]] if "link" in bad else []
        d = doc(bad.get("id", "b"), (0, 1, 0), *links, **bad.get("meta", {}))
        with pytest.raises(ValueError, match=rf"document 0 \(id .*\): {where.replace('[', '.').replace(']', '.')}"):
            store.add_documents([d])
        # Nothing stored, nothing lost.
        assert ids(store.get_by_ids(["a"])) == ["a"] and len(store) == 1

    @pytest.mark.parametrize("bad_id", ["a\x00evil", "a\ud800"])
    def test_ids_with_nul_or_surrogates_never_reach_the_database(self, make_store, bad_id):
        store = make_store()
        store.add_documents([doc("a", (1, 0, 0))])
        for call in (lambda: store.delete([bad_id], missing="ignore"), lambda: store.get_by_ids([bad_id])):
            with pytest.raises(ValueError, match="id"):
                call()
        assert ids(store.get_by_ids(["a"])) == ["a"]  # "a\x00evil" did not delete "a"

    def test_vectors_that_overflow_are_refused(self, make_store):
        from .kit import VectorTextEmbeddings

        store = make_store()
        with pytest.raises(ValueError, match="too large to normalise"):
            store.add_documents([doc("a", [1e308] * 3)])
        assert len(store) == 0
        store.add_documents([doc("a", (1, 0, 0))])
        with pytest.raises(ValueError, match="too large"):
            store.similarity_search_by_vector([1e308] * 3)
        assert isinstance(store.embedding, VectorTextEmbeddings)
