"""StructuredQuery both ways: the parser's through LangChain's own translators, LangChain's into doclinks' stores."""

import warnings

import pytest
from langchain_core.structured_query import Comparator, Comparison, Operation, Operator, StructuredQuery

from doclinks.query.structured import DoclinksTranslator, filter_to_expr
from doclinks.store import InMemoryGraphStore
from doclinks.store.testing.kit import Q, VectorTextEmbeddings, doc, ids, unit

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from langchain_community.query_constructors.chroma import ChromaTranslator
    from langchain_community.query_constructors.pinecone import PineconeTranslator

TODAY = "2026-12-07"


def test_parsed_query_runs_through_langchains_chroma_translator(query_parser):
    parsed = query_parser.parse(
        "Top 3 reports from Google or NASA , not by Maria Rossi , written after 1990 .", today=TODAY
    )
    sq = parsed.to_structured_query(ChromaTranslator())
    assert isinstance(sq, StructuredQuery) and sq.limit == 3 and sq.query == parsed.residual
    query, kwargs = ChromaTranslator().visit_structured_query(sq)
    assert query == parsed.residual
    # Chroma has no $in and no $not: written with $or/$eq and $ne
    assert kwargs == {
        "filter": {
            "$and": [
                {"$or": [{"publisher": {"$eq": "Google"}}, {"publisher": {"$eq": "NASA"}}]},
                {"author": {"$ne": "Maria Rossi"}},
                {"year": {"$gte": 1991}},
            ]
        }
    }


def test_parsed_query_runs_through_pinecones_translator(query_parser):
    parsed = query_parser.parse("Books by Anna Smith , not from the 1990s .", today=TODAY)
    _, kwargs = PineconeTranslator().visit_structured_query(parsed.to_structured_query(PineconeTranslator()))
    assert kwargs == {
        "filter": {
            "$and": [{"author": {"$eq": "Anna Smith"}}, {"$or": [{"year": {"$lt": 1990}}, {"year": {"$gt": 1999}}]}]
        }
    }


def test_nothing_parsed_gives_no_filter(query_parser):
    sq = query_parser.parse("novels about the sea", today=TODAY).to_structured_query()
    assert (sq.query, sq.filter, sq.limit) == ("novels about the sea", None, None)


def _store():
    store = InMemoryGraphStore(VectorTextEmbeddings())
    store.add_documents(
        [
            doc("a", unit(0), year=1994, genre=["comedy", "drama"]),
            doc("b", unit(10), year=1999, genre="western"),
            doc("c", unit(20), year=1980, genre="drama"),
            doc("d", unit(30), year=2005, genre="comedy"),
        ]
    )
    return store


FILTERS = [
    {"year": {"$gte": 1990, "$lte": 1999}},
    {"$and": [{"genre": {"$in": ["comedy", "western"]}}, {"$not": {"year": {"$gt": 2000}}}]},
    {"$or": [{"genre": "drama"}, {"year": {"$lt": 1985}}]},
    {"genre": {"$nin": ["comedy"]}, "year": {"$ne": 1980}},
]


@pytest.mark.parametrize("filter", FILTERS, ids=str)
def test_round_trip_through_structured_query_selects_the_same_chunks(filter):
    store = _store()
    back = filter_to_expr(filter).accept(DoclinksTranslator())
    assert ids(store.similarity_search(Q, k=10, filter=back)) == ids(store.similarity_search(Q, k=10, filter=filter))


def test_langchain_structured_query_into_doclinks():
    sq = StructuredQuery(
        query="funny films",
        filter=Operation(
            operator=Operator.AND,
            arguments=[
                Comparison(comparator=Comparator.CONTAIN, attribute="genre", value="comedy"),
                Comparison(comparator=Comparator.LT, attribute="year", value=2000),
            ],
        ),
        limit=2,
    )
    query, kwargs = DoclinksTranslator().visit_structured_query(sq)
    assert (query, kwargs) == (
        "funny films",
        {"filter": {"$and": [{"genre": {"$eq": "comedy"}}, {"year": {"$lt": 2000}}]}, "k": 2},
    )
    assert ids(_store().similarity_search(Q, **kwargs)) == ["a"]
    date = Comparison(comparator=Comparator.GTE, attribute="day", value={"date": "2020-01-01", "type": "date"})
    assert date.accept(DoclinksTranslator()) == {"day": {"$gte": "2020-01-01"}}
    with pytest.raises(ValueError, match="disallowed comparator"):
        Comparison(comparator=Comparator.LIKE, attribute="genre", value="com%").accept(DoclinksTranslator())


def test_a_filter_a_translator_cannot_write_is_refused():
    with pytest.raises(ValueError, match="does not allow 'or'"):
        filter_to_expr({"genre": {"$in": ["a", "b"]}}, [Comparator.EQ], [Operator.AND])
