"""LangChain's GLiNERLinkExtractor + GraphVectorStore example, run with only the imports changed.

The example (``langchain_community.graph_vectorstores.extractors.GLiNERLinkExtractor`` and the
``langchain_community.graph_vectorstores`` module docs), with LangChain's imports::

    from langchain_community.document_loaders import TextLoader
    from langchain_community.graph_vectorstores import CassandraGraphVectorStore
    from langchain_community.graph_vectorstores.extractors import GLiNERLinkExtractor, LinkExtractorTransformer
    from langchain_text_splitters import CharacterTextSplitter

Here the store and the extractors are doclinks' (below); every other line is the example's. The text
is a few short paragraphs (a small state_of_the_union.txt), the NER model doclinks' shipped default,
the embedder doclinks' default (`default_models` fixture: one torch thread).
"""

from __future__ import annotations

import asyncio
import warnings

import pytest

pytest.importorskip("langchain_core")
pytest.importorskip("langchain_community")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # langchain-community is being sunset
    from langchain_community.document_loaders import TextLoader
from langchain_core.documents import Document
from langchain_text_splitters import CharacterTextSplitter

from doclinks.links import GLiNERLinkExtractor, LinkExtractorTransformer
from doclinks.store import SQLiteGraphStore as CassandraGraphVectorStore

PARAGRAPHS = [
    "President Zelenskyy thanked the people of Ukraine, who stood up to Vladimir Putin.",
    "Vladimir Putin sent troops to the border and NATO answered in Brussels.",
    "I nominated Judge Ketanji Brown Jackson to serve on the Supreme Court.",
    "The Supreme Court upholds the rights of every American.",
    "Farmers in Iowa brought in a good harvest this year.",
]
QUESTION = "What did the president say about Ketanji Brown Jackson?"


async def example(path, embeddings):
    """The example's lines, as they are (the embedder is its ``embedding=...``); returns what it made."""
    loader = TextLoader(path)
    raw_documents = loader.load()

    text_splitter = CharacterTextSplitter(chunk_size=100, chunk_overlap=0)
    documents = text_splitter.split_documents(raw_documents)

    ner_extractor = GLiNERLinkExtractor(["Person", "Organization", "Location"])
    transformer = LinkExtractorTransformer([ner_extractor])
    documents = transformer.transform_documents(documents)

    store = CassandraGraphVectorStore.from_documents(documents=documents, embedding=embeddings)

    similar = store.similarity_search("What did the president say about Ketanji Brown Jackson?")
    traversed = list(store.traversal_search("What did the president say about Ketanji Brown Jackson?"))
    iterated = [doc async for doc in store.atraversal_search("What did the president say about Ketanji Brown Jackson?")]

    retriever = store.as_retriever(search_type="mmr_traversal")
    retrieved = retriever.invoke("What did the president say about Ketanji Brown Jackson?")
    return documents, store, similar, traversed, iterated, retrieved


def test_example_runs_with_only_the_imports_changed(default_models, tmp_path):
    (tmp_path / "state_of_the_union.txt").write_text("\n\n".join(PARAGRAPHS), encoding="utf-8")
    documents, store, similar, traversed, iterated, retrieved = asyncio.run(
        example(str(tmp_path / "state_of_the_union.txt"), default_models[1])
    )

    assert [d.page_content for d in documents] == PARAGRAPHS  # one chunk per paragraph
    judge = documents[2]
    assert judge.metadata["source"].endswith("state_of_the_union.txt")
    assert {(l.kind, l.tag) for l in judge.metadata["links"]} >= {("entity:Person", "Ketanji Brown Jackson"),
                                                                  ("entity:Organization", "Supreme Court")}  # fmt: skip
    assert store.semantics == "langchain" and len(store) == 5  # from_documents: LangChain's behaviour
    assert all(isinstance(d, Document) for d in similar + traversed + iterated + retrieved)
    assert similar[0].page_content == PARAGRAPHS[2] and len(similar) == 4
    assert all(set(d.metadata) == {"source", "links", "entities"} for d in similar)  # stored metadata only
    assert [(d.id, d.metadata["_depth"]) for d in iterated] == [(d.id, d.metadata["_depth"]) for d in traversed]
    assert len(retrieved) == 4 and retrieved[0].page_content == PARAGRAPHS[2]
    # The link at work: from the one root on the judge, the Supreme Court paragraph, through its tag.
    (root, court) = store.traversal_search(QUESTION, k=1)
    assert root.page_content == PARAGRAPHS[2] and court.page_content == PARAGRAPHS[3]
    assert court.metadata["_via"] == [("entity:Organization", "Supreme Court")]
    store.close()
