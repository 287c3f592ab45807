"""Incremental corpus normalisation (`renormalize` with a scope) against the full pass run after
every batch, on random corpora of overlapping names."""

from __future__ import annotations

import copy
import random

import pytest

from doclinks.document import Document
from doclinks.links import Link, in_scope, merges_of, normalize_links, renormalize, revert_merges, scope_of

NAMES = {
    "entity:person": ["John Smith", "Smith", "SMITH", "Anna Smith", "John", "J. Smith", "Anna", "Anna Karenina",
                      "Karenina", "John Smith Jr", "Mr. Smith", "smith"],
    "entity:location": ["Paris", "Paris, France", "France", "New York", "York", "New York City", "PARIS"],
}  # fmt: skip


def random_chunk(rng: random.Random, i: int) -> Document:
    links, records = [], []
    for kind, names in NAMES.items():
        for name in rng.sample(names, rng.randint(0, 3)):
            score = rng.choice([0.6, 0.75, 0.85, 0.95])
            linked = score >= 0.7
            records.append({"text": name, "label": kind.split(":")[1], "score": score, "start": 0, "end": len(name),
                            "kind": kind, "tag": name, "linked": linked})  # fmt: skip
            if linked:
                links.append(Link.bidir(kind, name))
    return Document(
        page_content=f"chunk {i}", id=f"c{i}", metadata={"links": list(dict.fromkeys(links)), "entities": records}
    )


def state(docs: list[Document]) -> dict:
    return {d.id: (d.metadata["links"], d.metadata["entities"]) for d in docs}


@pytest.mark.parametrize("seed", range(12))
def test_incremental_equals_the_full_pass_after_every_batch(seed):
    rng = random.Random(seed)
    batches = [[random_chunk(rng, 100 * b + i) for i in range(rng.randint(1, 8))] for b in range(5)]
    full: list[Document] = []
    incremental: list[Document] = []
    for batch in batches:
        # Today's rule: after each ingest, undo every merge and normalise the whole corpus.
        full += copy.deepcopy(batch)
        revert_merges(full)
        normalize_links(full)
        # Incremental: only the stored chunks that carry a tag sharing a word with the batch.
        new = copy.deepcopy(batch)
        scope = scope_of({link.key for d in new for link in d.metadata["links"]})
        read = [d for d in incremental if any(in_scope(*link.key, scope) for link in d.metadata["links"])]
        renormalize(read + new, scope=scope)
        incremental += new
        assert state(incremental) == state(full)
    assert merges_of(incremental) == merges_of(full)


def test_the_scope_is_what_a_batch_can_change():
    scope = scope_of([("entity:person", "Mr. Anna Smith")])
    assert scope == {("entity:person", "anna"), ("entity:person", "smith")}
    assert in_scope("entity:person", "SMITH", scope) and in_scope("entity:person", "John Smith", scope)
    assert not in_scope("entity:person", "John", scope) and not in_scope("entity:location", "Smith", scope)
    assert in_scope("entity:location", "Paris", None)


def test_renormalize_without_a_scope_is_revert_then_normalize():
    rng = random.Random(3)
    docs = [random_chunk(rng, i) for i in range(20)]
    a, b = copy.deepcopy(docs), copy.deepcopy(docs)
    normalize_links(a)
    normalize_links(b)
    renormalize(a)
    revert_merges(b)
    normalize_links(b)
    assert state(a) == state(b)
    assert any(r.get("merged_from") for d in a for r in d.metadata["entities"])  # the corpus does merge


def test_an_unlinked_mention_keeps_its_own_tag():
    docs = [Document(page_content=f"{i}", id=str(i), metadata={"links": [Link.bidir("entity:person", "Anna Smith")],
            "entities": [{"kind": "entity:person", "tag": "Anna Smith", "score": 0.95, "linked": True}]})
            for i in range(2)]  # fmt: skip
    docs.append(Document(page_content="x", id="x", metadata={"links": [Link.bidir("entity:person", "Smith")], "entities": [
        {"kind": "entity:person", "tag": "Smith", "score": 0.9, "linked": True}]}))  # fmt: skip
    docs[0].metadata["entities"].append({"kind": "entity:person", "tag": "Smith", "score": 0.5, "linked": False})
    changes = normalize_links(docs)
    assert changes == {("entity:person", "Smith"): "Anna Smith"}
    assert docs[2].metadata["links"] == [Link.bidir("entity:person", "Anna Smith")]
    assert docs[0].metadata["entities"][-1]["tag"] == "Smith"  # did not link, not rewritten


def test_query_mentions_match_stored_tags():
    from doclinks.links import match_query_tags
    from doclinks.links.canonical import MAX_PARTIAL_MATCHES

    P, L, O = "entity:Person", "entity:Location", "entity:Organization"
    stored = [(P, "Volodymyr Zelenskyy"), (P, "Anna Freud"), (P, "Joe Biden"), (P, "Jill Biden"), (L, "Paris"),
              (O, "Acme Corp"), (P, "J. K. Rowling"), (L, "Zürich")]  # fmt: skip
    assert match_query_tags([(P, "ZELENSKYY")], stored) == [(P, "Volodymyr Zelenskyy")]  # surname, any case
    assert match_query_tags([(P, "Anna")], stored) == []  # a first name is not a person
    assert match_query_tags([(P, "Biden")], stored) == [(P, "Joe Biden"), (P, "Jill Biden")]  # ambiguity kept
    assert match_query_tags([(P, "President Joe Biden")], stored) == [(P, "Joe Biden")]  # longer mention
    assert match_query_tags([(P, "JK Rowling"), (L, "zurich")], stored) == [(P, "J. K. Rowling"), (L, "Zürich")]
    assert match_query_tags([(L, "Acme Corp")], stored) == [(O, "Acme Corp")]  # another kind: exact only
    assert match_query_tags([(L, "Acme")], stored) == []
    assert match_query_tags([(P, "Dr. Anna Freud"), (P, "Anna Freud")], stored) == [(P, "Anna Freud")]
    many = [(O, f"Bank {i}") for i in range(MAX_PARTIAL_MATCHES + 1)]
    assert match_query_tags([(O, "Bank")], many) == []  # too vague to seed with
    assert match_query_tags([(O, "Bank")], many[:2]) == many[:2]
