"""The reads the command line makes, part of the store compliance suite: every chunk in insertion order,
tag degrees, the store's settings, its tags and the chunks that carry them, metadata values.

`ReadCompliance` is a mixin of `doclinks.store.testing.compliance.StoreCompliance` (which brings the
``make_store`` fixture); see there how a backend runs the suite.
"""

from __future__ import annotations

import pytest

from ...links import Link
from ..errors import StoreClosedError
from ..settings import TraversalSettings
from .kit import doc, ids, unit

__all__ = ["ReadCompliance"]


class ReadCompliance:
    """The command line's reads every store answers the same way (a mixin of `StoreCompliance`)."""

    # ------------------------------------------------------------- reads for the command line
    def test_iter_documents_gives_every_chunk_in_insertion_order(self, make_store):
        store = make_store()
        assert list(store.iter_documents()) == []
        store.add_documents([doc(i, unit(10 * n), Link.bidir("k", f"t{n % 2}"), n=n) for n, i in enumerate("abcde")])
        store.add_documents([doc("c", unit(3), Link.incoming("k", "new"), n=9)])  # replaced: keeps its place
        store.delete(["b"])
        store.add_documents([doc("f", unit(60))])
        for batch_size in (1, 2, 1000):
            got = list(store.iter_documents(batch_size=batch_size))
            assert ids(got) == ["a", "c", "d", "e", "f"]
            assert [(d.page_content, d.metadata) for d in got] == [
                (d.page_content, d.metadata) for d in store.get_by_ids(ids(got))
            ]
        assert got[1].metadata == {"n": 9, "links": [Link.incoming("k", "new")]}
        with pytest.raises(ValueError, match="batch_size"):
            list(store.iter_documents(batch_size=0))

    def test_iter_documents_reads_one_batch_at_a_time(self, make_store):
        store = make_store()
        store.add_documents([doc(f"d{i:02d}", unit(i)) for i in range(10)])
        chunks = store.iter_documents(batch_size=4)
        assert [next(chunks).id for _ in range(4)] == ["d00", "d01", "d02", "d03"]
        store.add_documents([doc("late", unit(50))])  # a write between batches is fine, and may be seen
        rest = ids(chunks)
        assert rest[:6] == [f"d{i:02d}" for i in range(4, 10)] and rest[6:] in ([], ["late"])
        again = store.iter_documents(batch_size=4)
        next(again)
        store.close()
        with pytest.raises(StoreClosedError):
            list(again)

    def test_tag_degrees_count_the_incoming_side(self, make_store):
        long_tag = "T" + "x" * 3000  # longer than an index entry holds: indexed by a digest
        store = make_store()
        store.add_documents(
            [
                doc("a", unit(0), Link.bidir("k", "t"), Link.outgoing("href", "p"), Link.bidir("k", long_tag)),
                doc("b", unit(10), Link.bidir("k", "t"), Link.incoming("href", "p"), Link.bidir("k", long_tag)),
                doc("c", unit(20), Link.incoming("k", "t"), Link.outgoing("k", "only_out")),
            ]
        )
        asked = [("k", "t"), ("href", "p"), ("k", "only_out"), ("k", long_tag), ("k", "unknown"), ("other", "t")]
        assert store.tag_degrees(asked) == {("k", "t"): 3, ("href", "p"): 1, ("k", "only_out"): 0, ("k", long_tag): 2,
                                            ("k", "unknown"): 0, ("other", "t"): 0}  # fmt: skip
        store.delete(["b"])
        assert store.tag_degrees([("k", "t"), ("k", long_tag), ("k", "t")]) == {("k", "t"): 2, ("k", long_tag): 1}
        assert store.tag_degrees([]) == {}
        with pytest.raises(TypeError, match="kind, tag"):
            store.tag_degrees(["k:t"])

    def test_settings_are_kept_with_the_store(self, make_store):
        store = make_store()
        store.add_documents([doc("a", unit(0))])
        assert store.get_setting("tag_policy") is None
        store.set_setting("tag_policy", "merge")
        store.set_setting("tag_policy", "no-merge")
        assert store.get_setting("tag_policy") == "no-merge" and store.get_setting("other") is None
        assert [d.id for d in store.iter_documents()] == ["a"]  # a setting is not a chunk
        with pytest.raises(TypeError):
            store.set_setting("tag_policy", 3)

    def test_tags_and_the_documents_that_carry_them(self, make_store):
        store = make_store()
        assert store.tags() == [] and store.documents_with_tags([("k", "t")]) == []
        store.add_documents(
            [
                doc("a", unit(0), Link.bidir("k", "t"), Link.outgoing("href", "p")),
                doc("b", unit(10), Link.bidir("k", "u"), Link.incoming("href", "p")),
                doc("c", unit(20), Link.outgoing("k", "only_out")),
                doc("d", unit(30)),
            ]
        )
        assert set(store.tags()) == {("k", "t"), ("href", "p"), ("k", "u"), ("k", "only_out")}
        assert ids(store.documents_with_tags([("href", "p")])) == ["a", "b"]  # either side, insertion order
        assert ids(store.documents_with_tags([("k", "only_out"), ("k", "u"), ("k", "nope")])) == ["b", "c"]
        got = store.documents_with_tags([("k", "t")])
        assert [(d.page_content, d.metadata) for d in got] == [
            (d.page_content, d.metadata) for d in store.get_by_ids(["a"])
        ]
        assert store.tag_count() == 4
        store.delete(["a"])
        assert ids(store.documents_with_tags([("k", "t"), ("href", "p")])) == ["b"]
        # Counted are the tags some chunk carries: ("k", "t") no more; ("k", "u") gone when "b" is rewritten.
        assert store.tag_count() == 3
        store.add_documents([doc("b", unit(10), Link.bidir("k", "v"), Link.incoming("href", "p"))])
        assert store.tag_count() == 3 and ("k", "v") in store.tags()
        assert store.documents_with_tags([]) == []
        with pytest.raises(TypeError, match="kind, tag"):
            store.documents_with_tags(["k:t"])

    def test_stored_ids_metadata_values_and_degree_limit(self, make_store):
        store = make_store(settings=TraversalSettings(max_tag_degree=50, max_tag_share=0.5, min_hub_degree=2))
        assert store.stored_ids(["a"]) == set() and store.metadata_values(["a"], "x") == {}
        store.add_documents([doc("a", unit(0), ner_labels=["Person", "Place"]), doc("b", unit(10), ner_labels=[]),
                             doc("c", unit(20), source="x")])  # fmt: skip
        assert store.stored_ids(["c", "nope", "a", "a"]) == {"a", "c"}
        assert store.metadata_values(["a", "b", "c", "nope"], "ner_labels") == {
            "a": ["Person", "Place"],
            "b": [],
            "c": None,
        }
        assert store.metadata_values(["c"], "source") == {"c": "x"}
        assert store.degree_limit() == 2  # max(2, floor(0.5 * 3))
        store.add_documents([doc(f"x{i}", unit(30 + i)) for i in range(7)])
        assert store.degree_limit() == 5
        with pytest.raises(TypeError, match="ids"):
            store.stored_ids("a")
