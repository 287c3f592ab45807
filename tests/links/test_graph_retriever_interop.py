"""Links written as metadata fields drive langchain-graph-retriever over LangChain's InMemoryVectorStore.

The documents get their links from `LinkExtractorTransformer(..., metadata_fields=True)` with the shipped
NER model (`shipped_ner` fixture: this module is in the ``shipped_model`` group); both stores embed with the real all-MiniLM-L6-v2 (`minilm` fixture, doclinks'
default embedder). graph-retriever traverses the fields with `graph_retriever_edges`, reaches documents that
plain similarity ranks low, and reaches what doclinks' own store reaches by links.
"""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_core")
pytest.importorskip("langchain_graph_retriever")

from graph_retriever.strategies import Eager
from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_graph_retriever import GraphRetriever

from doclinks.links import (
    GLiNERLinkExtractor,
    Link,
    LinkExtractorTransformer,
    add_link_fields,
    add_links,
    graph_retriever_edges,
    link_fields,
)
from doclinks.store import InMemoryGraphStore

pytestmark = pytest.mark.shipped_model

TEXTS = {
    "a": "Vladimir Putin ordered troops to the border",
    "b": "PUTIN faces a shrinking economy and new sanctions",
    "c": "Zelenskyy spoke to parliament in Kyiv",
    "d": "Farmers harvested wheat early this year",
    "e": "The talks in Moscow ended without result",
    "f": "Putin flew home to Moscow after the summit",
    "g": "Vladimir Putin met his generals",  # the full name in two chunks: trusted as the long form
}


@pytest.fixture(scope="module")
def linked(shipped_ner):
    extractor = GLiNERLinkExtractor(["Person", "Location"], model=shipped_ner)
    docs = [Document(page_content=t, id=i, metadata={"source": f"{i}.txt"}) for i, t in TEXTS.items()]
    out = LinkExtractorTransformer([extractor], metadata_fields=True).transform_documents(docs)
    return extractor, {d.id: d for d in out}


def _retriever(docs, edges, embedding, **strategy):
    store = InMemoryVectorStore(embedding=embedding)  # doclinks' embedder has LangChain's Embeddings shape
    store.add_documents(list(docs))
    return GraphRetriever(store=store, edges=edges, strategy=Eager(**strategy))


def test_fields_layout(linked):
    _, docs = linked
    assert docs["a"].metadata["entity:Person"] == ["vladimir putin"]
    assert docs["b"].metadata["entity:Person"] == ["vladimir putin"]  # PUTIN: normalised across the corpus
    assert docs["f"].metadata["entity:Person"] == ["vladimir putin"]  # Putin: the part of the longer name
    assert docs["f"].metadata["entity:Location"] == ["moscow"] and docs["e"].metadata["entity:Location"] == ["moscow"]
    assert "kyiv" in docs["c"].metadata["entity:Location"] and docs["c"].metadata["entity:Person"] == ["zelenskyy"]
    assert "entity:Person" not in docs["d"].metadata and "entity:Location" not in docs["d"].metadata
    assert docs["d"].metadata["source"] == "d.txt"


def test_graph_retriever_follows_entity_fields(linked, minilm):
    extractor, docs = linked
    query = "troops to the border"
    # Plain similarity puts a first and e among the last: e has nothing to do with the query.
    store = InMemoryVectorStore.from_documents(list(docs.values()), minilm)
    by_similarity = [d.id for d in store.similarity_search(query, k=6)]
    assert by_similarity[0] == "a" and by_similarity.index("e") >= 3
    edges = graph_retriever_edges(extractor.kinds)
    retriever = _retriever(docs.values(), edges, minilm, start_k=1, select_k=10, adjacent_k=10, max_depth=1)
    found = {d.id: d.metadata["_depth"] for d in retriever.invoke(query)}
    # a by similarity; b, f and g share the person; e shares nothing with a (Moscow is f's).
    assert found == {"a": 0, "b": 1, "f": 1, "g": 1}
    found = {d.id: d.metadata["_depth"] for d in retriever.invoke(query, max_depth=2)}
    assert found == {"a": 0, "b": 1, "f": 1, "g": 1, "e": 2}
    assert "c" not in found and "d" not in found


def test_same_neighbours_as_doclinks_store(linked, minilm):
    """graph-retriever over the fields reaches exactly what doclinks' store reaches over the links."""
    extractor, docs = linked
    edges = graph_retriever_edges(extractor.kinds)
    ours = InMemoryGraphStore(embedding=minilm)
    ours.add_documents(list(docs.values()))
    retriever = _retriever(docs.values(), edges, minilm, start_k=2, select_k=10, adjacent_k=10, max_depth=2)
    reached = []
    for query in ["troops to the border", "talks ended", "parliament", "wheat"]:
        theirs = {d.id for d in retriever.invoke(query)}
        mine = {d.id for d in ours.traversal_search(query, k=2, depth=2, adjacent_k=None)}
        assert theirs == mine, query
        reached.append(len(theirs))
    assert max(reached) > 2  # links added documents beyond the two roots


def test_directed_links_as_fields(minilm):
    """out/in links become K@out / K@in fields; the edges follow Link semantics."""
    kind = "entity:Person"
    source = Document(page_content="The orchestra rehearsed the symphony", id="src")
    target = Document(page_content="A storm closed the mountain pass", id="dst")
    peer = Document(page_content="The bakery sells fresh bread", id="peer")
    add_links(source, Link.outgoing(kind, "Anna Smith"))
    add_links(target, Link.incoming(kind, "anna smith"))
    add_links(peer, Link.bidir(kind, "ANNA SMITH"))
    for d in (source, target, peer):
        add_link_fields(d)
    assert source.metadata == {"links": [Link.outgoing(kind, "Anna Smith")], "entity:Person@out": ["anna smith"]}
    assert target.metadata["entity:Person@in"] == ["anna smith"] and peer.metadata[kind] == ["anna smith"]
    retriever = _retriever(
        [source, target, peer], graph_retriever_edges([kind]), minilm, start_k=1, select_k=10, max_depth=1
    )
    assert {d.id for d in retriever.invoke("an orchestra rehearsal")} == {
        "src",
        "dst",
        "peer",
    }  # out reaches in and bidir
    assert {d.id for d in retriever.invoke("a storm in the mountains")} == {"dst"}  # in reaches nothing
    assert {d.id for d in retriever.invoke("fresh bread from the bakery")} == {
        "peer",
        "dst",
    }  # bidir reaches in, not out


def test_link_fields_options():
    links = [
        Link.bidir("entity:Person", "José Martí"),
        Link.bidir("entity:Person", "Jose Marti"),
        Link.outgoing("kw", "X"),
    ]
    assert link_fields(links) == {"entity:Person": ["jose marti"], "kw@out": ["x"]}
    assert link_fields(links, fold=False) == {"entity:Person": ["José Martí", "Jose Marti"], "kw@out": ["X"]}
    assert graph_retriever_edges("k", directed=False) == [("k", "k")]
    doc = Document(page_content="x", metadata={"entity:Person": "not a list"})
    add_links(doc, links[0])
    with pytest.raises(TypeError, match="entity:Person"):
        add_link_fields(doc)
