"""The web page of `doclinks serve` in headless Chromium: search, click a tag, the graph grows on click,
and a stored document whose text is HTML runs no script. Skipped when Chromium cannot be had."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.cli.conftest import wait_for

from .conftest import XSS_TEXT

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def page(browser, read_server):
    browser.get(read_server.url + "/")
    wait_for(browser, "return window.doclinksServe && window.doclinksServe.ready")
    return browser


def search(page, query: str, mode: str = "traversal", k: int = 2) -> list:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    box = page.find_element(By.ID, "query")
    box.clear()
    box.send_keys(query)
    Select(page.find_element(By.ID, "mode")).select_by_value(mode)
    k_box = page.find_element(By.ID, "k")
    k_box.clear()
    k_box.send_keys(str(k))
    before = page.execute_script("return window.doclinksServe.searches")
    page.find_element(By.ID, "go").click()
    wait_for(page, f"return window.doclinksServe.searches > {before}")
    return page.find_elements(By.CSS_SELECTOR, "#results li.result")


def test_search_shows_results_with_highlighted_mentions_and_via_tags(page):
    from selenium.webdriver.common.by import By

    results = search(page, "Where does Anna Smith live?", k=1)
    assert "Anna Smith" in results[0].text
    marks = results[0].find_elements(By.CSS_SELECTOR, "mark.ent")
    assert any(m.get_attribute("data-label") == "person" and m.text.startswith("Anna Smith") for m in marks)
    colours = page.execute_script("return window.doclinksServe.colors")
    person = next(m for m in marks if m.get_attribute("data-label") == "person")
    shown = page.execute_script("return arguments[0].style.backgroundColor", person)
    assert shown.replace(" ", "") == _rgb(colours["person"])  # the label's colour, as on the other pages
    via = page.find_elements(By.CSS_SELECTOR, "#results a.tag")
    assert via, "a result at depth 1 says which tags brought it"


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r},{g},{b})"


def test_clicking_a_tag_lists_every_chunk_carrying_it(page):
    from selenium.webdriver.common.by import By

    search(page, "Where does Anna Smith live?", k=1)
    tag = next(
        a for a in page.find_elements(By.CSS_SELECTOR, "#results a.tag") if a.get_attribute("data-tag") == "Anna Smith"
    )
    tag.click()
    wait_for(page, "return window.doclinksServe.lastTag && window.doclinksServe.lastTag.tag === 'Anna Smith'")
    chunks = page.find_elements(By.CSS_SELECTOR, "#tag-chunks li.chunk")
    assert len(chunks) == 2 and all("Anna Smith" in c.text for c in chunks)
    assert page.find_element(By.ID, "tag-title").text.startswith("2 chunks carry person: Anna Smith")


def test_the_graph_of_a_result_grows_when_a_node_is_clicked(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    results = search(page, "Anna Smith lives in Paris", mode="similarity", k=1)
    results[0].find_element(By.CSS_SELECTOR, "button.show-graph").click()
    wait_for(page, "return window.doclinksServe.nodes.length > 0")
    first = page.execute_script("return window.doclinksServe.nodes.getIds()")
    # A tag node that leads further: Anna Smith's chunk -> "Anna Smith" -> the Berlin chunk -> Berlin, Omar ...
    chunk = next(i for i in first if i.startswith("chunk:") and i != first[0])
    time.sleep(1.0)  # let the layout settle, then hold it still for a real click
    page.execute_script("var n = window.doclinksServe.network; n.stopSimulation(); n.fit({animation: false});")
    page.execute_script("document.getElementById('graph').scrollIntoView({block: 'center'})")
    pos = page.execute_script(
        "var n = window.doclinksServe.network; return n.canvasToDOM(n.getPosition(arguments[0]));", chunk
    )
    canvas = page.find_element(By.CSS_SELECTOR, "#graph canvas")
    ActionChains(page).move_to_element_with_offset(
        canvas, int(pos["x"] - canvas.size["width"] / 2), int(pos["y"] - canvas.size["height"] / 2)
    ).click().perform()
    wait_for(page, "return window.doclinksServe.expansions > 0")
    grown = page.execute_script("return window.doclinksServe.nodes.getIds()")
    assert set(first) < set(grown), "the click added the clicked chunk's neighbours"
    if os.environ.get(
        "DOCLINKS_SCREENSHOT"
    ):  # docs/img/serve.png: DOCLINKS_SCREENSHOT=1 pytest tests/serve/test_page.py
        page.set_window_size(1280, 900)
        search(page, "Where does Anna Smith live?", mode="traversal", k=1)
        page.execute_script("window.scrollTo(0, 0); window.doclinksServe.network.fit({animation: false});")
        page.save_screenshot(str(REPO / "docs" / "img" / "serve.png"))


def test_a_document_written_as_html_runs_no_script(page):
    from selenium.webdriver.common.by import By

    results = search(page, "Maria Garcia lives in Lima", mode="similarity", k=1)
    time.sleep(0.5)  # an onerror handler would have run by now
    assert page.execute_script("return window.__xss === undefined")
    assert page.find_elements(By.CSS_SELECTOR, "#results img, #results script") == []
    shown = results[0].find_element(By.CSS_SELECTOR, ".text").text
    assert "<img src=x onerror=" in shown and "<script>" in shown  # shown as text
    assert XSS_TEXT.split(">")[0] in shown
    assert page.execute_script("return window.doclinksServe.errors.length") == 0
