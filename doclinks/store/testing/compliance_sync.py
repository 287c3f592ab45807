"""The sync part of the store compliance suite: source records, `replace_sources` and `sync` on every store.

`SyncCompliance` is a mixin of `doclinks.store.testing.compliance.StoreCompliance`: a source edited,
deleted, renamed and changed back to an earlier version; its old chunks and their links gone in the
same transaction as the new ones come in; a failed replace leaves the old version whole.
"""

from __future__ import annotations

import pytest

from ...links import Link
from ..sync import SourceUpdate
from .kit import doc

__all__ = ["SyncCompliance"]


def _version(source: str, *texts: tuple[str, tuple[float, ...], str]) -> list:
    """Documents of one source: (id suffix, vector, tag) each, the tag as a bidir link."""
    return [doc(f"{source}#{suffix}", v, Link.bidir("entity", tag), source=source) for suffix, v, tag in texts]


A1 = _version("a.txt", ("1", (1, 0, 0), "Babbage"), ("2", (0.9, 0.1, 0), "London"))
A2 = _version("a.txt", ("1", (1, 0, 0), "Babbage"), ("3", (0, 1, 0), "Paris"))
B1 = _version("b.txt", ("1", (0, 0, 1), "London"))


def _state(store) -> dict:
    """What a store holds: each chunk's links, and the degree of each tag used."""
    docs = {d.id: sorted(link.tag for link in d.metadata.get("links", [])) for d in store.iter_documents()}
    return docs


class SyncCompliance:
    """Source records and sync (see the module docstring)."""

    def test_sync_skips_unchanged_sources_and_replaces_changed_ones(self, make_store):
        store = make_store()
        first = store.sync(A1 + B1)
        assert (first.num_added, first.num_skipped, first.num_deleted) == (3, 0, 0)
        assert first.sources_added == ["a.txt", "b.txt"]
        again = store.sync(A1 + B1)
        assert (again.num_added, again.num_updated, again.num_skipped, again.num_deleted) == (0, 0, 3, 0)
        assert again.sources_unchanged == ["a.txt", "b.txt"]
        edited = store.sync(A2)  # a.txt edited: chunk 1 kept, 2 out, 3 in; b.txt untouched (incremental)
        assert (edited.num_added, edited.num_skipped, edited.num_deleted) == (1, 1, 1)
        assert edited.sources_updated == ["a.txt"]
        assert _state(store) == {"a.txt#1": ["Babbage"], "a.txt#3": ["Paris"], "b.txt#1": ["London"]}
        assert store.tag_degrees([("entity", "London"), ("entity", "Paris")]) == {
            ("entity", "London"): 1,
            ("entity", "Paris"): 1,
        }
        record = store.source_records(["a.txt"])["a.txt"]
        assert record.chunk_ids == ("a.txt#1", "a.txt#3")

    def test_changing_back_to_an_earlier_version_restores_it(self, make_store):
        store = make_store()
        store.sync(A1)
        store.sync(A2)
        back = store.sync(A1)
        assert (back.num_added, back.num_deleted, back.sources_updated) == (1, 1, ["a.txt"])
        assert _state(store) == {"a.txt#1": ["Babbage"], "a.txt#2": ["London"]}

    def test_full_cleanup_deletes_the_sources_not_given_and_a_rename_moves_the_chunks(self, make_store):
        store = make_store()
        store.sync(A1 + B1)
        renamed = _version("c.txt", ("1", (0, 0, 1), "London"))  # b.txt renamed c.txt
        result = store.sync(A1 + renamed, cleanup="full")
        assert result.sources_deleted == ["b.txt"] and result.sources_added == ["c.txt"] and result.num_deleted == 1
        assert sorted(_state(store)) == ["a.txt#1", "a.txt#2", "c.txt#1"]
        assert sorted(store.source_records()) == ["a.txt", "c.txt"]

    def test_delete_sources_removes_chunks_links_and_record(self, make_store):
        store = make_store()
        store.sync(A1 + B1)
        removed = store.delete_sources(["a.txt", "never.txt"])
        assert sorted(d.id for d in removed) == ["a.txt#1", "a.txt#2"]
        assert sorted(_state(store)) == ["b.txt#1"] and sorted(store.source_records()) == ["b.txt"]
        assert store.tag_degrees([("entity", "Babbage"), ("entity", "London")]) == {
            ("entity", "Babbage"): 0,
            ("entity", "London"): 1,
        }

    def test_sources_under_a_prefix_are_matched_exactly(self, make_store):
        store = make_store()
        docs = [doc(None, (1, 0, 0), source=s) for s in ("/d/x_1/a", "/d/x%1/b", "/d/xy/c", "/e/a")]
        store.sync(docs)
        assert store.sources_under("/d/x_1/") == ["/d/x_1/a"]  # "_" and "%" are no wildcards
        assert store.sources_under("/d/") == ["/d/x%1/b", "/d/x_1/a", "/d/xy/c"]

    def test_a_failed_replace_changes_nothing(self, make_store):
        store = make_store()
        store.sync(A1)
        before = _state(store), store.source_records()
        bad = SourceUpdate("a.txt", "h2", ["a.txt#9"], [doc("a.txt#9", (1, 0), source="a.txt")])  # 2 dimensions, not 3
        with pytest.raises(ValueError, match="dimension"):
            store.replace_sources([bad], delete=["b.txt"], settings={"pending": "x"})
        assert (_state(store), store.source_records()) == before
        assert store.get_setting("pending") is None
        assert len(store) == 2 and [d.id for d in store.similarity_search("v:1,0,0", k=2)] == ["a.txt#1", "a.txt#2"]

    def test_replace_sources_writes_settings_in_the_same_transaction(self, make_store):
        store = make_store()
        store.sync(A1)
        store.replace_sources([SourceUpdate("a.txt", "h2", [d.id for d in A2], A2)], settings={"pending": "[1]"})
        assert store.get_setting("pending") == "[1]" and store.source_records()["a.txt"].content_hash == "h2"

    def test_sync_refuses_what_it_cannot_group(self, make_store):
        store = make_store()
        with pytest.raises(ValueError, match="cleanup must be one of"):
            store.sync(A1, cleanup="sometimes")
        with pytest.raises(ValueError, match=r"document 0: no str metadata\['path'\]"):
            store.sync(A1, source_key="path")
        with pytest.raises(ValueError, match="given twice"):
            store.replace_sources([SourceUpdate("a", "h", []), SourceUpdate("a", "h", [])])
        with pytest.raises(ValueError, match="no id among the source's chunk_ids"):
            store.replace_sources([SourceUpdate("a", "h", ["x"], [doc("y", (1, 0, 0))])])
        assert len(store) == 0 and store.source_records() == {}

    def test_a_sync_with_nothing_changed_writes_nothing(self, make_store):
        store = make_store()
        store.sync(A1 + B1)
        before = (_state(store), store.source_records())
        result = store.sync(A1 + B1)
        assert result.sources_unchanged == ["a.txt", "b.txt"] and store.replace_sources([]) == []
        assert (_state(store), store.source_records()) == before
