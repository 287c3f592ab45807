"""The shared compliance suite: every test runs against every store adapter.

Chunks are placed with `VectorTextEmbeddings` ("v:x,y,z" texts), so each test knows
the exact similarities and therefore the exact answer.
"""

from __future__ import annotations

import asyncio
import math

import pytest

from doclinks.document import Document
from doclinks.links import Link
from doclinks.store import StoreClosedError, TraversalSettings, UnknownIdError


def vec_text(v) -> str:
    return "v:" + ",".join(repr(float(x)) for x in v)


def doc(id: str, v, *links: Link, **metadata) -> Document:
    md = dict(metadata)
    if links:
        md["links"] = list(links)
    return Document(vec_text(v), md, id)


def ids(docs) -> list[str]:
    return [d.id for d in docs]


def unit(angle_deg: float) -> tuple[float, float, float]:
    a = math.radians(angle_deg)
    return (math.cos(a), math.sin(a), 0.0)


Q = vec_text((1, 0, 0))  # the query of most tests: the x axis


# ----------------------------------------------------------------------------- CRUD
def test_roundtrip_keeps_content_metadata_links_and_id(make_store):
    store = make_store()
    links = [Link.bidir("entity:Person", "Vladimir Putin"), Link.outgoing("url", "http://x")]
    d = doc("a", (1, 0, 0), *links, source="news", n=3, tags=["x", "y"], nested={"k": [1, 2.5]})
    assert store.add_documents([d]) == ["a"]
    (got,) = store.get_by_ids(["a"])
    assert got.page_content == d.page_content and got.id == "a"
    assert got.metadata == {"source": "news", "n": 3, "tags": ["x", "y"], "nested": {"k": [1, 2.5]}, "links": links}
    assert all(isinstance(l, Link) for l in got.metadata["links"])
    assert len(store) == 1


def test_get_by_ids_order_and_unknown_ids(make_store):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0)), doc("b", (0, 1, 0))])
    assert ids(store.get_by_ids(["b", "a", "b"])) == ["b", "a", "b"]
    with pytest.raises(UnknownIdError, match="'zz'"):
        store.get_by_ids(["a", "zz"])
    assert ids(store.get_by_ids(["a", "zz"], missing="skip")) == ["a"]


def test_ids_argument_and_langchain_documents(make_store):
    lc = pytest.importorskip("langchain_core.documents")
    store = make_store()
    out = store.add_documents([lc.Document(page_content=vec_text((1, 0, 0)), metadata={"links": [Link.bidir("k", "t")]})], ids=["x1"])
    assert out == ["x1"]
    assert store.get_by_ids(["x1"])[0].metadata["links"] == [Link.bidir("k", "t")]


def test_upsert_replaces_links_and_vector(make_store):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))])
    assert ids(store.traversal_search(Q, k=1, depth=1)) == ["a", "b"]
    # Replace a: no more link, and a new vector pointing away from the query.
    store.add_documents([doc("a", (-1, 0.1, 0))])
    assert len(store) == 2
    assert store.get_by_ids(["a"])[0].metadata == {}
    res = store.traversal_search(Q, k=1, depth=1)
    assert ids(res) == ["b"]  # b is now the nearest, and a no longer links to it
    assert store.similarity_search(Q, k=2)[1].metadata["_similarity_score"] < 0


def test_same_ingest_twice_changes_nothing(make_store):
    store = make_store()
    batch = [doc(None, (1, i, 0), Link.bidir("k", f"t{i % 3}"), i=i) for i in range(12)]
    first = store.add_documents(batch)
    before = [(d.id, d.metadata) for d in store.traversal_search(Q, k=3, depth=2)]
    second = store.add_documents(batch)
    assert first == second and len(set(first)) == 12  # derived ids are stable
    assert len(store) == 12
    assert [(d.id, d.metadata) for d in store.traversal_search(Q, k=3, depth=2)] == before


def test_results_re_ingested_change_nothing(make_store):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))])
    results = store.traversal_search(Q, k=1, depth=1)
    store.add_documents(results)  # carries _depth/_similarity_score: never stored
    assert "_depth" not in store.get_by_ids(["b"])[0].metadata


def test_delete_removes_document_and_its_links(make_store):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t")),
                         doc("c", (0, 0, 1), Link.bidir("k", "t"))])
    assert store.delete(["b"]) == 1
    assert ids(store.traversal_search(Q, k=1, depth=1)) == ["a", "c"]
    with pytest.raises(UnknownIdError):
        store.delete(["a", "nope"])
    assert len(store) == 2  # nothing deleted by the failed call
    assert store.delete(["a", "nope"], missing="ignore") == 1
    assert ids(store.similarity_search(Q, k=5)) == ["c"]


# ----------------------------------------------------------------------- similarity
def test_similarity_order_and_ties_by_id(make_store):
    store = make_store()
    store.add_documents([doc("c", (1, 0, 0)), doc("a", (1, 0, 0)), doc("b", (1, 0, 0)),
                         doc("d", unit(30)), doc("e", unit(150))])
    res = store.similarity_search(Q, k=4)
    assert ids(res) == ["a", "b", "c", "d"]
    assert res[0].metadata["_similarity_score"] == pytest.approx(1.0, abs=1e-6)
    assert res[3].metadata["_similarity_score"] == pytest.approx(math.cos(math.radians(30)), abs=1e-6)
    assert all(d.metadata["_depth"] == 0 for d in res)
    assert ids(store.similarity_search(Q, k=2)) == ["a", "b"]  # the tie broken at the cut, too
    assert ids(store.similarity_search(Q, k=50)) == ["a", "b", "c", "d", "e"]
    assert store.similarity_search(Q, k=0) == []


def test_empty_store_answers_empty(make_store):
    store = make_store()
    assert store.similarity_search(Q) == []
    assert store.traversal_search(Q) == []
    assert store.mmr_traversal_search(Q) == []
    assert len(store) == 0


def test_filter_matches_scalars_and_list_items(make_store):
    store = make_store()
    store.add_documents([
        doc("a", unit(0), lang="en", year=2020, tags=["x", "y"], ok=True),
        doc("b", unit(10), lang="de", year=2020.0, tags=["y"], ok=1),
        doc("c", unit(20), lang="en", year=2021, tags="x", ok=None),
    ])
    assert ids(store.similarity_search(Q, k=5, filter={"lang": "en"})) == ["a", "c"]
    assert ids(store.similarity_search(Q, k=5, filter={"year": 2020})) == ["a", "b"]  # 2020 == 2020.0
    assert ids(store.similarity_search(Q, k=5, filter={"tags": "x"})) == ["a", "c"]
    assert ids(store.similarity_search(Q, k=5, filter={"ok": True})) == ["a"]  # True is not 1
    assert ids(store.similarity_search(Q, k=5, filter={"ok": None})) == ["c"]
    assert ids(store.similarity_search(Q, k=5, filter={"lang": "en", "tags": "y"})) == ["a"]
    assert store.similarity_search(Q, k=5, filter={"missing": "x"}) == []


# ------------------------------------------------------------------------ traversal
def test_depth_zero_equals_similarity_search(make_store):
    store = make_store()
    store.add_documents([doc(f"d{i}", unit(i * 7), Link.bidir("k", f"t{i % 4}")) for i in range(20)])
    for f in (None, {"missing": 1}):
        a = store.traversal_search(Q, k=5, depth=0, filter=f)
        b = store.similarity_search(Q, k=5, filter=f)
        assert [(d.id, d.metadata) for d in a] == [(d.id, d.metadata) for d in b]


def test_bidir_joins_same_kind_and_tag_only(make_store):
    store = make_store()
    store.add_documents([
        doc("root", unit(0), Link.bidir("person", "Ann")),
        doc("same", unit(90), Link.bidir("person", "Ann")),
        doc("other_kind", unit(91), Link.bidir("place", "Ann")),
        doc("other_tag", unit(92), Link.bidir("person", "Bob")),
    ])
    res = store.traversal_search(Q, k=1, depth=1)
    assert ids(res) == ["root", "same"]
    assert [d.metadata["_depth"] for d in res] == [0, 1]


def test_out_reaches_in_and_not_back(make_store):
    store = make_store()
    store.add_documents([
        doc("src", unit(0), Link.outgoing("href", "p")),
        doc("dst_in", unit(90), Link.incoming("href", "p")),
        doc("dst_bidir", unit(91), Link.bidir("href", "p")),
        doc("dst_out", unit(92), Link.outgoing("href", "p")),  # out does not receive
    ])
    assert sorted(ids(store.traversal_search(Q, k=1, depth=1))[1:]) == ["dst_bidir", "dst_in"]
    # From an "in" chunk nothing is reachable.
    store2 = make_store()
    store2.add_documents([doc("target", unit(0), Link.incoming("href", "p")),
                          doc("source", unit(90), Link.outgoing("href", "p"))])
    assert ids(store2.traversal_search(Q, k=1, depth=3)) == ["target"]


def test_depth_counts_hops_and_no_chunk_twice(make_store):
    store = make_store()
    # A ring a-b-c-d-a plus a chord a-c: several paths to every chunk.
    store.add_documents([
        doc("a", unit(0), Link.bidir("k", "ab"), Link.bidir("k", "da"), Link.bidir("k", "ac")),
        doc("b", unit(100), Link.bidir("k", "ab"), Link.bidir("k", "bc")),
        doc("c", unit(110), Link.bidir("k", "bc"), Link.bidir("k", "cd"), Link.bidir("k", "ac")),
        doc("d", unit(120), Link.bidir("k", "cd"), Link.bidir("k", "da")),
        doc("e", unit(130), Link.bidir("k", "de")),
    ])
    res = store.traversal_search(Q, k=1, depth=5, adjacent_k=None)
    assert sorted(ids(res)) == ["a", "b", "c", "d"]
    assert {d.id: d.metadata["_depth"] for d in res} == {"a": 0, "b": 1, "c": 1, "d": 1}
    res2 = store.mmr_traversal_search(Q, k=10, depth=5, adjacent_k=None)
    assert sorted(ids(res2)) == ["a", "b", "c", "d", "e"]  # e is found by similarity
    assert len(set(ids(res2))) == len(res2)


def test_neighbours_with_zero_or_negative_similarity_are_reachable(make_store):
    store = make_store()
    store.add_documents([
        doc("root", (1, 0, 0), Link.bidir("k", "t")),
        doc("zero", (0, 1, 0), Link.bidir("k", "t")),
        doc("negative", (-1, 0, 0), Link.bidir("k", "t")),
    ])
    res = store.traversal_search(Q, k=1, depth=1)
    assert ids(res) == ["root", "zero", "negative"]
    assert res[2].metadata["_similarity_score"] == pytest.approx(-1.0, abs=1e-6)
    mmr = store.mmr_traversal_search(Q, k=3, fetch_k=1, depth=1)
    assert sorted(ids(mmr)) == ["negative", "root", "zero"]


def _star(store, roots, fan, angle0=60.0):
    """Each root links to `fan` neighbours of its own; neighbour j is less similar as j grows."""
    docs = []
    for r in range(roots):
        docs.append(doc(f"r{r}", unit(r * 0.1), Link.bidir("k", f"root{r}")))
        for j in range(fan):
            docs.append(doc(f"r{r}n{j:02d}", unit(angle0 + j + r * 0.01), Link.bidir("k", f"root{r}"),
                            Link.bidir("k", f"leaf{r}_{j}")))
            docs.append(doc(f"r{r}n{j:02d}x", unit(170 - j * 0.1), Link.bidir("k", f"leaf{r}_{j}")))
    store.add_documents(docs)


def test_adjacent_k_is_per_hop_in_traversal(make_store):
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


def test_adjacent_k_is_per_expansion_in_mmr(make_store):
    store = make_store(settings=TraversalSettings(idf_weight=0, max_tag_share=None))
    _star(store, roots=1, fan=15)
    res = store.mmr_traversal_search(Q, k=40, depth=1, fetch_k=1, adjacent_k=3, lambda_mult=1.0)
    assert ids(res) == ["r0", "r0n00", "r0n01", "r0n02"]


def test_roots_and_neighbours_respect_the_filter(make_store):
    store = make_store()
    store.add_documents([
        doc("best_but_filtered", unit(0), Link.bidir("k", "t"), lang="de"),
        doc("root", unit(5), Link.bidir("k", "t"), lang="en"),
        doc("nb_en", unit(90), Link.bidir("k", "t"), lang="en"),
        doc("nb_de", unit(80), Link.bidir("k", "t"), lang="de"),
    ])
    res = store.traversal_search(Q, k=1, depth=2, filter={"lang": "en"})
    assert ids(res) == ["root", "nb_en"]
    mmr = store.mmr_traversal_search(Q, k=5, fetch_k=1, filter={"lang": "en"})
    assert ids(mmr) == ["root", "nb_en"]


def test_hub_tags_are_not_walked(make_store):
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


def test_hub_limit_relative_to_the_store_size(make_store):
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


def test_neighbours_ranked_by_similarity_weighted_by_tag_rarity(make_store):
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


def test_neighbour_ties_break_by_id(make_store):
    store = make_store(settings=TraversalSettings(idf_weight=0, max_tag_share=None))
    store.add_documents([doc("root", unit(0), Link.bidir("k", "t"))]
                        + [doc(n, unit(60), Link.bidir("k", "t")) for n in ("n3", "n1", "n2", "n0")])
    assert ids(store.traversal_search(Q, k=1, depth=1, adjacent_k=2)) == ["root", "n0", "n1"]


# ------------------------------------------------------------------------------ MMR
def _mmr_docs():
    return [
        doc("a", unit(20), Link.bidir("k", "t")),
        doc("a_twin", unit(22)),  # nearly the same as a: redundant
        doc("b", unit(-30)),
        doc("c", unit(70)),
        doc("linked", unit(100), Link.bidir("k", "t")),  # only reachable through a
    ]


def test_mmr_scores_follow_the_formula(make_store):
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


def test_mmr_lambda_one_is_similarity_order(make_store):
    store = make_store()
    store.add_documents(_mmr_docs())
    res = store.mmr_traversal_search(Q, k=4, depth=0, lambda_mult=1.0)
    assert ids(res) == ids(store.similarity_search(Q, k=4))
    assert all(math.isfinite(d.metadata["_mmr_score"]) for d in res)


@pytest.mark.parametrize("lam", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_mmr_works_on_all_of_zero_to_one(make_store, lam):
    store = make_store()
    store.add_documents(_mmr_docs())
    res = store.mmr_traversal_search(Q, k=5, depth=2, lambda_mult=lam)
    assert sorted(ids(res)) == ["a", "a_twin", "b", "c", "linked"]
    assert all(math.isfinite(d.metadata["_mmr_score"]) for d in res)


def test_mmr_reaches_linked_chunks_and_threshold_stops(make_store):
    store = make_store()
    store.add_documents(_mmr_docs())
    res = store.mmr_traversal_search(Q, k=5, depth=1, fetch_k=1)
    assert ids(res) == ["a", "linked"]
    assert res[1].metadata["_depth"] == 1
    assert ids(store.mmr_traversal_search(Q, k=5, depth=0, fetch_k=1)) == ["a"]
    cut = store.mmr_traversal_search(Q, k=5, depth=0, fetch_k=10, score_threshold=0.0)
    assert all(d.metadata["_mmr_score"] >= 0.0 for d in cut) and 0 < len(cut) < 5


# ------------------------------------------------------------------- bad input
def test_bad_vectors_give_clear_errors(make_store):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0))])
    with pytest.raises(ValueError, match="dimension 2.*3-dimensional"):
        store.add_documents([Document("v:1,0", id="b")])
    with pytest.raises(ValueError, match="NaN"):
        store.add_documents([Document("v:1,nan,0", id="b")])
    with pytest.raises(ValueError, match="zero vector"):
        store.add_documents([Document("v:0,0,0", id="b")])
    with pytest.raises(ValueError, match="query embedding has dimension 4"):
        store.similarity_search("v:1,0,0,0")
    assert len(store) == 1  # nothing half-written


def test_bad_arguments_give_clear_errors(make_store):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0))])
    with pytest.raises(ValueError, match="lambda_mult"):
        store.mmr_traversal_search(Q, lambda_mult=1.5)
    with pytest.raises(ValueError, match="k must be >= 0"):
        store.similarity_search(Q, k=-1)
    with pytest.raises(TypeError, match="depth"):
        store.traversal_search(Q, depth=1.5)
    with pytest.raises(TypeError, match="filter value"):
        store.similarity_search(Q, filter={"a": [1, 2]})
    with pytest.raises(TypeError, match="filter must be a dict"):
        store.similarity_search(Q, filter="lang = 'en'")
    with pytest.raises(ValueError, match="2 ids for 1 documents"):
        store.add_documents([doc("x", (1, 0, 0))], ids=["x", "y"])
    with pytest.raises(ValueError, match="appears twice"):
        store.add_documents([doc("x", (1, 0, 0)), doc("x", (0, 1, 0))])
    with pytest.raises(TypeError, match="JSON"):
        store.add_documents([doc("x", (1, 0, 0), when=object())])
    with pytest.raises(TypeError, match="non-Link"):
        store.add_documents([Document(vec_text((1, 0, 0)), {"links": ["k:t"]}, "x")])
    assert len(store) == 1


def test_sql_fragments_in_tags_filters_and_ids_are_plain_data(make_store):
    store = make_store()
    evil = ["'; DROP TABLE chunks; --", "\" OR 1=1 --", "x') OR ('1'='1", "$1", "%s", "{chunks}", "Robert'); --"]
    docs = [doc(f"root{e}", unit(0), Link.bidir("k'--", e), src=e) for e in evil[:1]]
    docs += [doc(f"n{i}{e}", unit(50 + i), Link.bidir("k'--", evil[0]), Link.bidir(e, e), src=e) for i, e in enumerate(evil)]
    store.add_documents(docs)
    assert len(store) == len(docs)
    res = store.traversal_search(Q, k=1, depth=1, adjacent_k=None)
    assert len(res) == len(docs)
    for e in evil:
        got = store.similarity_search(Q, k=20, filter={"src": e})
        assert {d.metadata["src"] for d in got} == {e}
    assert store.get_by_ids([f"root{evil[0]}"])[0].metadata["links"] == [Link.bidir("k'--", evil[0])]
    assert store.delete([f"n1{evil[1]}"]) == 1
    assert len(store) == len(docs) - 1


def test_closed_store_gives_clear_error(make_store):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0))])
    store.close()
    store.close()  # twice is fine
    for call in (lambda: store.similarity_search(Q), lambda: store.add_documents([doc("b", (0, 1, 0))]),
                 lambda: store.get_by_ids(["a"]), lambda: len(store)):
        with pytest.raises(StoreClosedError, match="closed"):
            call()


# ------------------------------------------------------------------------ async
def test_async_variants(make_store):
    store = make_store()

    async def run():
        await store.aadd_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))])
        sim = await store.asimilarity_search(Q, k=1)
        trav = await store.atraversal_search(Q, k=1, depth=1)
        mmr = await store.ammr_traversal_search(Q, k=2)
        got = await store.aget_by_ids(["b"])
        n = await store.adelete(["b"])
        return sim, trav, mmr, got, n

    sim, trav, mmr, got, n = asyncio.run(run())
    assert ids(sim) == ["a"] and ids(trav) == ["a", "b"] and ids(mmr) == ["a", "b"]
    assert ids(got) == ["b"] and n == 1 and len(store) == 1


def test_as_retriever_gives_langchain_retriever(make_store):
    pytest.importorskip("langchain_core")
    from langchain_core.documents import Document as LCDocument
    from langchain_core.retrievers import BaseRetriever

    store = make_store()
    store.add_documents([doc("a", (1, 0, 0), Link.bidir("k", "t")), doc("b", (0, 1, 0), Link.bidir("k", "t"))])
    for search_type, kwargs, expected in [
        ("similarity", {"k": 1}, ["a"]),
        ("traversal", {"k": 1, "depth": 1}, ["a", "b"]),
        ("mmr_traversal", {"k": 2, "fetch_k": 1}, ["a", "b"]),
    ]:
        retriever = store.as_retriever(search_type=search_type, search_kwargs=kwargs)
        assert isinstance(retriever, BaseRetriever)
        out = retriever.invoke(Q)
        assert all(isinstance(d, LCDocument) for d in out) and [d.id for d in out] == expected
        assert [d.id for d in asyncio.run(retriever.ainvoke(Q))] == expected
    with pytest.raises(ValueError, match="search_type"):
        store.as_retriever(search_type="mmr")
    with pytest.raises(ValueError, match="fetch_k"):
        store.as_retriever(search_type="traversal", search_kwargs={"fetch_k": 3})


def test_langchain_embeddings_object_works(make_store):
    lc = pytest.importorskip("langchain_core.embeddings")
    from store_testkit import HashingEmbeddings

    class LCHashing(lc.Embeddings):  # a LangChain Embeddings subclass, used as is
        def __init__(self):
            self.inner = HashingEmbeddings()

        def embed_documents(self, texts):
            return self.inner.embed_documents(texts)

        def embed_query(self, text):
            return self.inner.embed_query(text)

    store = make_store(embedding=LCHashing())
    store.add_documents([Document("apples and pears", id="fruit"), Document("trains and buses", id="transport")])
    assert store.similarity_search("pears", k=1)[0].id == "fruit"
    assert store.similarity_search("buses", k=1)[0].id == "transport"


# ----------------------------------------------------------------- text every backend can store
@pytest.mark.parametrize(
    "bad, where",
    [
        (dict(id="a\x00evil"), "the id"),
        (dict(id="a\ud800"), "the id"),
        (dict(link=Link.bidir("entity:Person", "Pu\x00tin")), "a link"),
        (dict(link=Link.bidir("entity:Per\udc00son", "Putin")), "a link"),
        (dict(meta={"k\x00": "v"}), "a metadata key"),
        (dict(meta={"k": "v\ud800"}), "metadata['k']"),
        (dict(meta={"k": ["ok", {"deep": "x\x00"}]}), "metadata['k']"),
    ],
)  # fmt: skip
def test_nul_and_lone_surrogates_are_refused_naming_the_document(make_store, bad, where):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0), Link.bidir("entity:Person", "Putin"), source="kept")])
    links = [bad["link"]] if "link" in bad else []
    d = doc(bad.get("id", "b"), (0, 1, 0), *links, **bad.get("meta", {}))
    with pytest.raises(ValueError, match=rf"document 0 \(id .*\): {where.replace('[', '.').replace(']', '.')}"):
        store.add_documents([d])
    # Nothing stored, nothing lost.
    assert ids(store.get_by_ids(["a"])) == ["a"] and len(store) == 1


@pytest.mark.parametrize("bad_id", ["a\x00evil", "a\ud800"])
def test_ids_with_nul_or_surrogates_never_reach_the_database(make_store, bad_id):
    store = make_store()
    store.add_documents([doc("a", (1, 0, 0))])
    for call in (lambda: store.delete([bad_id], missing="ignore"), lambda: store.get_by_ids([bad_id])):
        with pytest.raises(ValueError, match="id"):
            call()
    assert ids(store.get_by_ids(["a"])) == ["a"]  # "a\x00evil" did not delete "a"


def test_vectors_that_overflow_are_refused(make_store):
    from store_testkit import VectorTextEmbeddings

    store = make_store()
    with pytest.raises(ValueError, match="too large to normalise"):
        store.add_documents([doc("a", [1e308] * 3)])
    assert len(store) == 0
    store.add_documents([doc("a", (1, 0, 0))])
    with pytest.raises(ValueError, match="too large"):
        store.similarity_search_by_vector([1e308] * 3)
    assert isinstance(store.embedding, VectorTextEmbeddings)
