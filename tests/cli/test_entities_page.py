"""The HTML page of `doclinks entities --format html` (`render_html`, spans marked by `mark_spans`): every
character escaped, spans marked by character offsets (overlapping, nested, adjacent), any text round-trips.
No model: the spans are given."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from doclinks.cli.entities import render_html
from doclinks.html_assets import label_color, mark_spans

VOID = {"meta", "br", "img", "link", "input"}


class MarkedText(HTMLParser):
    """Reads a page back: the text of ``div.entities`` (labels left out), and for each span (``data-span``)
    its label, its pieces' characters joined, and how many ``mark.entity`` / ``mark.entity-more`` it has."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[tuple[str, dict]] = []
        self.spans: dict[int, dict] = {}
        self.in_entities = False
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "div" and attrs.get("class") == "entities":
            self.in_entities = True
        if tag in VOID:
            return
        self.stack.append((tag, attrs))
        if tag == "mark":
            span = self.spans.setdefault(
                int(attrs["data-span"]), {"label": attrs["data-label"], "text": "", "entity": 0, "more": 0}
            )
            span["entity" if attrs["class"] == "entity" else "more"] += 1
            span["color"] = re.fullmatch(r"background: (#[0-9a-f]{3,6})", attrs["style"]).group(1)

    def handle_endtag(self, tag):
        if tag == "div":
            self.in_entities = False
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1:]}: not well nested"
        self.stack.pop()

    def handle_data(self, data):
        if not self.in_entities:
            return
        if any(a.get("class") == "entity-label" for _, a in self.stack):
            return
        self.text.append(data)
        for tag, attrs in self.stack:
            if tag == "mark":
                self.spans[int(attrs["data-span"])]["text"] += data


def read_back(page: str) -> MarkedText:
    parser = MarkedText()
    parser.feed(page)
    parser.close()
    assert not parser.stack, f"unclosed: {parser.stack}"
    return parser


def span(start: int, end: int, label: str) -> dict:
    return {"start": start, "end": end, "label": label}


HOSTILE = '<script>alert(1)</script> Anna & "Bob" <img src=x onerror=alert(2)> met at __TITLE__ in Paris.'


def test_hostile_text_title_and_labels_stay_text():
    label = '"><script>alert(3)</script>'
    records = [span(HOSTILE.index("Anna"), HOSTILE.index("Anna") + 4, "person"),
               span(HOSTILE.index("<img"), HOSTILE.index("<img") + 10, label)]  # fmt: skip
    title = "</title><script>alert(4)</script>"
    page = render_html(HOSTILE, records, ["person", label], title)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    back = read_back(page)
    assert set(back.tags) <= {"html", "head", "meta", "title", "style", "body", "h2", "p", "div", "mark", "span"}
    assert "".join(back.text) == HOSTILE  # the placeholder-like text stays as written
    assert back.spans[1]["label"] == label and back.spans[1]["text"] == "<img src=x"
    assert f"<title>{title.replace('<', '&lt;').replace('>', '&gt;')} · doclinks entities</title>" in page


def test_spans_marked_by_character_offsets_and_coloured_by_label():
    text = "Anna Smith moved to Paris."
    records = [span(0, 10, "Person"), span(20, 25, "Location")]
    back = read_back(render_html(text, records, ["Person", "Location"], "t"))
    assert "".join(back.text) == text
    assert [(s["text"], s["label"], s["entity"], s["more"]) for _, s in sorted(back.spans.items())] == [
        ("Anna Smith", "Person", 1, 0), ("Paris", "Location", 1, 0)]  # fmt: skip
    assert back.spans[0]["color"] == label_color("Person") and back.spans[1]["color"] != back.spans[0]["color"]


def test_adjacent_spans_are_two_marks():
    text = "NewYorkTimes"
    page = mark_spans(text, [span(0, 7, "place"), span(7, 12, "org")], {})
    assert page.count("</mark><mark") == 1
    back = read_back(f'<div class="entities">{page}</div>')
    assert "".join(back.text) == text
    assert {i: (s["text"], s["entity"], s["more"]) for i, s in back.spans.items()} == {
        0: ("NewYork", 1, 0),
        1: ("Times", 1, 0),
    }


@pytest.mark.parametrize(
    "spans",
    [
        [span(0, 19, "org"), span(14, 19, "place")],  # nested, ending together
        [span(14, 19, "place"), span(0, 19, "org")],  # the same, given in another order
        [span(0, 10, "a"), span(5, 19, "b")],  # crossing: b goes on past a's end
        [span(5, 19, "b"), span(0, 10, "a"), span(5, 19, "c"), span(0, 23, "d")],  # crossing, doubled, inside another
        [span(0, 4, "x"), span(0, 4, "y"), span(4, 10, "z")],  # the same span twice, then one adjacent
    ],
)
def test_overlapping_spans_each_cover_their_characters(spans):
    text = "University of Paris, France"
    page = mark_spans(text, spans, {"org": "#abcdef"})
    back = read_back(f'<div class="entities">{page}</div>')
    assert "".join(back.text) == text
    assert page.count('<mark class="entity"') == len(spans)  # one mark.entity per span, pieces apart
    for i, s in enumerate(spans):
        assert back.spans[i]["text"] == text[s["start"] : s["end"]] and back.spans[i]["label"] == s["label"]
        assert back.spans[i]["entity"] == 1
    assert page.count('class="entity-label"') == len(spans)


def test_crossing_span_goes_on_in_a_piece_with_its_label_last():
    text = "abcdefghij"
    page = mark_spans(text, [span(0, 6, "first"), span(3, 9, "second")], {})
    assert re.sub(r' (data-label|style)="[^"]*"', "", page) == (
        '<mark class="entity" data-span="0">abc<mark class="entity" data-span="1">def</mark>'
        '<span class="entity-label">first</span></mark>'
        '<mark class="entity-more" data-span="1">ghi<span class="entity-label">second</span></mark>j'
    )


def test_non_ascii_round_trips():
    text = "Zoë Müller 🎉 flew to Kraków; 東京 and القاهرة, then \u200bSão Paulo.\nNew line\ttab"
    names = ["Zoë Müller", "Kraków", "東京", "القاهرة", "São Paulo"]
    records = [span(text.index(n), text.index(n) + len(n), "place") for n in names]
    page = render_html(text, records, ["place"], "Zoë 🎉")
    back = read_back(page)
    assert "".join(back.text) == text
    assert [back.spans[i]["text"] for i in range(len(names))] == names
    assert page.encode("utf-8").decode("utf-8") == page and '<meta charset="utf-8">' in page


@pytest.mark.parametrize(
    "bad", [span(-1, 2, "x"), span(3, 3, "x"), span(5, 99, "x"), span(4, 2, "x"), span(0.0, 2, "x")]
)
def test_a_span_outside_the_text_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=r"span 1 .* does not lie inside the text \(0\.\.10 characters\)"):
        mark_spans("abcdefghij", [span(0, 2, "ok"), bad], {})


def test_no_spans_and_empty_text():
    assert mark_spans("a < b", [], {}) == "a &lt; b"
    assert mark_spans("", [], {}) == ""


def test_spacy_is_imported_only_by_the_silver_labels():
    """spaCy is an extra (`silver`, for training data): no other module of the package imports it."""
    import ast
    from pathlib import Path

    import doclinks

    root = Path(doclinks.__file__).parent
    importers = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] == "spacy" or n.startswith("en_core_web") for n in names):
                importers.add(path.relative_to(root).as_posix())
    assert importers <= {"ner/train/silver.py"}, importers
