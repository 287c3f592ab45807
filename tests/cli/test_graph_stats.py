"""`doclinks graph` (HTML, GraphML, JSON) and `doclinks stats` on the ingested corpus."""

from __future__ import annotations

import json
import re

import networkx as nx

from doclinks import cli
from doclinks.cli.inventory import Inventory
from doclinks.links.contrast import DEFAULT_CONTRAST_LABELS

from .conftest import run_cli, stored_documents


def graph_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
    assert m, "no graph data in the page"
    return json.loads(m.group(1))


def test_html_page_is_self_contained(ingested, tmp_path):
    out = tmp_path / "graph.html"
    done = run_cli("graph", "--db", ingested.db, "--html", out, cwd=ingested.root)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and f"wrote {out}" in done.stderr
    page = out.read_text(encoding="utf-8")
    # Offline: no script, stylesheet or image is loaded from anywhere.
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page, re.I)
    assert "vis-network" in page and "@version 9." in page  # the library, inlined
    data = graph_data(page)
    inv = Inventory.from_documents(stored_documents(ingested.db))
    chunks = [n for n in data["nodes"] if n["type"] == "chunk"]
    entities = [n for n in data["nodes"] if n["type"] == "entity"]
    assert len(chunks) == len(inv.docs)
    assert entities and all(n["chunks"] >= 2 for n in entities)  # the entities that link chunks
    assert {n["label"] for n in entities} == {t for _, t in inv.linking_tags()}
    assert {l["name"] for l in data["labels"]} == {n["entity_label"] for n in entities}
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    texts = {n["text"] for n in chunks}
    assert texts == {d.page_content for d in inv.docs}


def test_graphml_and_json_for_other_tools(ingested, tmp_path):
    out = tmp_path / "graph.graphml"
    done = run_cli("graph", "--db", ingested.db, "--format", "graphml", "--output", out, cwd=ingested.root)
    assert done.returncode == 0, done.stderr
    g = nx.read_graphml(out)
    types = nx.get_node_attributes(g, "type")
    assert set(types.values()) == {"chunk", "entity"}
    assert all(types[a] != types[b] for a, b in g.edges)  # bipartite: chunk - entity
    assert all(isinstance(g.nodes[n]["text"], str) for n in g if types[n] == "chunk")

    assert cli.main(["graph", "--db", str(ingested.db), "--format", "json", "--min-chunks", "1"]) == 0


def test_json_to_stdout_filters(ingested, capsys):
    assert cli.main(["graph", "--db", str(ingested.db), "--format", "json"]) == 0
    linking = nx.node_link_graph(json.loads(capsys.readouterr().out), edges="edges")
    assert cli.main(["graph", "--db", str(ingested.db), "--format", "json", "--min-chunks", "1"]) == 0
    everything = nx.node_link_graph(json.loads(capsys.readouterr().out), edges="edges")
    assert cli.main(["graph", "--db", str(ingested.db), "--format", "json", "--labels", "person"]) == 0
    people = nx.node_link_graph(json.loads(capsys.readouterr().out), edges="edges")

    def entities(g):
        return {n for n, d in g.nodes(data=True) if d["type"] == "entity"}

    inv = Inventory.from_documents(stored_documents(ingested.db))
    assert len(entities(everything)) == len(inv.tags) > len(entities(linking))
    labels = {d["entity_label"] for n, d in people.nodes(data=True) if d["type"] == "entity"}
    assert labels == {"person"}
    assert cli.main(["graph", "--db", str(ingested.db), "--format", "json", "--labels", "Drug"]) == 1
    assert "no entities of Drug" in capsys.readouterr().err


def test_stats(ingested, capsys):
    assert cli.main(["stats", "--db", str(ingested.db), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    s = ingested.summary
    assert (stats["chunks"], stats["distinct_tags"]) == (s["stored_chunks"], s["distinct_tags"])
    assert stats["sources"] == s["documents"] and stats["links"] > 0
    assert stats["linked_pairs"] > 0  # the corpus shares people and places across files
    assert stats["max_tag_degree"] == 10 and stats["hubs"] == []  # the store's limit for 7 chunks
    degrees = [r["degree"] for r in stats["most_linked"]]
    assert degrees and degrees == sorted(degrees, reverse=True) and min(degrees) >= 2
    assert sum(stats["tags_per_label"].values()) == stats["distinct_tags"]
    assert stats["contrast_labels"] == [sorted(DEFAULT_CONTRAST_LABELS)]  # ingested with the default set

    # With a hub limit of 1 every linking tag is a hub: traversal would walk none.
    assert cli.main(["stats", "--db", str(ingested.db), "--json", "--max-tag-degree", "1"]) == 0
    small = json.loads(capsys.readouterr().out)
    assert small["most_linked"] == [] and small["linked_pairs"] == 0
    assert {(r["kind"], r["tag"]) for r in small["hubs"]} >= {(r["kind"], r["tag"]) for r in stats["most_linked"]}
    assert small["unlinked_chunks"] == small["chunks"]


def test_stats_text(ingested):
    done = run_cli("stats", "--db", ingested.db, "--max-tag-degree", "1", cwd=ingested.root)
    assert done.returncode == 0, done.stderr
    for words in ("chunks", "entity mentions", "distinct tags", "linked pairs", "every linking tag is a hub",
                  "hub tags: on more than 1 chunk (max_tag_degree), not walked by traversal"):  # fmt: skip
        assert words in done.stdout, words
    inv = Inventory.from_documents(stored_documents(ingested.db))
    assert all(tag in done.stdout for _, tag in inv.linking_tags())  # every one listed as a hub
    assert f"contrast labels  {', '.join(DEFAULT_CONTRAST_LABELS)} (spans that fit these better" in done.stdout


def test_contrast_labels_from_the_command_line(tmp_path, small_ner_checkpoint):
    (tmp_path / "a.txt").write_text("Anna Smith moved to Paris in 2019.", encoding="utf-8")
    db = tmp_path / "g.db"
    common = ("--labels", "person,location", "--model", str(small_ner_checkpoint), "--db", str(db), "--no-progress")
    done = run_cli("ingest", tmp_path / "a.txt", *common, "--contrast-labels", "date, event")
    assert done.returncode == 0, done.stderr
    tags = {(link.kind, link.tag) for d in stored_documents(db) for link in d.metadata["links"]}
    assert ("entity:location", "2019") not in tags and ("entity:person", "Anna Smith") in tags
    (tmp_path / "b.txt").write_text("Omar Okafor visited Berlin in 2020.", encoding="utf-8")
    done = run_cli("ingest", tmp_path / "b.txt", *common, "--contrast-labels", "none")
    assert done.returncode == 0, done.stderr
    stats = run_cli("stats", "--db", db)
    assert "contrast labels  differ between ingests: none | date, event" in stats.stdout, stats.stdout
