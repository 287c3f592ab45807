"""Filters applied after the fact: for the strategies that rank chunks found by other means than the
backend's filtered search (entity seeds, PageRank). Kept here, above the backends, so that the filter
encoding (`doclinks.store.filters`) that every backend reads never imports a backend back."""

from __future__ import annotations

from ..backends.base import Backend
from ..filters import Condition, matches, metadata_tokens

__all__ = ["matching_keys"]


def matching_keys(backend: Backend, keys: list[int], condition: Condition | None) -> set[int]:
    """The keys among `keys` whose chunks match `condition`: for the searches that rank chunks found
    by other means than the backend's filtered search (entity seeds, PageRank)."""
    docs = backend.documents(list(keys))
    return {key for key, doc in zip(keys, docs) if matches(condition, metadata_tokens(doc.metadata))}
