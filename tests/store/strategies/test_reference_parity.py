"""Where doclinks and graph-retriever (the reference) define the same thing, they agree.

With hub control and IDF ranking off and no per-hop limit, `traversal_search` visits
exactly what graph-retriever's Eager strategy visits, at the same depths; with those
off, `mmr_traversal_search` selects what its Mmr strategy selects.
"""

from __future__ import annotations

import numpy as np
import pytest

gr = pytest.importorskip("graph_retriever")
from graph_retriever import traverse  # noqa: E402
from graph_retriever.adapters.in_memory import InMemory  # noqa: E402
from graph_retriever.content import Content  # noqa: E402
from graph_retriever.strategies import Eager, Mmr  # noqa: E402

from doclinks.document import Document  # noqa: E402
from doclinks.links import Link  # noqa: E402
from doclinks.store import InMemoryGraphStore, SQLiteGraphStore, TraversalSettings  # noqa: E402
from doclinks.store.testing.kit import VectorTextEmbeddings  # noqa: E402


def dataset(n=300, dim=12, n_tags=60, seed=7):
    rng = np.random.default_rng(seed)
    # Positive coordinates: graph-retriever drops neighbours whose similarity is exactly
    # 0, a case doclinks keeps; here no similarity is anywhere near 0.
    vecs = rng.random((n, dim)) + 0.05
    tags = [sorted({f"t{int(x)}" for x in rng.integers(0, n_tags, rng.integers(1, 4))}) for _ in range(n)]
    return vecs, tags


def text(v) -> str:
    return "v:" + ",".join(f"{x:.6f}" for x in v)


def stores(tmp_path, vecs, tags):
    settings = TraversalSettings(max_tag_degree=None, idf_weight=0.0, max_tag_share=None)
    docs = [
        Document(text(v), {"links": [Link.bidir("e", t) for t in ts]}, f"d{i:03d}")
        for i, (v, ts) in enumerate(zip(vecs, tags))
    ]
    out = [
        InMemoryGraphStore(VectorTextEmbeddings(), settings),
        SQLiteGraphStore(tmp_path / "p.db", VectorTextEmbeddings(), settings),
    ]
    for s in out:
        s.add_documents(docs)
    emb = VectorTextEmbeddings()
    contents = [
        Content(id=f"d{i:03d}", content=text(v), embedding=emb.embed_query(text(v)), metadata={"e": ts})
        for i, (v, ts) in enumerate(zip(vecs, tags))
    ]
    return out, InMemory(emb.embed_query, contents)


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_traversal_matches_graph_retriever_eager(tmp_path, depth):
    vecs, tags = dataset()
    ours, reference = stores(tmp_path, vecs, tags)
    rng = np.random.default_rng(depth)
    for _ in range(5):
        q = text(rng.random(vecs.shape[1]))
        nodes = traverse(
            q,
            edges=[("e", "e")],
            store=reference,
            strategy=Eager(select_k=10_000, start_k=3, adjacent_k=10_000, max_depth=depth),
        )
        expected = {n.id: n.depth for n in nodes}
        for store in ours:
            got = {d.id: d.metadata["_depth"] for d in store.traversal_search(q, k=3, depth=depth, adjacent_k=None)}
            assert got == expected


def test_mmr_matches_graph_retriever_mmr(tmp_path):
    vecs, tags = dataset(seed=11)
    ours, reference = stores(tmp_path, vecs, tags)
    rng = np.random.default_rng(3)
    for lam in (0.2, 0.5, 0.9):
        q = text(rng.random(vecs.shape[1]))
        nodes = traverse(
            q,
            edges=[("e", "e")],
            store=reference,
            strategy=Mmr(select_k=8, start_k=10, adjacent_k=10_000, max_depth=2, lambda_mult=lam),
        )
        expected = [n.id for n in nodes]
        for store in ours:
            got = store.mmr_traversal_search(q, k=8, depth=2, fetch_k=10, adjacent_k=None, lambda_mult=lam)
            assert [d.id for d in got] == expected
