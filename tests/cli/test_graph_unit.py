"""The graph and the inventory behind `graph` and `stats`, on hand-made documents (no model)."""

from __future__ import annotations

import json
import re

import pytest

from doclinks.cli.errors import CommandError
from doclinks.cli.graph import build_graph, render_html, to_graphml, vis_network_js
from doclinks.cli.inventory import Inventory
from doclinks.document import Document
from doclinks.links import Link

EVIL = '</script><script>alert("x")</script><!--'


def doc(id_, text, *links, **meta):
    return Document(page_content=text, metadata={"links": list(links), **meta}, id=id_)


def P(tag, direction="bidir"):
    return Link("entity:Person", direction, tag)


def test_link_directions_degrees_and_pairs():
    inv = Inventory.from_documents([
        doc("a", "A", P("Ann"), P("Bob")),
        doc("b", "B", P("Ann"), P("Bob")),
        doc("c", "C", P("Ann", "out")),  # reaches a and b, is reached by nobody
        doc("d", "D", P("Ann", "in")),  # reached by a, b, c
        doc("e", "E", P("Eve")),  # alone
    ])  # fmt: skip
    assert inv.degree(("entity:Person", "Ann")) == 3  # a, b, d carry the incoming side
    assert inv.links == 7 and len(inv.tags) == 3
    assert sorted(inv.linking_tags()) == [("entity:Person", "Ann"), ("entity:Person", "Bob")]
    # Pairs: a-b, a-d, b-d, c-a, c-b, c-d.
    assert inv.linked_pairs() == 6
    assert inv.linked_pairs(max_degree=2) == 1  # only Bob (degree 2) is walked: a-b
    assert inv.unlinked_chunks() == 1 and inv.unlinked_chunks(max_degree=2) == 3


def test_graph_nodes_edges_and_hubs():
    docs = [doc(str(i), f"text {i}", P("Ann"), Link("entity:Location", "bidir", "Paris") if i < 2 else P("Zed"),
                source="notes/a.txt", chunk=i) for i in range(4)]  # fmt: skip
    g = build_graph(Inventory.from_documents(docs), max_tag_degree=3)
    entities = {n["label"]: n for n in g.nodes if n["type"] == "entity"}
    assert set(entities) == {"Ann", "Paris", "Zed"} and g.labels == ["Location", "Person"]
    assert entities["Ann"]["hub"] and not entities["Paris"]["hub"]  # degree 4 > 3
    assert [n["label"] for n in g.nodes if n["type"] == "chunk"] == ["a.txt #0", "a.txt #1", "a.txt #2", "a.txt #3"]
    assert len(g.edges) == 8 and all(e["direction"] == "bidir" for e in g.edges)
    only_location = build_graph(Inventory.from_documents(docs), labels=["Location"])
    assert [n["label"] for n in only_location.nodes if n["type"] == "entity"] == ["Paris"]
    with pytest.raises(CommandError, match="no entities of Drug"):
        build_graph(Inventory.from_documents(docs), labels=["Drug"])
    with pytest.raises(CommandError, match="--min-chunks"):
        build_graph(Inventory.from_documents(docs), min_chunks=0)


def test_page_keeps_hostile_text_inert():
    docs = [
        doc("a", EVIL + " Ann", P(EVIL), source=EVIL, chunk=0),
        doc("b", "Ann again", P(EVIL), source="b.txt", chunk=0),
    ]
    page = render_html(build_graph(Inventory.from_documents(docs), title=EVIL))
    assert EVIL not in page and "<script>alert" not in page
    # The data, the library, the page's own code (the library itself holds one "<script" string).
    assert page.count("<script") == 3 + vis_network_js().count("<script")
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', page, re.S).group(1))
    assert data["title"] == EVIL and data["nodes"][0]["text"].startswith(EVIL)
    graphml = to_graphml(build_graph(Inventory.from_documents(docs)))
    assert "<script>" not in graphml  # XML-escaped
    assert vis_network_js().lstrip().startswith("/**")


def test_a_label_has_one_colour_on_every_page():
    from doclinks.cli.colors import PALETTE, label_color, label_colors
    from doclinks.cli.entities import render_html as entities_page

    entities = label_colors(["Person", "Location"])
    graph = label_colors(["Organization", "Location", "Person", "Drug"])
    assert entities["Person"] == graph["Person"] == label_color("person")
    assert entities["Location"] == graph["Location"]
    assert len(set(label_colors([f"L{i}" for i in range(len(PALETTE))]).values())) == len(PALETTE)  # no clash on a page
    page = entities_page(
        "Anna Smith met Omar.", [{"start": 0, "end": 10, "label": "Person"}], ["Location", "Person"], "t"
    )
    assert label_color("Person") in page
