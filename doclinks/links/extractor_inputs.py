"""The checks of `GLiNERLinkExtractor`'s arguments and inputs, and its progress bar: the parts of the
extractor that read what the caller gave, apart from the class that links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..ner.validation import check_label_set, check_positive_int, check_threshold

__all__ = ["EXTRACT_KWARGS", "check_extract_kwargs", "check_labels", "text_of", "progress_bar", "length"]

#: The `extract_kwargs` keys `GLiNERLinkExtractor` accepts: those of `GLiNER.inference`,
#: plus `chunk_size` of `GLiNER.iter_inference`.
EXTRACT_KWARGS = ("threshold", "flat_ner", "multi_label", "batch_size", "max_batch_tokens", "chunk_size")


def check_extract_kwargs(extract_kwargs: Any) -> dict[str, Any]:
    """`extract_kwargs` checked (keys of `EXTRACT_KWARGS`, each of its type and range), as a new dict."""
    if extract_kwargs is None:
        return {}
    if not isinstance(extract_kwargs, Mapping):
        raise TypeError(f"extract_kwargs: expected a dict, got {type(extract_kwargs).__name__}")
    out = dict(extract_kwargs)
    for key, value in out.items():
        if key not in EXTRACT_KWARGS:
            raise TypeError(
                f"extract_kwargs: unknown key {key!r}; allowed: {', '.join(EXTRACT_KWARGS)} "
                f"(per-label thresholds go in `thresholds`)"
            )
        if key == "threshold":
            check_threshold(value, "extract_kwargs['threshold']")
        elif key in ("flat_ner", "multi_label"):
            if not isinstance(value, bool):
                raise TypeError(f"extract_kwargs[{key!r}]: expected a bool, got {type(value).__name__}")
        else:
            check_positive_int(value, f"extract_kwargs[{key!r}]")
    return out


def check_labels(labels: Any) -> tuple[list[str], Any]:
    """(label names, what the model gets): a list of names, or a dict {name: description}
    (`doclinks.ner.validation.check_label_set`; a single str is refused: LangChain's list)."""
    prompts, names = check_label_set(labels, "labels", allow_str=False)
    return names, (dict(zip(names, prompts)) if isinstance(labels, Mapping) else names)


def text_of(item: Any, index: int | None) -> str:
    """The text of an input (a str, or a document's ``page_content``); TypeError naming ``inputs[index]``."""
    where = "input" if index is None else f"inputs[{index}]"
    if isinstance(item, str):
        return item
    content = getattr(item, "page_content", None)
    if isinstance(content, str):
        return content
    if content is None:
        raise TypeError(f"{where}: expected a str or a document with page_content, got {type(item).__name__}")
    raise TypeError(f"{where}: page_content must be a str, got {type(content).__name__}")


def progress_bar(iterable: Iterable, total: int | None, enabled: bool, desc: str) -> Iterable:
    """`iterable` behind a tqdm bar when `enabled` (tqdm imported only then)."""
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="doc")


def length(obj: Any) -> int | None:
    """``len(obj)``, None for an iterable without a length (a generator)."""
    try:
        return len(obj)
    except TypeError:
        return None


#: The model call's settings where the user gives none (`GLiNER.inference` arguments).
INFERENCE_DEFAULTS = {
    "threshold": 0.5,
    "flat_ner": True,
    "multi_label": False,
    "batch_size": 8,
    "max_batch_tokens": 8192,
    "chunk_size": 256,
}
