"""What doclinks' HTML pages share: one colour per entity label (displaCy's soft palette), and the
vis-network script that draws graphs (the build the ``pyvis`` package ships: no CDN, works offline).

A label's colour depends on its name alone (a stable hash into `PALETTE`), not on which other
labels a page shows, so "Person" has one colour on the entities page and on the graph page.
Two labels may share a colour; within one page the next free colour is taken instead.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

__all__ = ["PALETTE", "label_color", "label_colors", "vis_network_file"]

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
            color = next(PALETTE[(start + i) % len(PALETTE)] for i in range(len(PALETTE)) if PALETTE[(start + i) % len(PALETTE)] not in used)
        out[label] = color
    return out


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
