"""The one error of the command line, and how library errors become its messages."""

from __future__ import annotations

import re

__all__ = ["CommandError", "FLAGS", "with_flags"]


class CommandError(Exception):
    """A problem the user can fix (a bad option, a missing file, not a doclinks database, ...).

    The command line prints its message as one line on stderr and exits with status 1.
    """


#: Library parameter names -> the command line's flags: the library's `ValueError` messages
#: name parameters ("chunk_size must be ..."); the user should read the flag they typed.
FLAGS = {
    "chunk_size": "--chunk-size", "chunk_overlap": "--chunk-overlap", "batch_size": "--batch-size",
    "threshold": "--threshold", "min_link_score": "--min-link-score", "labels": "--labels",
    "text_field": "--text-field", "adjacent_k": "--adjacent-k", "fetch_k": "--fetch-k", "k": "--k",
    "depth": "--depth", "lambda_mult": "--lambda-mult", "encoding": "--encoding",
    "contrast_labels": "--contrast-labels",
}  # fmt: skip

_NAMES = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, FLAGS), key=len, reverse=True)) + r")\b(?=\s*(?:must|:|=|\(|,))"
)


def with_flags(message: str) -> str:
    """`message` with the library's parameter names written as the command line's flags."""
    return _NAMES.sub(lambda m: FLAGS[m.group(1)], message)
