"""The HTML outputs seen as a person would: opened in headless Chromium, clicked.

The graph page must draw its nodes, show a chunk's text when the chunk is clicked, list an
entity's chunks when the entity is clicked, and filter entity labels; the entities page must
highlight every entity. Skipped when Chromium cannot be had (see conftest.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .conftest import LABELS, run_cli, stored_documents, wait_for

TEXT = "Anna Smith moved to Paris. Omar Okafor and Elena Rossi met in Berlin."


def click_node(driver, node_id: str) -> None:
    """A real mouse click on the node's centre on the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    pos = driver.execute_script(
        "var n = window.doclinksGraph.network; return n.canvasToDOM(n.getPosition(arguments[0]));", node_id
    )
    canvas = driver.find_element(By.CSS_SELECTOR, "#graph canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(pos["x"] - size["width"] / 2), int(pos["y"] - size["height"] / 2)
    ).click().perform()


@pytest.fixture(scope="module")
def graph_page(ingested, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "graph.html"
    done = run_cli("graph", "--db", ingested.db, "--html", out, cwd=ingested.root)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def page(browser, graph_page):
    browser.get(graph_page.as_uri())
    wait_for(browser, "return window.doclinksGraph && window.doclinksGraph.ready")
    return browser


def test_graph_page_draws_its_nodes(page, ingested):
    data = page.execute_script("return window.doclinksGraph.data")
    shown = page.execute_script("return window.doclinksGraph.nodeView.length")
    assert shown == len(data["nodes"]) > 0
    assert sum(n["type"] == "chunk" for n in data["nodes"]) == len(list(stored_documents(ingested.db)))
    # Every node is painted: the canvas pixel at its centre is opaque (the background is transparent).
    painted = page.execute_script("""
        var g = window.doclinksGraph, canvas = document.querySelector('#graph canvas');
        var ctx = canvas.getContext('2d'), ratio = canvas.width / canvas.clientWidth;
        return g.data.nodes.map(function (n) {
            var p = g.network.canvasToDOM(g.network.getPosition(n.id));
            return ctx.getImageData(Math.round(p.x * ratio), Math.round(p.y * ratio), 1, 1).data[3];
        });""")
    assert all(alpha > 200 for alpha in painted), painted
    assert page.find_element("css selector", "#summary").text.startswith(
        f"{sum(n['type'] == 'chunk' for n in data['nodes'])} chunks"
    )


def test_clicking_a_chunk_shows_its_text_with_its_entities(page, ingested):
    from selenium.webdriver.common.by import By

    doc = next(d for d in stored_documents(ingested.db) if "Anna Smith moved" in d.page_content)
    node = f"c:{doc.id}"
    click_node(page, node)
    wait_for(page, f"return document.getElementById('details').getAttribute('data-node') === {json.dumps(node)}")
    shown = page.find_element(By.CSS_SELECTOR, "#details .chunk-text")
    marks = [m.text for m in shown.find_elements(By.CSS_SELECTOR, "mark.entity")]
    # The text as stored (less the label badges), with each entity highlighted.
    plain = page.execute_script("""
        var copy = document.querySelector('#details .chunk-text').cloneNode(true);
        copy.querySelectorAll('.ent-label').forEach(function (e) { e.remove(); });
        return copy.textContent;""")
    assert plain == doc.page_content
    assert shown.is_displayed()
    assert any(m.startswith("Anna Smith") for m in marks), marks
    assert len(marks) == len(doc.metadata["entities"])
    assert doc.metadata["source"] in page.find_element(By.CSS_SELECTOR, "#details .meta").text


def test_clicking_an_entity_lists_its_chunks_and_a_chunk_opens(page, ingested):
    from selenium.webdriver.common.by import By

    data = page.execute_script("return window.doclinksGraph.data")
    anna = max((n for n in data["nodes"] if n["type"] == "entity"), key=lambda n: (n["chunks"], n["label"]))
    click_node(page, anna["id"])
    wait_for(page, f"return document.getElementById('details').getAttribute('data-node') === {json.dumps(anna['id'])}")
    assert anna["label"] in page.find_element(By.CSS_SELECTOR, "#details h2").text
    buttons = page.find_elements(By.CSS_SELECTOR, "#details .chunks button")
    assert len(buttons) == anna["chunks"] >= 2
    target = buttons[-1].get_attribute("data-node")
    buttons[-1].click()
    wait_for(page, f"return document.getElementById('details').getAttribute('data-node') === {json.dumps(target)}")
    chunk = next(n for n in data["nodes"] if n["id"] == target)
    assert any(s["tag"] == anna["label"] for s in chunk["spans"])
    assert page.execute_script("return window.doclinksGraph.network.getSelectedNodes()") == [target]


def test_label_filter_hides_and_shows_entities(page):
    from selenium.webdriver.common.by import By

    data = page.execute_script("return window.doclinksGraph.data")
    people = {n["id"] for n in data["nodes"] if n.get("entity_label") == "person"}
    assert people
    box = page.find_element(By.CSS_SELECTOR, '#filters input[data-label="person"]')
    box.click()
    visible = set(page.execute_script("return window.doclinksGraph.nodeView.getIds()"))
    assert not visible & people and len(visible) == len(data["nodes"]) - len(people)
    edges = page.execute_script("return window.doclinksGraph.edgeView.get().map(function (e) { return e.to; })")
    assert not set(edges) & people
    box.click()
    assert page.execute_script("return window.doclinksGraph.nodeView.length") == len(data["nodes"])


def test_entities_page_highlights_every_entity(browser, ner_model, tmp_path):
    from selenium.webdriver.common.by import By

    out = tmp_path / "entities.html"
    done = run_cli(
        "entities", TEXT, "--labels", LABELS, "--model", ner_model, "--format", "html", "-o", out, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    count = int(done.stderr.split()[0])
    browser.get(out.as_uri())
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.entity")
    assert len(marks) == count >= 3
    assert marks[0].text.startswith("Anna Smith") and marks[0].text.endswith("person")
    assert marks[0].value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    assert "moved to" in browser.find_element(By.CSS_SELECTOR, "div.entities").text


def test_entities_page_runs_no_script_from_a_file_name_or_a_label(browser, ner_model, tmp_path):
    """A file name and labels that hold HTML reach the page as text, not as markup."""
    from selenium.webdriver.common.by import By

    name = 'x"><img src=x onerror="document.title=1">.txt'
    (tmp_path / name).write_text(TEXT, encoding="utf-8")
    label = "Location<img src=x onerror=document.body.dataset.p=1>"
    out = tmp_path / "e.html"
    done = run_cli("entities", "--file", name, "--labels", f"Person,{label}", "--model", ner_model,
                   "--format", "html", "-o", out, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    browser.get(out.as_uri())
    time.sleep(0.3)  # an onerror handler would have run by now
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    assert browser.execute_script("return document.body.dataset.p === undefined")
    assert browser.title != "1" and name in browser.title
    assert name in browser.find_element(By.CSS_SELECTOR, "h2").text


def test_graph_page_highlights_the_right_characters_after_an_emoji(browser, tmp_path):
    """Offsets are code points; the page must not read them as UTF-16 units (an emoji is two)."""
    from selenium.webdriver.common.by import By

    from doclinks.document import Document
    from doclinks.links import Link
    from doclinks.store import SQLiteGraphStore

    texts = ["🎉🎉 Party with Anna Smith in Paris.", "Anna Smith 🙂 went home to Paris."]
    docs = []
    for i, text in enumerate(texts):
        records = []
        for name, label in (("Anna Smith", "person"), ("Paris", "location")):
            start = text.index(name)
            records.append({"text": name, "label": label, "score": 0.99, "start": start, "end": start + len(name),
                            "kind": f"entity:{label}", "tag": name, "linked": True})  # fmt: skip
        links = [Link.bidir(r["kind"], r["tag"]) for r in records]
        docs.append(Document(text, {"source": f"t{i}.txt", "entities": records, "links": links}, id=f"d{i}"))
    db = tmp_path / "g.db"
    store = SQLiteGraphStore(db)
    store.add_documents(docs)
    store.close()
    out = tmp_path / "g.html"
    done = run_cli("graph", "--db", db, "--html", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    browser.get(out.as_uri())
    wait_for(browser, "return window.doclinksGraph && window.doclinksGraph.ready")
    click_node(browser, "c:d0")
    wait_for(browser, "return document.getElementById('details').getAttribute('data-node') === 'c:d0'")
    shown = browser.find_element(By.CSS_SELECTOR, "#details .chunk-text")
    marks = browser.execute_script("""
        return Array.from(document.querySelectorAll('#details .chunk-text mark.entity')).map(function (m) {
            var copy = m.cloneNode(true); copy.querySelectorAll('.ent-label').forEach(function (e) { e.remove(); });
            return copy.textContent; });""")
    assert marks == ["Anna Smith", "Paris"]
    assert shown.text.startswith("🎉🎉 Party with")
