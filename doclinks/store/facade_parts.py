"""What the parts of the `GraphStore` facade (`graph_writes`, `graph_search`) use of the store: declared
once, for readers and type checkers; `GraphStore` sets and defines them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .backends.base import Backend
from .settings import TraversalSettings

__all__ = ["FacadeParts"]


class FacadeParts:
    """The base of the facade's parts (annotations only: nothing here shadows the store's own at run time)."""

    backend: Backend
    embedding: Any
    settings: TraversalSettings
    semantics: str
    _lock: threading.RLock
    _check_open: Callable[[], None]
