"""The searches part of the store compliance suite: traversal, MMR traversal, and the ``_via`` tags.

`SearchCompliance` is a mixin of `doclinks.store.testing.compliance.StoreCompliance` (which
brings the ``make_store`` fixture); see there how a backend runs the suite. Chunks are placed
with `VectorTextEmbeddings` (``"v:x,y,z"`` texts), so each test knows the exact similarities and
therefore the exact answer.
"""

from __future__ import annotations

import math

import pytest

from ...links import Link
from ..settings import TraversalSettings
from .kit import QUERIES, Q, doc, ids, make_docs, unit

__all__ = ["SearchCompliance", "expected_via"]


def _star(store, roots, fan, angle0=60.0):
    """Each root links to `fan` neighbours of its own; neighbour j is less similar as j grows."""
    docs = []
    for r in range(roots):
        docs.append(doc(f"r{r}", unit(r * 0.1), Link.bidir("k", f"root{r}")))
        for j in range(fan):
            docs.append(
                doc(
                    f"r{r}n{j:02d}",
                    unit(angle0 + j + r * 0.01),
                    Link.bidir("k", f"root{r}"),
                    Link.bidir("k", f"leaf{r}_{j}"),
                )
            )
            docs.append(doc(f"r{r}n{j:02d}x", unit(170 - j * 0.1), Link.bidir("k", f"leaf{r}_{j}")))
    store.add_documents(docs)


def _root_and_far(store, root, *far):
    """Add the chunk `root` (``(id, link)``) at angle 0 from `Q`, so that a search with ``k=1`` finds it
    first, and the chunks `far` at 90, 91, 92... degrees: only their links can bring them in."""
    chunks = [doc(root[0], unit(0), root[1])]
    chunks += [doc(i, unit(90 + n), link) for n, (i, link) in enumerate(far)]
    store.add_documents(chunks)


def _mmr_docs():
    return [
        doc("a", unit(20), Link.bidir("k", "t")),
        doc("a_twin", unit(22)),  # nearly the same as a: redundant
        doc("b", unit(-30)),
        doc("c", unit(70)),
        doc("linked", unit(100), Link.bidir("k", "t")),  # only reachable through a
    ]


def expected_via(results, degrees: dict, limit: int) -> list[list]:
    """The ``_via`` pairs of each result, computed as the command line did before the stores gave them:
    a result at depth d > 0 shares with the results at depth d - 1 the pairs of its incoming side
    (``in``/``bidir``) that one of them carries on its outgoing side (``out``/``bidir``), of degree
    at most `limit`, rarest first; a root has none (``[]``)."""

    def sides(d):
        outs, ins = set(), set()
        for link in d.metadata.get("links", []):
            if link.direction in ("out", "bidir"):
                outs.add((link.kind, link.tag))
            if link.direction in ("in", "bidir"):
                ins.add((link.kind, link.tag))
        return outs, ins

    out: list[list[tuple[str, str]]] = []
    for d in results:
        depth = d.metadata["_depth"]
        if depth == 0:
            out.append([])
            continue
        parents = set().union(*(sides(p)[0] for p in results if p.metadata["_depth"] == depth - 1))
        shared = [p for p in sides(d)[1] & parents if degrees[p] <= limit]
        out.append(sorted(shared, key=lambda p: (degrees[p], p[0], p[1])))
    return out


class SearchCompliance:
    """Traversal and MMR traversal rules every store follows (a mixin of `StoreCompliance`)."""

    # ------------------------------------------------------------------------ traversal
    def test_depth_zero_equals_similarity_search(self, make_store):
        store = make_store()
        store.add_documents([doc(f"d{i}", unit(i * 7), Link.bidir("k", f"t{i % 4}")) for i in range(20)])
        for f in (None, {"missing": 1}):
            a = store.traversal_search(Q, k=5, depth=0, filter=f)
            b = store.similarity_search(Q, k=5, filter=f)
            assert [(d.id, d.metadata) for d in a] == [(d.id, d.metadata) for d in b]

    def test_bidir_joins_same_kind_and_tag_only(self, make_store):
        store = make_store()
        _root_and_far(
            store,
            ("root", Link.bidir("person", "Ann")),
            ("same", Link.bidir("person", "Ann")),
            ("other_kind", Link.bidir("place", "Ann")),
            ("other_tag", Link.bidir("person", "Bob")),
        )
        res = store.traversal_search(Q, k=1, depth=1)
        assert ids(res) == ["root", "same"]
        assert [d.metadata["_depth"] for d in res] == [0, 1]

    def test_out_reaches_in_and_not_back(self, make_store):
        store = make_store()
        # dst_out carries the tag's outgoing side only: an outgoing side does not receive.
        _root_and_far(
            store,
            ("src", Link.outgoing("href", "p")),
            ("dst_in", Link.incoming("href", "p")),
            ("dst_bidir", Link.bidir("href", "p")),
            ("dst_out", Link.outgoing("href", "p")),
        )
        assert sorted(ids(store.traversal_search(Q, k=1, depth=1))[1:]) == ["dst_bidir", "dst_in"]
        # From an "in" chunk nothing is reachable.
        store2 = make_store()
        store2.add_documents(
            [doc("target", unit(0), Link.incoming("href", "p")), doc("source", unit(90), Link.outgoing("href", "p"))]
        )
        assert ids(store2.traversal_search(Q, k=1, depth=3)) == ["target"]

    def test_depth_counts_hops_and_no_chunk_twice(self, make_store):
        store = make_store()
        # A ring a-b-c-d-a plus a chord a-c: several paths to every chunk.
        store.add_documents(
            [
                doc("a", unit(0), Link.bidir("k", "ab"), Link.bidir("k", "da"), Link.bidir("k", "ac")),
                doc("b", unit(100), Link.bidir("k", "ab"), Link.bidir("k", "bc")),
                doc("c", unit(110), Link.bidir("k", "bc"), Link.bidir("k", "cd"), Link.bidir("k", "ac")),
                doc("d", unit(120), Link.bidir("k", "cd"), Link.bidir("k", "da")),
                doc("e", unit(130), Link.bidir("k", "de")),
            ]
        )
        res = store.traversal_search(Q, k=1, depth=5, adjacent_k=None)
        assert sorted(ids(res)) == ["a", "b", "c", "d"]
        assert {d.id: d.metadata["_depth"] for d in res} == {"a": 0, "b": 1, "c": 1, "d": 1}
        res2 = store.mmr_traversal_search(Q, k=10, depth=5, adjacent_k=None)
        assert sorted(ids(res2)) == ["a", "b", "c", "d", "e"]  # e is found by similarity
        assert len(set(ids(res2))) == len(res2)

    def test_neighbours_with_zero_or_negative_similarity_are_reachable(self, make_store):
        store = make_store()
        store.add_documents(
            [
                doc("root", (1, 0, 0), Link.bidir("k", "t")),
                doc("zero", (0, 1, 0), Link.bidir("k", "t")),
                doc("negative", (-1, 0, 0), Link.bidir("k", "t")),
            ]
        )
        res = store.traversal_search(Q, k=1, depth=1)
        assert ids(res) == ["root", "zero", "negative"]
        assert res[2].metadata["_similarity_score"] == pytest.approx(-1.0, abs=1e-6)
        mmr = store.mmr_traversal_search(Q, k=3, fetch_k=1, depth=1)
        assert sorted(ids(mmr)) == ["negative", "root", "zero"]

    def test_adjacent_k_is_per_hop_in_traversal(self, make_store):
        store = make_store(settings=TraversalSettings(idf_weight=0, max_tag_share=None))
        _star(store, roots=2, fan=15)
        res = store.traversal_search(Q, k=2, depth=1, adjacent_k=4)
        assert [d.metadata["_depth"] for d in res] == [0, 0, 1, 1, 1, 1]  # 4 for the whole hop, not 4 per root
        # The best four of both roots' neighbours by similarity: n00 and n01 of each root.
        assert ids(res)[2:] == ["r0n00", "r1n00", "r0n01", "r1n01"]
        res2 = store.traversal_search(Q, k=2, depth=2, adjacent_k=4)
        assert [d.metadata["_depth"] for d in res2].count(2) == 4
        assert len(store.traversal_search(Q, k=2, depth=1, adjacent_k=None)) == 2 + 30
        assert len(store.traversal_search(Q, k=2, depth=1, adjacent_k=0)) == 2

    def test_adjacent_k_is_per_expansion_in_mmr(self, make_store):
        store = make_store(settings=TraversalSettings(idf_weight=0, max_tag_share=None))
        _star(store, roots=1, fan=15)
        res = store.mmr_traversal_search(Q, k=40, depth=1, fetch_k=1, adjacent_k=3, lambda_mult=1.0)
        assert ids(res) == ["r0", "r0n00", "r0n01", "r0n02"]

    def test_roots_and_neighbours_respect_the_filter(self, make_store):
        store = make_store()
        store.add_documents(
            [
                doc("best_but_filtered", unit(0), Link.bidir("k", "t"), lang="de"),
                doc("root", unit(5), Link.bidir("k", "t"), lang="en"),
                doc("nb_en", unit(90), Link.bidir("k", "t"), lang="en"),
                doc("nb_de", unit(80), Link.bidir("k", "t"), lang="de"),
            ]
        )
        res = store.traversal_search(Q, k=1, depth=2, filter={"lang": "en"})
        assert ids(res) == ["root", "nb_en"]
        mmr = store.mmr_traversal_search(Q, k=5, fetch_k=1, filter={"lang": "en"})
        assert ids(mmr) == ["root", "nb_en"]

    def test_hub_tags_are_not_walked(self, make_store):
        docs = [doc("root", unit(0), Link.bidir("k", "hub"), Link.bidir("k", "rare"))]
        docs += [doc(f"h{i}", unit(40 + i), Link.bidir("k", "hub")) for i in range(5)]
        docs += [doc("r1", unit(80), Link.bidir("k", "rare"))]
        # "hub" is carried by 6 chunks (root and h0..h4), "rare" by 2.
        walled = make_store(settings=TraversalSettings(max_tag_degree=5))
        walled.add_documents(docs)
        assert ids(walled.traversal_search(Q, k=1, depth=1)) == ["root", "r1"]
        open_ = make_store(settings=TraversalSettings(max_tag_degree=6))
        open_.add_documents(docs)
        assert sorted(ids(open_.traversal_search(Q, k=1, depth=1))) == ["h0", "h1", "h2", "h3", "h4", "r1", "root"]
        unlimited = make_store(settings=TraversalSettings(max_tag_degree=None, max_tag_share=None))
        unlimited.add_documents(docs)
        assert len(unlimited.traversal_search(Q, k=1, depth=1)) == 7

    def test_hub_limit_relative_to_the_store_size(self, make_store):
        docs = [doc("root", unit(0), Link.bidir("k", "hub"), Link.bidir("k", "rare"))]
        docs += [doc(f"h{i}", unit(40 + i), Link.bidir("k", "hub")) for i in range(5)]
        docs += [doc("r1", unit(80), Link.bidir("k", "rare"))]
        # 7 chunks; a share of 0.5 with a floor of 2 gives a limit of 3: "hub" (6 chunks) is not walked.
        relative = make_store(settings=TraversalSettings(max_tag_share=0.5, min_hub_degree=2))
        relative.add_documents(docs)
        assert ids(relative.traversal_search(Q, k=1, depth=1)) == ["root", "r1"]
        assert ids(relative.mmr_traversal_search(Q, k=2, depth=1, fetch_k=1, lambda_mult=1.0)) == ["root", "r1"]
        # Twice as many chunks (7 unlinked ones added): the limit is 7, the hub is walked.
        relative.add_documents([doc(f"x{i}", unit(120 + i)) for i in range(7)])
        assert len(relative.traversal_search(Q, k=1, depth=1)) == 7
        # The default floor of 10 keeps a small store's tags walkable.
        small = make_store()
        small.add_documents(docs)
        assert len(small.traversal_search(Q, k=1, depth=1)) == 7

    def test_neighbours_ranked_by_similarity_weighted_by_tag_rarity(self, make_store):
        docs = [doc("root", unit(0), Link.bidir("k", "common"), Link.bidir("k", "rare"))]
        docs += [doc("via_common", unit(50), Link.bidir("k", "common"))]
        docs += [doc(f"other{i}", unit(175), Link.bidir("k", "common")) for i in range(6)]
        docs += [doc("via_rare", unit(55), Link.bidir("k", "rare"))]
        idf = make_store(settings=TraversalSettings(idf_weight=1.0))
        idf.add_documents(docs)
        # via_common is a little more similar, but via_rare shares a tag 2 chunks carry (not 8).
        assert ids(idf.traversal_search(Q, k=1, depth=1, adjacent_k=1)) == ["root", "via_rare"]
        plain = make_store(settings=TraversalSettings(idf_weight=0.0))
        plain.add_documents(docs)
        assert ids(plain.traversal_search(Q, k=1, depth=1, adjacent_k=1)) == ["root", "via_common"]

    def test_neighbour_ties_break_by_id(self, make_store):
        store = make_store(settings=TraversalSettings(idf_weight=0, max_tag_share=None))
        store.add_documents(
            [doc("root", unit(0), Link.bidir("k", "t"))]
            + [doc(n, unit(60), Link.bidir("k", "t")) for n in ("n3", "n1", "n2", "n0")]
        )
        assert ids(store.traversal_search(Q, k=1, depth=1, adjacent_k=2)) == ["root", "n0", "n1"]

    # ------------------------------------------------------------------------------ MMR
    def test_mmr_scores_follow_the_formula(self, make_store):
        store = make_store()
        store.add_documents(_mmr_docs())
        lam = 0.5
        res = store.mmr_traversal_search(Q, k=3, depth=0, fetch_k=10, lambda_mult=lam)
        assert ids(res) == ["a", "b", "a_twin"]
        cos = lambda deg: math.cos(math.radians(deg))  # noqa: E731
        # score = lam * sim(query) - (1 - lam) * max cos to the chunks already selected
        expected = [lam * cos(20), lam * cos(30) - (1 - lam) * cos(50), lam * cos(22) - (1 - lam) * cos(2)]
        assert [d.metadata["_mmr_score"] for d in res] == pytest.approx(expected, abs=1e-5)
        assert [d.metadata["_similarity_score"] for d in res] == pytest.approx([cos(20), cos(30), cos(22)], abs=1e-5)
        assert all(d.metadata["_depth"] == 0 for d in res)

    def test_mmr_lambda_one_is_similarity_order(self, make_store):
        store = make_store()
        store.add_documents(_mmr_docs())
        res = store.mmr_traversal_search(Q, k=4, depth=0, lambda_mult=1.0)
        assert ids(res) == ids(store.similarity_search(Q, k=4))
        assert all(math.isfinite(d.metadata["_mmr_score"]) for d in res)

    @pytest.mark.parametrize("lam", [0.0, 0.25, 0.5, 0.75, 1.0])
    def test_mmr_works_on_all_of_zero_to_one(self, make_store, lam):
        store = make_store()
        store.add_documents(_mmr_docs())
        res = store.mmr_traversal_search(Q, k=5, depth=2, lambda_mult=lam)
        assert sorted(ids(res)) == ["a", "a_twin", "b", "c", "linked"]
        assert all(math.isfinite(d.metadata["_mmr_score"]) for d in res)

    def test_mmr_reaches_linked_chunks_and_threshold_stops(self, make_store):
        store = make_store()
        store.add_documents(_mmr_docs())
        res = store.mmr_traversal_search(Q, k=5, depth=1, fetch_k=1)
        assert ids(res) == ["a", "linked"]
        assert res[1].metadata["_depth"] == 1
        assert ids(store.mmr_traversal_search(Q, k=5, depth=0, fetch_k=1)) == ["a"]
        cut = store.mmr_traversal_search(Q, k=5, depth=0, fetch_k=10, score_threshold=0.0)
        assert all(d.metadata["_mmr_score"] >= 0.0 for d in cut) and 0 < len(cut) < 5

    # ------------------------------------------------------------------------------ _via
    def _via_docs(self):
        return [
            doc(
                "root",
                unit(0),
                Link.outgoing("href", "p"),
                Link.bidir("person", "Ann"),
                Link.bidir("person", "Hub"),
                Link.incoming("href", "back"),
            ),
            doc(
                "n1",
                unit(90),
                Link.incoming("href", "p"),
                Link.bidir("person", "Ann"),
                Link.bidir("person", "Hub"),
                Link.outgoing("href", "q"),
                Link.outgoing("href", "back"),
            ),
            doc("n2", unit(95), Link.bidir("person", "Ann")),
            doc("m", unit(100), Link.incoming("href", "q")),
        ] + [doc(f"h{i}", unit(170 + i), Link.bidir("person", "Hub")) for i in range(3)]

    def test_results_carry_the_tags_that_led_to_them(self, make_store):
        # "Hub" is carried by 5 chunks, over the limit of 4: never walked, never a _via.
        store = make_store(settings=TraversalSettings(max_tag_degree=4, max_tag_share=None))
        store.add_documents(self._via_docs())
        res = store.traversal_search(Q, k=1, depth=2, adjacent_k=None)
        assert ids(res) == ["root", "n1", "n2", "m"]
        via = {d.id: (d.metadata.get("_via"), d.metadata.get("_via_degrees")) for d in res}
        assert via == {
            "root": (None, None),  # a root is there by similarity: no _via
            "n1": ([("href", "p"), ("person", "Ann")], [1, 3]),  # rarest first
            "n2": ([("person", "Ann")], [3]),
            "m": ([("href", "q")], [1]),  # from n1 at depth 1, not from the root
        }
        mmr = store.mmr_traversal_search(Q, k=4, depth=2, fetch_k=1, lambda_mult=1.0)
        assert [(d.id, d.metadata.get("_via")) for d in mmr] == [(d.id, via[d.id][0]) for d in res]
        assert all("_via" not in d.metadata for d in store.similarity_search(Q, k=7))
        store.add_documents(res)  # results carry _via: never stored
        assert all("_via" not in d.metadata for d in store.get_by_ids(ids(res)))

    def test_via_is_what_the_results_share_with_the_previous_depth(self, make_store):
        store = make_store(settings=TraversalSettings(max_tag_degree=12, max_tag_share=None))
        store.add_documents(make_docs("a", 60) + make_docs("b", 30, shift=0.5))
        limit = store.degree_limit()
        assert limit == 12
        for q in QUERIES:
            for res in (
                store.traversal_search(q, k=3, depth=3),
                store.mmr_traversal_search(q, k=8, fetch_k=4),
                store.traversal_search(q, k=2, depth=2, adjacent_k=None),
            ):
                pairs = {(l.kind, l.tag) for d in res for l in d.metadata.get("links", [])}
                degrees = store.tag_degrees(pairs)
                expected = expected_via(res, degrees, limit)
                assert [d.metadata.get("_via", []) for d in res] == expected
                assert [d.metadata.get("_via_degrees", []) for d in res] == [[degrees[p] for p in e] for e in expected]
                assert all(d.metadata["_via"] for d in res if d.metadata["_depth"] > 0)
