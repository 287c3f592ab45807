"""A store kept in sync with a folder of real files (`doclinks.source_sync`), on all three stores, with a
real (small) NER model: after every change (edit, delete, rename, a file changed back to an earlier
version) the synced store equals one built fresh from the folder as it now is: the same chunks, links
and entity records, tag merges included."""

from __future__ import annotations

import itertools
import os

import pytest

from doclinks.pipeline import IngestSettings
from doclinks.source_sync import PENDING_TAGS, remove_from_store, sync_paths
from doclinks.store import InMemoryGraphStore, SQLiteGraphStore
from doclinks.store.testing.kit import HashingEmbeddings

LABELS = ["person", "location"]
_collections = itertools.count()


@pytest.fixture
def extractor(small_ner_model):
    from doclinks.links import GLiNERLinkExtractor

    return GLiNERLinkExtractor(LABELS, model=small_ner_model, min_link_score=None)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def new_store(request, tmp_path):
    made = []

    def make():
        if request.param == "memory":
            store = InMemoryGraphStore(embedding=HashingEmbeddings())
        elif request.param == "sqlite":
            store = SQLiteGraphStore(tmp_path / f"s{len(made)}.db", embedding=HashingEmbeddings())
        else:
            from doclinks.store import PostgresGraphStore, PostgresSettings

            dsn = request.getfixturevalue("pg_dsn")
            store = PostgresGraphStore(
                dsn, HashingEmbeddings(), postgres=PostgresSettings(collection=f"sync{next(_collections)}")
            )
        made.append(store)
        return store

    yield make
    for s in made:
        s.close()


def state(store) -> dict:
    """Each chunk: its text, its links, and its entity records' tags."""
    out = {}
    for d in store.iter_documents():
        links = sorted((link.kind, link.direction, link.tag) for link in d.metadata.get("links", []))
        records = sorted((r["text"], r.get("tag"), r.get("merged_from")) for r in d.metadata.get("entities") or [])
        out[d.id] = (d.page_content, links, records, d.metadata["source"])
    return out


def write(folder, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        path = folder / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def settings() -> IngestSettings:
    return IngestSettings(labels=LABELS, batch_size=2, contrast_labels=None)


def check_equals_fresh(store, new_store, folder, extractor) -> None:
    fresh = new_store()
    sync_paths(fresh, [folder], settings(), chunk_size=40, extractor=extractor)
    assert state(store) == state(fresh)
    assert store.tag_count() == fresh.tag_count()


def test_edits_deletes_renames_and_a_change_back_keep_the_store_equal_to_a_fresh_ingest(new_store, tmp_path, extractor):
    folder = tmp_path / "docs"
    write(folder, {
        "a.txt": "Ada Lovelace visited Paris.\n\nAlan Turing visited New York City.",
        "b.txt": "Lovelace visited Rome.\n\nGrace Hopper visited Berlin.",
        "sub/c.txt": "Alan Turing visited York.",
    })  # fmt: skip
    store = new_store()
    first = sync_paths(store, [folder], settings(), chunk_size=40, extractor=extractor)
    assert (len(first.sources_added), first.new_chunks) == (3, 5)
    check_equals_fresh(store, new_store, folder, extractor)

    # Unchanged: nothing read, nothing extracted (no extractor at all: it would have to load the model).
    again = sync_paths(store, [folder], settings(), chunk_size=40, extractor=object())
    assert (again.chunks, again.new_chunks, again.sources_added, again.sources_updated) == (0, 0, [], [])

    # Edit: a.txt's first paragraph changes; its second chunk is kept as stored, the first replaced.
    write(folder, {"a.txt": "Ada Lovelace visited London.\n\nAlan Turing visited New York City."})
    edited = sync_paths(store, [folder], settings(), chunk_size=40, extractor=extractor)
    assert (edited.sources_updated, edited.new_chunks, edited.skipped_chunks, edited.deleted_chunks) == (
        [str((folder / "a.txt").resolve())], 1, 1, 1)  # fmt: skip
    check_equals_fresh(store, new_store, folder, extractor)

    # Delete a.txt (and with it "Ada Lovelace", the tag "Lovelace" merged into) and rename c.txt.
    os.rename(folder / "sub" / "c.txt", folder / "c2.txt")
    write(folder, {"a.txt": None})
    pruned = sync_paths(store, [folder], settings(), chunk_size=40, prune=True, extractor=extractor)
    assert sorted(os.path.basename(s) for s in pruned.sources_deleted) == ["a.txt", "c.txt"]
    assert [os.path.basename(s) for s in pruned.sources_added] == ["c2.txt"]
    check_equals_fresh(store, new_store, folder, extractor)

    # b.txt changes, then changes back to its first version.
    write(folder, {"b.txt": "Grace Hopper visited Berlin."})
    sync_paths(store, [folder], settings(), chunk_size=40, extractor=extractor)
    write(folder, {"b.txt": "Lovelace visited Rome.\n\nGrace Hopper visited Berlin."})
    back = sync_paths(store, [folder], settings(), chunk_size=40, extractor=extractor)
    # Both chunks are new: a chunk's id holds its place in the file, and Berlin's moved from 0 to 1.
    assert (back.new_chunks, back.deleted_chunks, len(back.sources_updated)) == (2, 1, 1)
    check_equals_fresh(store, new_store, folder, extractor)
    assert store.get_setting(PENDING_TAGS) == "[]"


def test_prune_touches_only_vanished_files_under_the_folders_given(new_store, tmp_path, extractor):
    one, other = tmp_path / "one", tmp_path / "one_more"  # a sibling whose name starts like the folder's
    write(one, {"a.txt": "Ada Lovelace visited Paris.", "b.txt": "Grace Hopper visited Berlin."})
    write(other, {"c.txt": "Alan Turing visited Rome."})
    store = new_store()
    sync_paths(store, [one, other], settings(), extractor=extractor)
    write(one, {"b.txt": None})
    write(other, {"c.txt": None})
    report = sync_paths(store, [one], settings(), prune=True, extractor=extractor)
    assert report.sources_deleted == [str((one / "b.txt").resolve())]
    assert sorted(os.path.basename(s) for s in store.source_records()) == ["a.txt", "c.txt"]  # c.txt: not under "one"


def test_delete_by_source_and_by_id(new_store, tmp_path, extractor):
    folder = tmp_path / "docs"
    write(
        folder, {"a.txt": "Ada Lovelace visited Paris.\n\nAlan Turing visited Rome.", "b.txt": "Lovelace visited Rome."}
    )
    store = new_store()
    sync_paths(store, [folder], settings(), chunk_size=40, extractor=extractor)
    a = str((folder / "a.txt").resolve())
    first, second = store.source_records([a])[a].chunk_ids
    report = remove_from_store(store, ids=[second])
    assert report.chunks == 1 and store.source_records([a])[a].chunk_ids == (first,)
    # The file is unchanged: the next ingest leaves it (and the deleted chunk) alone.
    assert sync_paths(store, [folder], settings(), chunk_size=40, extractor=object()).new_chunks == 0
    assert not store.stored_ids([second])
    removed = remove_from_store(store, sources=[a])
    assert removed.chunks == 1 and sorted(store.source_records()) == [str((folder / "b.txt").resolve())]
    from doclinks.store import UnknownIdError

    with pytest.raises(UnknownIdError):
        remove_from_store(store, ids=["no-such-id"])
