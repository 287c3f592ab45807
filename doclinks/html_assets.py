"""What doclinks' HTML pages share: one colour per entity label (displaCy's soft palette), text with its
entity spans marked (`mark_spans`), and the vis-network script that draws graphs (the build the ``pyvis``
package ships: no CDN, works offline).

A label's colour depends on its name alone (a stable hash into `PALETTE`), not on which other
labels a page shows, so "Person" has one colour on the entities page and on the graph page.
Two labels may share a colour; within one page the next free colour is taken instead.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

__all__ = ["PALETTE", "label_color", "label_colors", "mark_spans", "vis_network_file"]

PALETTE = (
    "#7aecec", "#feca74", "#aa9cfc", "#bfeeb7", "#ff9561", "#c887fb",
    "#9cc9cc", "#ffeb80", "#f0a3ff", "#e4e7d2", "#ff8197", "#66c2a5",
)  # fmt: skip


def label_color(label: str) -> str:
    """The colour of `label` (case-insensitive): `PALETTE` at a CRC-32 of its name."""
    return PALETTE[zlib.crc32(label.casefold().encode("utf-8")) % len(PALETTE)]


def label_colors(labels: Iterable[str]) -> dict[str, str]:
    """``{label: colour}`` for one page: each label's own colour (`label_color`), unless an earlier
    label of the page (in sorted order) has it, then the next free one in `PALETTE`."""
    out: dict[str, str] = {}
    for label in sorted(set(labels), key=str.casefold):
        color = label_color(label)
        used = set(out.values())
        if color in used and len(used) < len(PALETTE):
            start = PALETTE.index(color)
            color = next(
                PALETTE[(start + i) % len(PALETTE)]
                for i in range(len(PALETTE))
                if PALETTE[(start + i) % len(PALETTE)] not in used
            )
        out[label] = color
    return out


def _check_spans(text: str, spans: Sequence[Mapping]) -> list[tuple[int, int, str]]:
    checked = []
    for i, span in enumerate(spans):
        start, end, label = span["start"], span["end"], span["label"]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise ValueError(
                f"span {i} ({start}, {end}) does not lie inside the text (0..{len(text)} characters) or is empty"
            )
        checked.append((start, end, str(label)))
    return checked


def mark_spans(text: str, spans: Sequence[Mapping], colors: Mapping[str, str]) -> str:
    """`text` as HTML (every character escaped) with each span ``{"start", "end", "label"}`` (character
    offsets, end exclusive) in a ``<mark class="entity">`` coloured by ``colors[label]`` (grey if absent),
    its label in a trailing ``<span class="entity-label">``: one ``mark.entity`` per span.

    Overlapping spans nest: the longer outside, the one starting first outside the one starting later. A
    span that crosses the end of an enclosing one is cut there, and goes on in ``<mark class="entity-more">``
    pieces (same colour, same ``data-span``), its label after its last piece; so the text between the tags
    is `text` exactly, in order. Adjacent spans (one ends where the next starts) stay two marks.

    Raises:
        ValueError: a span is empty or lies outside the text.
    """
    checked = _check_spans(text, spans)
    order = sorted(range(len(checked)), key=lambda i: (checked[i][0], -checked[i][1], i))
    cuts = sorted({0, len(text)} | {p for start, end, _ in checked for p in (start, end)})
    starting: dict[int, list[int]] = {}
    for i in order:
        starting.setdefault(checked[i][0], []).append(i)
    out: list[str] = []
    open_spans: list[int] = []  # the marks open now, outermost first

    def open_mark(i: int, css_class: str) -> None:
        _, _, label = checked[i]
        color = colors.get(label, "#ddd")
        out.append(
            f'<mark class="{css_class}" data-span="{i}" data-label="{html.escape(label)}" style="background: {html.escape(color)}">'
        )

    for here, there in zip(cuts, cuts[1:] + [None]):
        ending = {i for i in open_spans if checked[i][1] == here}
        reopen = []
        while ending:  # close down to the last span that ends here; the others reopen after
            i = open_spans.pop()
            if i in ending:
                ending.discard(i)
                out.append(f'<span class="entity-label">{html.escape(checked[i][2])}</span></mark>')
            else:
                reopen.append(i)
                out.append("</mark>")
        for i in reversed(reopen):
            open_mark(i, "entity-more")
            open_spans.append(i)
        for i in starting.get(here, []):
            open_mark(i, "entity")
            open_spans.append(i)
        if there is not None:
            out.append(html.escape(text[here:there], quote=False))
    return "".join(out)


def vis_network_file() -> Path:
    """The newest ``vis-network.min.js`` inside the installed ``pyvis`` package.

    Raises:
        FileNotFoundError: pyvis holds none (a broken installation).
    """
    root = resources.files("pyvis") / "templates" / "lib"
    found = []
    for folder in root.iterdir():
        m = re.fullmatch(r"vis-(\d+)\.(\d+)\.(\d+)", folder.name)
        if m and (folder / "vis-network.min.js").is_file():
            found.append((tuple(int(x) for x in m.groups()), Path(str(folder / "vis-network.min.js"))))
    if not found:
        raise FileNotFoundError("the pyvis package holds no vis-network.min.js; reinstall doclinks (pip install pyvis)")
    return max(found)[1]
