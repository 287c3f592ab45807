"""Metadata filters: how metadata values become index tokens, and a filter the tokens it must match.

Every backend indexes ``(metadata key, value token)`` pairs (`metadata_tokens`) and answers a
filter by intersecting the chunks of its tokens (`filter_tokens`), so that filters mean the
same in every store.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backends.base import Backend

__all__ = ["INDEX_TEXT_BYTES", "index_text", "metadata_tokens", "filter_tokens"]

#: Longest text (UTF-8 bytes) indexed as itself; longer keys, values and tags are indexed by a digest,
#: because a PostgreSQL btree entry holds at most ~2.7 KB. All stores use the same rule: same answers.
INDEX_TEXT_BYTES = 1000


def index_text(text: str) -> str:
    """`text` as indexes hold it: itself, or ``"sha256:<hex>"`` of it when longer than INDEX_TEXT_BYTES."""
    data = text.encode("utf-8")
    if len(data) <= INDEX_TEXT_BYTES:
        return text
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _scalar_token(value: Any) -> str | None:
    """Token of a filterable scalar; None for values a filter cannot match."""
    # bool before int: True is an int in Python but a different JSON value.
    if isinstance(value, bool):
        return "b:1" if value else "b:0"
    if isinstance(value, (int, float)):
        # 1 and 1.0 are the same JSON number, so they get the same token.
        return "n:" + repr(float(value))
    if isinstance(value, str):
        indexed = index_text(value)
        return ("s:" if indexed == value else "h:") + indexed
    if value is None:
        return "z:"
    return None


def metadata_tokens(metadata: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """(key, token) pairs a filter can match: scalars, and scalar items of lists."""
    out: set[tuple[str, str]] = set()
    for key, value in metadata.items():
        if not isinstance(key, str):
            continue
        key = index_text(key)
        if isinstance(value, list):
            for item in value:
                token = _scalar_token(item)
                if token is not None:
                    out.add((key, token))
        else:
            token = _scalar_token(value)
            if token is not None:
                out.add((key, token))
    return frozenset(out)


def filter_tokens(filter: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Check a metadata filter and encode it as (key, token) pairs, all of which must match.

    A filter ``{key: value, ...}`` matches a chunk when, for every pair,
    ``metadata[key] == value`` or ``metadata[key]`` is a list containing `value`.
    Values are JSON scalars: str, int, float (finite), bool, None; 1 and 1.0 are
    equal, True and 1 are not.

    Raises:
        TypeError: the filter is not a dict, a key is not a str, or a value is not a
            JSON scalar.
        ValueError: a float value is NaN or infinite.
    """
    if filter is None:
        return []
    if not isinstance(filter, Mapping):
        raise TypeError(f"filter must be a dict of metadata key to value, got {type(filter).__name__}")
    pairs = []
    for key, value in filter.items():
        if not isinstance(key, str):
            raise TypeError(f"filter keys must be str, got {type(key).__name__}: {key!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"filter value for {key!r} must be finite, got {value}")
        token = _scalar_token(value)
        if token is None:
            raise TypeError(
                f"filter value for {key!r} must be a str, int, float, bool or None, "
                f"got {type(value).__name__}"
            )
        pairs.append((index_text(key), token))
    return sorted(pairs)


def matching_keys(backend: Backend, keys: Sequence[int], tokens: Sequence[tuple[str, str]]) -> set[int]:
    """The keys among `keys` whose chunks match the encoded filter `tokens` (`filter_tokens`): for the
    searches that rank chunks found by other means than the backend's filtered search."""
    wanted = set(tokens)
    docs = backend.documents(list(keys))
    return {key for key, doc in zip(keys, docs) if wanted <= metadata_tokens(doc.metadata)}
