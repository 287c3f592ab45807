"""One colour per entity label, shared by the HTML pages (displaCy's soft palette)."""

from __future__ import annotations

from collections.abc import Iterable

PALETTE = (
    "#7aecec", "#feca74", "#aa9cfc", "#bfeeb7", "#ff9561", "#c887fb",
    "#9cc9cc", "#ffeb80", "#f0a3ff", "#e4e7d2", "#ff8197", "#66c2a5",
)  # fmt: skip


def label_colors(labels: Iterable[str]) -> dict[str, str]:
    """``{label: colour}``, in the order given, cycling through `PALETTE`."""
    out: dict[str, str] = {}
    for label in labels:
        if label not in out:
            out[label] = PALETTE[len(out) % len(PALETTE)]
    return out
