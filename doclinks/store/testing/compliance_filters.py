"""The filter part of the store compliance suite: the operators of `doclinks.store.filters` on every store.

`FilterCompliance` is a mixin of `doclinks.store.testing.compliance.StoreCompliance`. Each chunk is
placed at a known angle from the query, so every filtered search has one exact answer.
"""

from __future__ import annotations

import pytest

from ...links import Link
from .kit import Q, doc, ids, unit

__all__ = ["FilterCompliance"]


def _catalogue():
    """Five chunks, nearest first: typed values, list values, a number written as a string, gaps."""
    return [
        doc(
            "a",
            unit(0),
            Link.bidir("k", "x"),
            year=1994,
            price=12.5,
            genre=["comedy", "drama"],
            lang="en",
            date="2020-03-01",
            ok=True,
        ),
        doc("b", unit(10), year=1999, price=30, genre="western", lang="fr", date="2021-12-31"),
        doc("c", unit(20), Link.bidir("k", "x"), year=1980, price=8, genre=["drama"], lang="en", date="2019-01-01"),
        doc("d", unit(30), Link.bidir("k", "x"), year=2005, genre="comedy", lang="it"),
        doc("e", unit(40), year="1990", price=None, lang="EN"),
    ]


#: (filter, the ids it selects, nearest first)
CASES = [
    ({"year": {"$gte": 1990, "$lt": 2000}}, "ab"),  # e's "1990" is a string: not compared with numbers
    ({"year": {"$gt": 1994}}, "bd"),
    ({"year": {"$lte": 1994}}, "ac"),
    ({"year": {"$lt": 1994.0}}, "c"),
    ({"price": {"$lt": 20}}, "ac"),
    ({"price": {"$gte": 30}}, "b"),  # 30 == 30.0
    ({"date": {"$gte": "2020-01-01"}}, "ab"),  # strings compare by code point: ISO dates as dates
    ({"date": {"$lt": "2020"}}, "c"),
    ({"year": {"$gte": "1990"}}, "e"),
    ({"genre": {"$eq": "drama"}}, "ac"),
    ({"genre": {"$in": ["comedy", "western"]}}, "abd"),
    ({"genre": {"$in": []}}, ""),
    ({"genre": {"$nin": ["comedy"]}}, "bce"),  # no genre at all: not comedy
    ({"genre": {"$nin": []}}, "abcde"),
    ({"genre": {"$ne": "drama"}}, "bde"),
    ({"lang": {"$ne": "en"}}, "bde"),  # case matters: "EN" is not "en"
    ({"ok": {"$ne": True}}, "bcde"),
    ({"price": {"$eq": None}}, "e"),
    ({"$or": [{"lang": "fr"}, {"year": {"$lt": 1985}}]}, "bc"),
    ({"$and": [{"lang": "en"}, {"genre": "drama"}]}, "ac"),
    ({"$not": {"lang": "en"}}, "bde"),
    ({"year": {"$not": {"$gte": 1990}}}, "ce"),
    ({"lang": "en", "year": {"$gt": 1990}}, "a"),
    ({"$or": [{"$and": [{"lang": "en"}, {"year": {"$gt": 1990}}]}, {"genre": {"$in": ["western"]}}]}, "ab"),
    ({"$and": [{"year": {"$gt": 1985}}, {"$not": {"$or": [{"genre": "comedy"}, {"lang": "fr"}]}}]}, ""),
    ({"$or": [{}, {"lang": "fr"}]}, "abcde"),  # an empty filter matches everything
    ({"lang": "en", "genre": "drama", "year": 1980}, "c"),  # plain equality, as before
]


class FilterCompliance:
    """Mixin: the filter operators (needs `make_store` from `StoreCompliance`)."""

    @pytest.mark.parametrize("filter, expected", CASES, ids=[str(c[0]) for c in CASES])
    def test_filter_operators(self, make_store, filter, expected):
        store = make_store()
        store.add_documents(_catalogue())
        assert ids(store.similarity_search(Q, k=10, filter=filter)) == list(expected)

    def test_filters_hold_for_neighbours_and_entity_seeds(self, make_store):
        store = make_store()
        store.add_documents(_catalogue())
        older = {"year": {"$lt": 2000}}
        # a is the root; of its neighbours through ("k", "x"), c is before 2000 and d is not.
        got = store.traversal_search(Q, k=1, depth=1, filter=older)
        assert ids(got) == ["a", "c"]
        got = store.traversal_search(Q, k=1, depth=1, filter={"year": {"$nin": [1980]}})
        assert ids(got) == ["a", "d"]
        # entity-seeded roots (chunks carrying ("k", "x")) are filtered, too
        seeded = store.traversal_search(
            Q,
            k=0,
            depth=0,
            entity_k=5,
            query_links=[("k", "x")],
            query_entities=False,
            filter={"genre": {"$ne": "comedy"}},
        )
        assert ids(seeded) == ["c"]
        ppr = store.ppr_search(
            Q,
            k=5,
            query_entities=False,
            query_links=[("k", "x")],
            filter={"$or": [{"year": {"$gt": 2000}}, {"price": {"$lt": 10}}]},
        )
        assert sorted(ids(ppr)) == ["c", "d"]

    def test_bad_operators_give_clear_errors(self, make_store):
        store = make_store()
        store.add_documents(_catalogue())
        bad = [
            ({"year": {"$between": [1, 2]}}, ValueError, r"unknown filter operator '\$between' for 'year'"),
            ({"$nor": [{"a": 1}]}, ValueError, r"unknown filter operator '\$nor'"),
            ({"$and": []}, ValueError, r"\$and takes a non-empty list"),
            ({"$or": {"a": 1}}, ValueError, r"\$or takes a non-empty list"),
            ({"year": {}}, ValueError, "empty operator dict"),
            ({"genre": {"$in": "comedy"}}, TypeError, r"\$in value for 'genre' must be a list"),
            ({"genre": {"$nin": [["x"]]}}, TypeError, r"\$nin item for 'genre'"),
            ({"year": {"$gt": None}}, TypeError, r"\$gt value for 'year' must be a number or a str"),
            ({"year": {"$lt": True}}, TypeError, r"\$lt value"),
            ({"year": {"$gte": float("nan")}}, ValueError, "finite"),
            ({"year": {"$eq": [1994]}}, TypeError, r"\$eq value for 'year'"),
            ({"$and": ["year"]}, TypeError, r"each filter of \$and must be a dict"),
        ]
        for filter, error, message in bad:
            with pytest.raises(error, match=message):
                store.similarity_search(Q, filter=filter)
        assert len(store) == 5

    def test_operator_values_are_plain_data(self, make_store):
        store = make_store()
        evil = "'; DROP TABLE chunk_meta; --"
        store.add_documents([doc("a", unit(0), **{evil: evil, "n": 1}), doc("b", unit(10), **{evil: "z", "n": 2})])
        assert ids(store.similarity_search(Q, k=5, filter={evil: {"$gte": evil, "$lt": "a"}})) == ["a"]
        assert ids(store.similarity_search(Q, k=5, filter={evil: {"$in": [evil, "%s", "?"]}})) == ["a"]
        assert ids(store.similarity_search(Q, k=5, filter={"n": {"$gt": 1}})) == ["b"]
        assert len(store) == 2

    def test_distinct_metadata_values(self, make_store):
        store = make_store()
        assert store.distinct_metadata_values("genre") == []
        store.add_documents(_catalogue())
        assert store.distinct_metadata_values("genre") == ["comedy", "drama", "western"]  # list items too
        assert store.distinct_metadata_values("lang") == ["EN", "en", "fr", "it"]  # strings only, code point order
        assert store.distinct_metadata_values("year") == ["1990"]
        assert store.distinct_metadata_values("genre", limit=1) == ["comedy"]
        assert store.distinct_metadata_values("missing") == []
        store.delete(["b"])
        assert store.distinct_metadata_values("genre") == ["comedy", "drama"]
