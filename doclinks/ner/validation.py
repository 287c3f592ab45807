"""Checks of what callers hand a NER model: texts, entity labels, thresholds and sizes.

One place, so that `GLiNER`, the link extractor and the command line refuse bad input with the same
words. A wrong type is a `TypeError`, a wrong value a `ValueError`; every message starts with the name
of the argument (`argument` / `name`), e.g. "labels: a label is empty or only whitespace".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def distinct_label_names(labels: Iterable, argument: str) -> list[str]:
    """The label names of `labels` in order, each once. A TypeError names an item that is not a str; a
    ValueError an empty or whitespace-only name, or one with a lone surrogate (`check_text`)."""
    names: list[str] = []
    for label in labels:
        if not isinstance(label, str):
            raise TypeError(f"{argument}: every label must be a str, got {type(label).__name__}: {label!r}")
        if not label.strip():
            raise ValueError(f"{argument}: a label is empty or only whitespace")
        check_text(label, f"{argument}: label {label!r}")
        if label not in names:
            names.append(label)
    return names


def check_text(value: str, what: str) -> None:
    """Raise ValueError when `value` holds a lone surrogate (it cannot be encoded, so no tokenizer
    reads it); `what` names the value in the message."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} holds a lone surrogate at character {exc.start}: not valid Unicode text") from None


def check_label_set(labels: object, argument: str = "labels", *, allow_str: bool = True) -> tuple[list[str], list[str]]:
    """(prompts, names) of one label set: a list (any iterable) of names, or a dict {name: description}.

    The model reads the prompt (the description, else the name); the name is what comes back. Duplicate
    names are dropped, keeping the first (as `gliner`). A single str is one label when `allow_str`
    (default True, as `gliner`), else a TypeError that shows how to write the list.
    """
    if isinstance(labels, str):
        if not allow_str:
            raise TypeError(
                f"{argument}: expected a list of label names, got a single str {labels!r}; write [{labels!r}]"
            )
        labels = [labels]
    if isinstance(labels, Mapping):
        names, prompts = [], []
        for name, description in labels.items():
            if not isinstance(name, str) or not isinstance(description, str):
                raise TypeError(
                    f"{argument}: a label dict must map str names to str descriptions, got {name!r}: {description!r}"
                )
            if not name.strip():
                raise ValueError(f"{argument}: a label is empty or only whitespace")
            if not description.strip():
                raise ValueError(f"{argument}: the description of label {name!r} is empty")
            check_text(name, f"{argument}: label {name!r}")
            check_text(description, f"{argument}: the description of label {name!r}")
            names.append(name)  # dict keys are unique already
            prompts.append(description)
        if not names:
            raise ValueError(f"{argument}: no labels given")
        return prompts, names
    if not isinstance(labels, Iterable):
        raise TypeError(f"{argument}: expected a list of label names or a dict, got {type(labels).__name__}")
    names = distinct_label_names(labels, argument)
    if not names:
        raise ValueError(f"{argument}: no labels given")
    return list(names), names


def check_labels(labels: object, argument: str = "labels", *, allow_str: bool = True) -> list[str]:
    """The label names of one label set (see `check_label_set`: a list of names or a dict {name:
    description}; duplicates dropped, first kept; a single str is one label when `allow_str`)."""
    return check_label_set(labels, argument, allow_str=allow_str)[1]


def check_threshold(value: object, name: str = "threshold") -> float:
    """`value` as a float, checked to be a probability threshold in the open interval (0, 1).

    TypeError for anything but an int or float (a bool or a str included); ValueError for 0, 1, NaN,
    infinities and anything else outside (0, 1).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}: expected a number in (0, 1), got {type(value).__name__}: {value!r}")
    if not 0.0 < float(value) < 1.0:  # NaN fails this too
        raise ValueError(f"{name}: must lie in (0, 1), got {value}")
    return float(value)


def check_positive_int(value: object, name: str) -> int:
    """`value`, checked to be an int >= 1 (a size: batch_size, chunk_size, ...): TypeError for another
    type (a bool or a float included), ValueError below 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: expected an integer >= 1, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: must be >= 1, got {value}")
    return value
