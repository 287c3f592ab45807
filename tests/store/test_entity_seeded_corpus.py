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
CORPUS = {
    "answer": ("Anna Smith grew up in Oslo and became a surgeon in Lima .", "bio"),
    "council": ("The council approved the stadium project after a long debate about its costs .", "news"),
    "stadium": ("A second stadium project was debated by the council members last year .", "news"),
    "news": ("The stadium project and the council debate filled the local news for weeks .", "news"),
    "vote": ("Council members voted on the stadium project budget after a heated debate .", "news"),
    "plans": ("Plans for the stadium project were sent back to the council for another debate .", "news"),
    "company": ("Omar Okafor works for Siemens in Berlin .", "news"),
}
QUESTION = "Where did Anna Smith work before the council debate on the stadium project?"
NO_MATCH = "Where did Maria Garcia work before the council debate on the stadium project?"


@pytest.fixture(scope="module")
def extractor(small_ner_model):
    return GLiNERLinkExtractor(LABELS, model=small_ner_model)


@pytest.fixture(params=["memory", "sqlite"])
def store(request, extractor, tmp_path):
    from doclinks.embeddings import default_embeddings

    docs = [Document(text, metadata={"group": group}, id=i) for i, (text, group) in CORPUS.items()]
    linked = LinkExtractorTransformer([extractor]).transform_documents(docs)
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


def test_the_answer_carries_the_name_and_similarity_misses_it(store):
    answer = store.get_by_ids(["answer"])[0]
    assert ("entity:person", "Anna Smith") in {(link.kind, link.tag) for link in answer.metadata["links"]}
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
