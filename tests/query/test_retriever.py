"""GLiNERSelfQueryRetriever on the three stores (small test model, the default MiniLM embedder)."""

import asyncio
import itertools

import pytest

from doclinks.document import Document
from doclinks.embeddings import default_embeddings
from doclinks.links import Link
from doclinks.query import GLiNERSelfQueryRetriever
from doclinks.query.parsed import Constraint
from doclinks.query.relax import relaxations
from doclinks.store import InMemoryGraphStore, SQLiteGraphStore

from .conftest import FIELDS

BOOKS = [  # (id, text, author, city, publisher, year)
    ("b1", "A novel about the sea and a lighthouse keeper.", "Anna Smith", "Paris", ["NASA"], 1994),
    ("b2", "Letters about mountains, glaciers and winter.", "Anna Smith", "Kyōto", ["Google"], 1999),
    ("b3", "A history of rockets and space flight.", "John Garcia", "Lima", ["NASA", "Oxfam"], 1987),
    ("b4", "Poems about the sea, the tide and fishermen.", "Maria Rossi", "Paris", ["Oxfam"], 2005),
    ("b5", "A cookbook of mountain villages.", "Pierre Moreau", "Geneva", ["Google"], 2012),
    ("b6", "Essays on the sea, ships and harbours.", "John Garcia", "Geneva", ["Google"], 1975),
]
_names = itertools.count()


@pytest.fixture(scope="module")
def embedder():
    return default_embeddings()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request, tmp_path, embedder):
    if request.param == "memory":
        s = InMemoryGraphStore(embedder)
    elif request.param == "sqlite":
        s = SQLiteGraphStore(tmp_path / "books.db", embedder)
    else:
        from doclinks.store import PostgresGraphStore, PostgresSettings

        s = PostgresGraphStore(request.getfixturevalue("pg_dsn"), embedder,
                               None, PostgresSettings(collection=f"q{next(_names)}"))  # fmt: skip
    s.add_documents([Document(text, {"author": a, "city": c, "publisher": p, "year": y,
                                     "links": [Link.bidir("entity:Person", a)]}, i)
                     for i, text, a, c, p, y in BOOKS])  # fmt: skip
    yield s
    s.close()


def retriever(store, model, **kwargs):
    return GLiNERSelfQueryRetriever.from_store(store, model, FIELDS, "short books", today="2026-12-07", **kwargs)


def test_a_query_with_nothing_to_parse_is_a_plain_search(store, small_ner_model):
    r = retriever(store, small_ner_model, k=3)
    for q in ("novels about the sea", "", "mountains"):
        got = r.invoke(q)
        plain = store.similarity_search(q, k=3)
        assert [(d.id, d.page_content, d.metadata) for d in got] == [(d.id, d.page_content, d.metadata) for d in plain]


def test_strict_mode_filters_by_the_parsed_constraints(store, small_ner_model):
    r = retriever(store, small_ner_model, k=5)
    result = r.search("Books by Anna Smith written after 1990 .")
    assert result.filter == {"$and": [{"author": {"$eq": "Anna Smith"}}, {"year": {"$gte": 1991}}]}
    assert sorted(d.id for d in result.documents) == ["b1", "b2"]
    assert result.relaxed == []
    docs = r.invoke("Books by John Garcia , not published by Google .")
    assert [d.id for d in docs] == ["b3"]


def test_soft_mode_relaxes_in_order_and_says_so(store, small_ner_model):
    q = "Books by Maria Rossi written in Kyoto ."
    strict = retriever(store, small_ner_model, k=2)
    assert strict.invoke(q) == []  # nobody wrote in Kyōto but Anna Smith
    soft = retriever(store, small_ner_model, k=2, mode="soft", min_results=1)
    result = soft.search(q)
    assert result.documents and result.relaxed
    first = min(result.parsed.constraints, key=lambda c: c.score)
    assert result.relaxed[0].startswith(f"dropped {first.field} eq")
    docs = soft.invoke(q)
    assert docs and docs[0].metadata["_relaxed"] == result.relaxed


def test_limit_and_async(store, small_ner_model):
    r = retriever(store, small_ner_model, k=4, enable_limit=True)
    assert len(r.invoke("Top 2 books published by Google")) == 2
    q = "Books by Anna Smith written after 1990 ."
    assert [d.id for d in asyncio.run(r.ainvoke(q))] == [d.id for d in r.invoke(q)]


def test_bad_settings_are_refused(small_ner_model):
    store = InMemoryGraphStore()
    with pytest.raises(ValueError, match="search_type must be one of"):
        retriever(store, small_ner_model, search_type="hybrid")
    with pytest.raises(ValueError, match="mode must be 'strict' or 'soft'"):
        retriever(store, small_ner_model, mode="loose")


def _c(field, type, op, value, score, start):
    return Constraint(field, type, op, value, start, start + 1, start, start + 1, score, field)


def test_relaxation_order_widens_ranges_before_dropping_them():
    year = _c("year", "integer", "between", [1990, 1999], 0.6, 0)
    author = _c("author", "string", "eq", "Anna Smith", 0.9, 10)
    price = _c("price", "float", "lt", 20.0, 0.7, 20)
    steps = list(relaxations([author, year, price]))
    assert [s.change for s in steps] == [
        "widened year between [1990, 1999] to [1985, 2004]",
        "dropped year between [1985, 2004]",
        "widened price lt 20.0 to 30.0",
        "dropped price lt 30.0",
        "dropped author eq 'Anna Smith'; its values seed an entity search",
    ]
    assert [len(s.constraints) for s in steps] == [3, 2, 2, 1, 0]
    assert steps[-1].seeds == ("Anna Smith",)
    assert steps[-1].steps == tuple(s.change for s in steps)
