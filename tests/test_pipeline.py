"""`doclinks.pipeline`: ingest as a library, on a real store and a real (small) NER model.

The incremental tag normalisation after each batch must give the tags the full pass gives (today's
rule before incremental runs: undo every merge, normalise the whole store after every ingest).
"""

from __future__ import annotations

import pytest

from doclinks.pipeline import TAG_POLICY, IngestSettings, ingest_chunks, normalize_store
from doclinks.sources import Chunk
from doclinks.store import InMemoryGraphStore, SQLiteGraphStore
from doclinks.store.testing.kit import HashingEmbeddings

BATCHES = [
    ["Alan Turing visited New York City with Ada Lovelace.", "Grace Hopper visited Berlin.",
     "Ada Lovelace visited Paris."],
    ["Alan Turing visited York.", "Grace Hopper visited New York City.", "Ada Lovelace visited London."],
    ["Grace Hopper visited York.", "Alan Turing visited Rome with Grace Hopper.", "Ada Lovelace visited Berlin."],
]  # fmt: skip


def chunks(batch: int) -> list[Chunk]:
    return [Chunk(id=f"b{batch}c{i}", text=t, metadata={"source": f"b{batch}.txt", "chunk": i})
            for i, t in enumerate(BATCHES[batch])]  # fmt: skip


def state(store) -> dict:
    return {d.id: (sorted(d.metadata.get("links", []), key=lambda l: l.key), d.metadata.get("entities"))
            for d in store.iter_documents()}  # fmt: skip


@pytest.fixture
def extractor(small_ner_model):
    from doclinks.links import GLiNERLinkExtractor

    return GLiNERLinkExtractor(["person", "location"], model=small_ner_model, min_link_score=None)


def test_incremental_normalisation_equals_the_full_pass(extractor, tmp_path):
    settings = IngestSettings(labels=["person", "location"], batch_size=2)
    incremental = SQLiteGraphStore(tmp_path / "a.db", embedding=HashingEmbeddings())
    full = InMemoryGraphStore(embedding=HashingEmbeddings())
    merged_somewhere = False
    for b in range(len(BATCHES)):
        report = ingest_chunks(incremental, chunks(b), settings, extractor=extractor)
        assert report.new_chunks == len(BATCHES[b]) and report.skipped_chunks == 0
        ingest_chunks(full, chunks(b), settings, extractor=extractor)
        normalize_store(full)  # the full pass over every stored chunk
        assert state(incremental) == state(full)
        merged_somewhere |= any(r.get("merged_from") for d in incremental.iter_documents()
                                for r in d.metadata.get("entities", []))  # fmt: skip
    assert merged_somewhere  # "York" joined "New York City": the test exercises merges
    assert incremental.get_setting(TAG_POLICY) == "merge"
    again = ingest_chunks(incremental, chunks(0), settings, extractor=extractor)
    assert (again.new_chunks, again.skipped_chunks, again.renormalized_chunks) == (0, 3, 0)  # nothing to do
    incremental.close()


def test_another_merge_rule_makes_one_full_pass(extractor):
    store = InMemoryGraphStore(embedding=HashingEmbeddings())
    for b in range(len(BATCHES)):
        ingest_chunks(store, chunks(b), IngestSettings(labels=["person", "location"]), extractor=extractor)
    merged = {d.id for d in store.iter_documents() if any(r.get("merged_from") for r in d.metadata.get("entities", []))}
    assert merged
    report = ingest_chunks(
        store, chunks(0), IngestSettings(labels=["person", "location"], merge=False), extractor=extractor
    )
    assert report.new_chunks == 0 and report.renormalized_chunks == len(merged)
    assert not any(r.get("merged_from") for d in store.iter_documents() for r in d.metadata.get("entities", []))
    assert store.get_setting(TAG_POLICY) == "no-merge"


def test_settings_are_checked_without_flags():
    with pytest.raises(ValueError, match=r"^threshold"):
        IngestSettings(labels=["person"], threshold=1.5)
    with pytest.raises(ValueError, match="batch_size"):
        IngestSettings(labels=["person"], batch_size=0)
    with pytest.raises(ValueError):
        IngestSettings(labels=[])
