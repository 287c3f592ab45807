"""doclinks: link documents on the named entities they share, and retrieve along those links."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
from .document import Document  # light: no torch

__all__ = ["Document", "GLiNER", "default_model"]


def __getattr__(name: str) -> Any:
    # Heavy parts (torch, transformers) load on first use, so `import doclinks` stays fast.
    if name == "GLiNER":
        from .ner import GLiNER

        return GLiNER
    if name == "default_model":
        from .ner.default import default_model

        return default_model
    raise AttributeError(f"module 'doclinks' has no attribute {name!r}")
