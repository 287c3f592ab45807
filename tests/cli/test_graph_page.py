"""The graph page as a new user meets it (issue 29, item 5), in headless Chromium.

- Before any script has run, the graph area says "Laying out the graph…" (it used to be empty until
  the layout was done); the note goes once the graph is drawn.
- A legend explains the red dashed ring of hub tags, with the limit, and the other marks.
- Node labels never overlap: the page draws them itself and leaves out a label that would cover one
  already drawn (most linked entities first); pointing at a node brings its label back.

The database is made through the library (no model): 30 chunks linked by 14 organisations with long
names, and a place on 12 chunks, above the hub limit of 10.
"""

from __future__ import annotations

import base64
import itertools
import time

import pytest

from .conftest import run_cli
from .test_browser import wait_for

NAMES = ["United States Supreme Court", "Medicare", "Anna Smith", "Omar Okafor", "Elena Rossi", "Hiroshi Tanaka",
         "International Monetary Fund", "World Health Organization", "Department of Justice", "Federal Reserve",
         "European Central Bank", "Margaret Ellery", "Tomas Varga", "Lisbon Harbour Commission"]  # fmt: skip


@pytest.fixture(scope="module")
def crowded_page(tmp_path_factory):
    from doclinks.document import Document
    from doclinks.links import Link
    from doclinks.store import SQLiteGraphStore

    root = tmp_path_factory.mktemp("crowded")
    docs = []
    for i in range(30):
        names = list(dict.fromkeys([NAMES[i % 14], NAMES[(i * 3 + 1) % 14], NAMES[(i * 5 + 2) % 14]]))
        links = [Link.bidir("entity:Organization", n) for n in names] + (
            [Link.bidir("entity:Location", "Paris")] if i < 12 else []
        )
        docs.append(
            Document(
                f"Chunk {i}: {', '.join(names)}.", {"source": f"doc{i}.txt", "chunk": 0, "links": links}, id=f"d{i}"
            )
        )
    with SQLiteGraphStore(root / "g.db") as store:
        store.add_documents(docs)
    done = run_cli("graph", "--db", root / "g.db", "--html", root / "g.html", cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "g.html"


@pytest.fixture
def page(browser, crowded_page):
    browser.get(crowded_page.as_uri())
    wait_for(browser, "return window.doclinksGraph && window.doclinksGraph.ready")
    return browser


def dark_pixels(browser, png: bytes) -> int:
    """Pixels darker than mid-grey in a PNG, counted by the browser's own decoder (on a blank page)."""
    browser.get("about:blank")
    return browser.execute_async_script(
        """
        var done = arguments[1], img = new Image();
        img.onload = function () {
            var c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            var ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
            var d = ctx.getImageData(0, 0, c.width, c.height).data, n = 0;
            for (var i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 3 * 128) n++;
            done(n);
        };
        img.src = 'data:image/png;base64,' + arguments[0];""",
        base64.b64encode(png).decode(),
    )


def find_node(browser, selector: str) -> tuple[int, int]:
    """(document node id, node id of `selector`) through the DevTools protocol. A document that is still settling
    after load can renumber its nodes between the two calls ("Could not find node with given id", seen once on a
    loaded machine): then both are asked again, up to 5 times."""
    from selenium.common.exceptions import WebDriverException

    for attempt in range(5):
        try:
            root = browser.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
            return root, browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        except WebDriverException as exc:
            if "Could not find node" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


def test_the_graph_area_says_laying_out_before_any_script_runs(browser, crowded_page):
    # The first frame a user sees, before the layout script has run: scripts off, a screenshot of the graph area.
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(crowded_page.as_uri())
        root, graph = find_node(browser, "#graph")
        x0, y0, x1, _, _, y2 = browser.execute_cdp_cmd("DOM.getBoxModel", {"nodeId": graph})["model"]["border"][:6]
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": {
            "x": x0, "y": y0, "width": x1 - x0, "height": y2 - y0, "scale": 1}})["data"]  # fmt: skip
        status = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": "#layout-status"})["nodeId"]
        status_html = browser.execute_cdp_cmd("DOM.getOuterHTML", {"nodeId": status})["outerHTML"] if status else ""
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    assert x1 - x0 > 400 and dark_pixels(browser, base64.b64decode(shot)) > 50  # something is painted there...
    assert "Laying out the graph…" in status_html  # ...and it is this note
    browser.get(crowded_page.as_uri())
    wait_for(browser, "return window.doclinksGraph && window.doclinksGraph.ready")
    assert not browser.find_element("css selector", "#layout-status").is_displayed()


def test_a_legend_explains_the_hub_ring(page):
    legend = page.find_element("css selector", "#legend")
    assert legend.is_displayed()
    text = legend.text
    assert "hub tag, carried by more than 10 chunks" in text and "search does not walk it (1 in this graph)" in text
    assert "a chunk of text" in text and "an entity" in text and "dashed line" in text
    hub = page.execute_script("""var g = window.doclinksGraph, n = g.data.nodes.filter(function (n) { return n.hub; });
        return n.map(function (x) { var v = g.nodes.get(x.id); return [x.label, v.color.border, v.borderWidth]; });""")
    ring = page.execute_script(
        "var c = document.querySelector('#legend-hub circle'); "
        "return [c.getAttribute('stroke'), c.getAttribute('stroke-width')];"
    )
    assert hub == [["Paris", ring[0], int(ring[1])]]  # the legend draws the ring the hub node has


def boxes_overlap(a, b) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_labels_do_not_overlap_and_a_hidden_one_shows_on_pointing(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    shown = page.execute_script("return window.doclinksGraph.shownLabels()")
    assert len(shown) >= 10 and shown[0]["text"] == "Paris"  # the most linked entity first
    assert not [(a["text"], b["text"]) for a, b in itertools.combinations(shown, 2) if boxes_overlap(a, b)]
    # Each label is where the page says, measured here: under its node, as wide as its text.
    geometry = page.execute_script("""
        var g = window.doclinksGraph, m = document.createElement('canvas').getContext('2d');
        return g.data.nodes.map(function (n) {
            m.font = n.type === 'entity' ? '600 13px sans-serif' : '11px sans-serif';
            var box = g.network.getBoundingBox(n.id);
            var at = g.network.canvasToDOM({x: (box.left + box.right) / 2, y: box.bottom});
            return {id: n.id, text: n.label, x: at.x, y: at.y, width: m.measureText(n.label).width + 4,
                    size: n.type === 'entity' ? 13 : 11};
        });""")
    by_id = {g["id"]: g for g in geometry}
    for label in shown:
        g = by_id[label["id"]]
        assert label["text"] == g["text"] and abs(label["x"] - g["x"]) < 0.5 and label["top"] >= g["y"]
        assert abs((label["right"] - label["left"]) - g["width"]) < 0.5
    # Drawn all, the labels would overlap: some are left out, and what is drawn is text on the canvas.
    every = [{"left": g["x"] - g["width"] / 2, "right": g["x"] + g["width"] / 2, "top": g["y"] + 2, "bottom": g["y"] + 4 + g["size"]}
             for g in geometry]  # fmt: skip
    assert any(boxes_overlap(a, b) for a, b in itertools.combinations(every, 2)) and len(shown) < len(geometry)
    ink = page.execute_script(
        """
        var l = arguments[0], c = document.querySelector('#graph canvas'), r = c.width / c.clientWidth;
        var d = c.getContext('2d').getImageData(Math.round(l.left * r), Math.round(l.top * r),
                                               Math.round((l.right - l.left) * r), Math.round((l.bottom - l.top) * r)).data;
        var n = 0; for (var i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i] + d[i + 1] + d[i + 2] < 300) n++;
        return n;""",
        shown[0],
    )
    assert ink > 20
    # A node whose label is left out: pointing at it draws its label first.
    hidden = next(g for g in geometry if g["id"] not in {s["id"] for s in shown})
    pos = page.execute_script(
        "var n = window.doclinksGraph.network; return n.canvasToDOM(n.getPosition(arguments[0]));", hidden["id"]
    )
    canvas = page.find_element(By.CSS_SELECTOR, "#graph canvas")
    ActionChains(page).move_to_element_with_offset(canvas, int(pos["x"] - canvas.size["width"] / 2),
                                                   int(pos["y"] - canvas.size["height"] / 2)).perform()  # fmt: skip
    wait_for(
        page,
        "return window.doclinksGraph.shownLabels()[0].id === arguments[0]".replace("arguments[0]", repr(hidden["id"])),
    )
