"""graph-retriever's GraphRetriever on a doclinks store, through `GraphStoreAdapter`, on real documents.

Links come from the shipped NER model, written as metadata fields too (`metadata_fields=True`); the
embedder is doclinks' default (`default_models`). The same retriever over LangChain's InMemoryVectorStore
(graph-retriever's own adapter) and doclinks' own traversal reach the same chunks at the same depths.
"""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("langchain_core")
pytest.importorskip("langchain_graph_retriever")

from graph_retriever.strategies import Eager, Mmr
from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_graph_retriever import GraphRetriever

from doclinks.links import GLiNERLinkExtractor, LinkExtractorTransformer, graph_retriever_edges
from doclinks.store import SQLiteGraphStore
from doclinks.store.graph_retriever import GraphStoreAdapter

TEXTS = {
    "zelenskyy": "President Zelenskyy thanked the people of Ukraine, who stood up to Vladimir Putin.",
    "putin": "Vladimir Putin sent troops to the border and NATO answered in Brussels.",
    "judge": "I nominated Judge Ketanji Brown Jackson to serve on the Supreme Court.",
    "court": "The Supreme Court upholds the rights of every American.",
    "iowa": "Farmers in Iowa brought in a good harvest this year.",
    "nato": "NATO is stronger than ever, from Brussels to the Baltic.",
}
QUERIES = ["What did the president say about Ketanji Brown Jackson?", "troops at the border", "harvest", "Ukraine"]


@pytest.fixture(scope="module")
def linked(default_models):
    ner, _ = default_models
    extractor = GLiNERLinkExtractor(["Person", "Organization", "Location"], model=ner)
    docs = [Document(page_content=t, id=i, metadata={"source": f"{i}.txt"}) for i, t in TEXTS.items()]
    return extractor, LinkExtractorTransformer([extractor], metadata_fields=True).transform_documents(docs)


@pytest.fixture
def store(linked, default_models, tmp_path):
    with SQLiteGraphStore(tmp_path / "graph.db", default_models[1]) as store:
        store.add_documents(linked[1])
        yield store


def _found(docs):
    return {d.id: d.metadata["_depth"] for d in docs}


def test_graph_retriever_on_a_doclinks_store(linked, store, default_models):
    extractor, docs = linked
    edges = graph_retriever_edges(extractor.kinds)
    ours = GraphRetriever(
        store=GraphStoreAdapter(store), edges=edges, strategy=Eager(start_k=1, adjacent_k=10, max_depth=1)
    )
    reference = InMemoryVectorStore(embedding=default_models[1])
    reference.add_documents(docs)
    theirs = GraphRetriever(store=reference, edges=edges, strategy=Eager(start_k=1, adjacent_k=10, max_depth=1))

    found = _found(ours.invoke(QUERIES[0]))
    assert found == {"judge": 0, "court": 1}  # the Supreme Court paragraph, through the shared field
    assert _found(ours.invoke(QUERIES[1], max_depth=2)) == {"putin": 0, "zelenskyy": 1, "nato": 1}
    for query in QUERIES:
        for depth in (1, 2):
            mine = _found(ours.invoke(query, max_depth=depth))
            assert mine == _found(theirs.invoke(query, max_depth=depth)), query
            # doclinks' own traversal of the links (every neighbour, no hub limit at this size) agrees
            assert mine == _found(store.traversal_search(query, k=1, depth=depth, adjacent_k=None)), query
    assert _found(asyncio.run(ours.ainvoke(QUERIES[0]))) == found
    results = ours.invoke(QUERIES[0])
    assert [d.metadata["source"] for d in results] == ["judge.txt", "court.txt"]  # stored metadata comes through


def test_adapter_mmr_filter_and_get(linked, store):
    extractor, _ = linked
    adapter = GraphStoreAdapter(store)
    retriever = GraphRetriever(store=adapter, edges=graph_retriever_edges(extractor.kinds),
                               strategy=Mmr(start_k=2, select_k=3, adjacent_k=5, max_depth=1, lambda_mult=0.9))  # fmt: skip
    assert len(retriever.invoke(QUERIES[1])) == 3
    assert {c.id for c in adapter.get(["court", "judge", "gone"], filter={"entity:Organization": "supreme court"})} == {
        "court",
        "judge",
    }
    assert [c.id for c in adapter.get(["iowa", "court"], filter={"source": "iowa.txt"})] == ["iowa"]
    embedding, contents = adapter.search_with_embedding(QUERIES[2], k=1, filter={"source": "iowa.txt"})
    assert [c.id for c in contents] == ["iowa"] and len(embedding) == len(contents[0].embedding) == 384
    assert "_similarity_score" not in contents[0].metadata and contents[0].metadata["links"]
    with pytest.raises(TypeError, match="GraphStore"):
        GraphStoreAdapter(InMemoryVectorStore(embedding=store.embedding))
