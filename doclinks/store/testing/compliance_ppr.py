"""The entity-seeded part of the store compliance suite: `ppr_search` on every store.

`PPRCompliance` is a mixin of `doclinks.store.testing.compliance.StoreCompliance`. The scores are
checked against networkx's PageRank (a peer implementation) on the same chunk-tag graph, built
here from the rule in `doclinks.store.strategies.ppr`.
"""

from __future__ import annotations

import math

import pytest

from ...links import Link
from ..ranking import tag_idf
from ..settings import TraversalSettings
from .kit import Q, doc, ids, unit

__all__ = ["PPRCompliance"]


def _graph_docs():
    return [
        doc("a", unit(5), Link.bidir("k", "x")),  # nearest the query
        doc("b", unit(60), Link.bidir("k", "x"), Link.bidir("k", "y")),  # one tag from a
        doc("c", unit(50), Link.bidir("k", "y")),  # two steps from a, more similar than b
        doc("d", unit(40)),  # similar, unlinked
        doc("e", unit(170), Link.bidir("k", "z")),  # far from the query, named by it
        doc("f", unit(160), Link.bidir("k", "z"), Link.bidir("k", "x")),
    ]


def _networkx_scores(docs, seeds: dict[tuple[str, str], float], damping: float, n_chunks: int, idf_weight: float):
    import networkx as nx

    g = nx.DiGraph()
    for d in docs:
        g.add_node(("chunk", d.id))
        tags = [(link.kind, link.tag) for link in d.metadata.get("links", [])]
        degree = {t: sum(t in [(x.kind, x.tag) for x in o.metadata.get("links", [])] for o in docs) for t in tags}
        weights = [tag_idf(degree[t], n_chunks) ** idf_weight for t in tags]
        for t, w in zip(tags, weights):
            g.add_edge(("chunk", d.id), ("tag", t), weight=w / sum(weights))
            g.add_edge(("tag", t), ("chunk", d.id), weight=1.0)  # normalised per tag by networkx
    personalization = {node: seeds.get(node, 0.0) for node in g}
    return nx.pagerank(g, alpha=damping, personalization=personalization, weight="weight", tol=1e-14, max_iter=1000,
                       dangling=personalization)  # fmt: skip


class PPRCompliance:
    """`ppr_search`: seeds, scores equal to networkx's PageRank, the tags that led to each result."""

    def test_ppr_scores_are_pagerank_of_the_chunk_tag_graph(self, make_store):
        store = make_store()
        docs = _graph_docs()
        store.add_documents(docs)
        got = store.ppr_search(Q, k=6, seeds_k=2, damping=0.5, query_entities=False, hops=3)
        # The seeds: a and d by similarity (weights = their similarities, as stored: float32), no tags named.
        sims = {d.id: d.metadata["_similarity_score"] for d in got if d.id in ("a", "d")}
        assert sims == pytest.approx({"a": math.cos(math.radians(5)), "d": math.cos(math.radians(40))}, abs=1e-6)
        seeds = {("chunk", i): s / sum(sims.values()) for i, s in sims.items()}
        expected = _networkx_scores(docs, seeds, 0.5, len(docs), store.settings.idf_weight)
        for d in got:
            assert d.metadata["_ppr_score"] == pytest.approx(expected[("chunk", d.id)], abs=1e-9)
        scores = [d.metadata["_ppr_score"] for d in got]
        assert scores == sorted(scores, reverse=True) and ids(got)[0] == "a"
        assert ids(got).index("b") < ids(got).index("c")  # one tag from the seed beats more similar c
        b = next(d for d in got if d.id == "b")
        assert b.metadata["_depth"] == 1 and b.metadata["_via"] == [("k", "x")] and b.metadata["_via_degrees"] == [3]
        assert "_via" not in got[0].metadata and got[0].metadata["_depth"] == 0

    def test_tags_the_query_names_seed_the_walk(self, make_store):
        store = make_store()
        store.add_documents(_graph_docs())
        plain = store.ppr_search(Q, k=3, seeds_k=2, query_entities=False)
        assert "e" not in ids(plain)
        named = store.ppr_search(Q, k=3, seeds_k=2, query_entities=False, query_links=[Link.bidir("k", "Z ")],
                                 entity_weight=0.8)  # fmt: skip
        assert "e" in ids(named)  # far from the query vector, but carrying the tag it names
        e = next(d for d in named if d.id == "e")
        assert e.metadata["_via"] == [("k", "z")] and e.metadata["_similarity_score"] < 0
        assert store.ppr_search(Q, k=2, query_entities=False, query_links=[("k", "nothing")]) == store.ppr_search(
            Q, k=2, query_entities=False
        )  # a name no tag has: as if none

    def test_similarity_weight_fuses_the_walk_with_similarity(self, make_store):
        store = make_store()
        store.add_documents(_graph_docs())
        walk = store.ppr_search(Q, k=4, seeds_k=1, query_entities=False)
        assert store.ppr_search(Q, k=4, seeds_k=1, query_entities=False, similarity_weight=0.0) == walk
        # All the weight on similarity: plain similarity search's order, over the walk and the k nearest.
        fused = store.ppr_search(Q, k=4, seeds_k=1, query_entities=False, similarity_weight=1.0)
        assert ids(fused) == ids(store.similarity_search(Q, k=4))
        # d: among the 4 nearest, unlinked and no seed (seeds_k=1): found by similarity alone.
        assert "d" not in ids(walk) and next(x for x in fused if x.id == "d").metadata["_ppr_score"] == 0.0
        half = store.ppr_search(Q, k=4, seeds_k=1, query_entities=False, similarity_weight=0.5)
        top = max(x.metadata["_ppr_score"] for x in half)
        mixed = [0.5 * x.metadata["_ppr_score"] / top + 0.5 * max(x.metadata["_similarity_score"], 0.0) for x in half]
        assert mixed == sorted(mixed, reverse=True)

    def test_traversal_with_entity_seeded_roots(self, make_store):
        store = make_store()
        store.add_documents([*_graph_docs(), doc("g", unit(175), Link.bidir("k", "z"), group="keep"),
                             doc("h", unit(20), group="keep")])  # fmt: skip
        named = [Link.bidir("k", "Z")]
        plain = store.traversal_search(Q, k=1, depth=1, query_entities=False)
        assert store.traversal_search(Q, k=1, depth=1, entity_k=0, query_entities=False, query_links=named) == plain
        got = store.traversal_search(Q, k=1, depth=1, entity_k=1, query_entities=False, query_links=named)
        # a by similarity; f, the most similar carrier of z, as a root; then the neighbours of both.
        assert ids(got)[:2] == ["a", "f"] and set(ids(got)[2:]) == {"b", "e", "g"}
        f = got[1]
        assert f.metadata["_depth"] == 0 and f.metadata["_query_tags"] == [("k", "z")] and "_via" not in f.metadata
        e = next(d for d in got if d.id == "e")
        assert e.metadata["_depth"] == 1 and e.metadata["_via"] == [("k", "z")] and "_query_tags" not in e.metadata
        # Filtered: h by similarity, g the only carrier of z that matches: the filter holds for every root.
        kept = store.traversal_search(Q, k=1, depth=1, entity_k=2, query_entities=False, query_links=named,
                                      filter={"group": "keep"})  # fmt: skip
        assert ids(kept) == ["h", "g"]
        # A name no tag has: no entity root.
        none = store.traversal_search(Q, k=1, depth=1, entity_k=1, query_entities=False, query_links=[("k", "nothing")])
        assert none == plain
        with pytest.raises(ValueError):
            store.traversal_search(Q, entity_k=-1, query_entities=False)

    def test_ppr_respects_hubs_filters_and_bad_arguments(self, make_store):
        store = make_store(settings=TraversalSettings(max_tag_degree=2, max_tag_share=1.0, min_hub_degree=1))
        store.add_documents([*_graph_docs(), doc("g", unit(30), Link.bidir("k", "y"), group="keep")])
        got = store.ppr_search(Q, k=5, seeds_k=1, query_entities=False)
        assert ids(got) == ["a"]  # x (a, b, f: degree 3) is a hub: the walk from a goes nowhere
        filtered = store.ppr_search(Q, k=5, seeds_k=5, query_entities=False, filter={"group": "keep"})
        assert ids(filtered) == ["g"]
        assert store.as_retriever(search_type="ppr", search_kwargs={"k": 1, "query_entities": False}).invoke(Q)
        for bad, error in (
            ({"damping": 1.0}, ValueError),
            ({"entity_weight": -0.1}, ValueError),
            ({"damping": "x"}, TypeError),
            ({"k": 0}, ValueError),
            ({"hops": -1}, ValueError),
            ({"similarity_weight": 1.5}, ValueError),
        ):
            with pytest.raises(error):
                store.ppr_search(Q, query_entities=False, **bad)
        assert make_store().ppr_search(Q, query_entities=False) == []
