"""Contrast labels: labels asked of the model beside the user's, whose winning spans are dropped.

A zero-shot model asked only for person / organization / location must put "French" or "American"
somewhere, and calls them locations at 0.7-0.98; asked for "nationality" too, in the same call, it gives
those words to "nationality" and keeps Paris a location. With flat decoding each span gets its best label,
so a better-fitting contrast label takes a span away from the user's labels; the extractor then drops the
contrast label's spans instead of linking them. The default set is chosen on
`benchmarks/link_quality.py` (docs/links.md, "Contrast labels"): each label kept pays in link precision
more than it costs in link recall and speed (every label is more prompt for a uni-encoder to read).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..ner.validation import distinct_label_names

__all__ = [
    "DEFAULT_CONTRAST_LABELS",
    "DEFAULT_CONTRAST_MODE",
    "CONTRAST_MODES",
    "check_contrast_labels",
    "check_contrast_mode",
    "contrast_for",
]

#: The contrast labels of an extractor that is not told otherwise (chosen on benchmarks/link_quality.py).
DEFAULT_CONTRAST_LABELS: tuple[str, ...] = ("nationality",)

#: How the contrast labels are asked: "separate" (a second call judges the user's spans, which keep the
#: scores of a call without contrast labels) or "joint" (one call with every label).
CONTRAST_MODES = ("separate", "joint")
DEFAULT_CONTRAST_MODE = "separate"


def check_contrast_mode(mode: object) -> str:
    """`mode` when it is one of `CONTRAST_MODES`, else a ValueError naming them."""
    if mode not in CONTRAST_MODES:
        raise ValueError(f"contrast_mode: expected one of {', '.join(CONTRAST_MODES)}, got {mode!r}")
    return mode


def check_contrast_labels(labels: object, argument: str = "contrast_labels") -> tuple[str, ...]:
    """`labels` as a tuple of distinct, non-empty label names (None or an empty list: none).

    Raises TypeError for a single str (a list is expected) or a non-str item, ValueError for an empty
    name or a lone surrogate."""
    if labels is None:
        return ()
    if isinstance(labels, str):
        raise TypeError(f"{argument}: expected a list of label names, got a single str {labels!r}; write [{labels!r}]")
    if not isinstance(labels, Iterable):
        raise TypeError(f"{argument}: expected None or a list of label names, got {type(labels).__name__}")
    return tuple(distinct_label_names(labels, argument))


def contrast_for(user_labels: Iterable[str], contrast_labels: Iterable[str]) -> tuple[str, ...]:
    """The contrast labels that apply beside `user_labels`: a contrast label named like a user label
    (case and surrounding spaces aside) is the user's, asked for and linked as such, so it is left out."""
    taken = {label.strip().casefold() for label in user_labels}
    return tuple(label for label in contrast_labels if label.strip().casefold() not in taken)
