"""`ppr_search` on a small hand-made corpus, read by a real NER model and the real embedder.

The question names a person and otherwise talks about what the distractors talk about; the answer
passage shares the name with it and hardly a word else. Similarity search misses the answer; PPR seeded
by the question's entity finds it. The NER model is the small test model (`small_ner_model`: people,
places, organisations in simple sentences), so a new default model changes nothing here.
"""

from __future__ import annotations

import pytest

from doclinks.document import Document
from doclinks.links import GLiNERLinkExtractor, LinkExtractorTransformer
from doclinks.store import InMemoryGraphStore, SQLiteGraphStore

LABELS = ["person", "location", "organization"]
# The distractors hold no name and no word the small model reads as one (its highest span score on any
# of them is below 0.2, against the 0.5 threshold), so that the question's own words cannot become seeds
# that link to them: the tests check the seeding logic, not the model's opinion of a common noun.
CORPUS = {
    "answer": ("Anna Smith grew up in Oslo and became a surgeon in Lima .", "bio"),
    "winter": ("The cold winter brought weeks of rain and flooded roads .", "news"),
    "weeks": ("Weeks of rain flooded roads during a long cold winter .", "news"),
    "roads": ("A long cold winter brought rain that flooded roads for weeks .", "news"),
    "rain": ("Roads flooded after weeks of rain in a long cold winter .", "news"),
    "fell": ("Rain fell for weeks and flooded roads in a cold winter .", "news"),
    "company": ("Omar Okafor works for Siemens in Berlin .", "news"),
}
DISTRACTORS = ["winter", "weeks", "roads", "rain", "fell"]
QUESTION = "Where did Anna Smith work before weeks of rain flooded roads in a long cold winter?"
NO_MATCH = "Where did Maria Garcia work before weeks of rain flooded roads in a long cold winter?"


@pytest.fixture(scope="module")
def extractor(small_ner_model):
    return GLiNERLinkExtractor(LABELS, model=small_ner_model)


@pytest.fixture(scope="module")
def linked(extractor):
    """The corpus read by the model once for the module (each store below is filled from it)."""
    docs = [Document(text, metadata={"group": group}, id=i) for i, (text, group) in CORPUS.items()]
    return LinkExtractorTransformer([extractor]).transform_documents(docs)


@pytest.fixture(params=["memory", "sqlite"])
def store(request, extractor, linked, tmp_path):
    from doclinks.embeddings import default_embeddings

    embedding = default_embeddings()
    if request.param == "memory":
        made = InMemoryGraphStore(embedding)
    else:
        made = SQLiteGraphStore(tmp_path / "graph.db", embedding)
    made.add_documents(linked)
    made.query_extractor = extractor  # read questions with the model the corpus was linked with
    yield made
    if hasattr(made, "close"):
        made.close()


def ids(docs):
    return [d.id for d in docs]


def test_the_answer_carries_the_name_the_distractors_none_and_similarity_misses_it(store):
    answer = store.get_by_ids(["answer"])[0]
    assert ("entity:person", "Anna Smith") in {(link.kind, link.tag) for link in answer.metadata["links"]}
    assert all(not d.metadata.get("links") for d in store.get_by_ids(DISTRACTORS))  # what the tests below rest on
    assert "answer" not in ids(store.similarity_search(QUESTION, k=3))


def test_ppr_seeded_by_the_questions_entity_finds_the_answer(store):
    got = store.ppr_search(QUESTION, k=3)
    assert "answer" in ids(got)
    answer = next(d for d in got if d.id == "answer")
    assert answer.metadata["_via"] == [("entity:person", "Anna Smith")]
    assert store.ppr_search(QUESTION, k=3) == got  # deterministic
    assert "answer" not in ids(store.ppr_search(QUESTION, k=3, query_entities=False))


def test_a_name_that_matches_no_tag_changes_nothing(store):
    assert store.ppr_search(NO_MATCH, k=3) == store.ppr_search(NO_MATCH, k=3, query_entities=False)


def test_every_seed_respects_the_filter(store):
    got = store.ppr_search(QUESTION, k=5, filter={"group": "news"})
    assert got and "answer" not in ids(got) and all(d.metadata["group"] == "news" for d in got)
