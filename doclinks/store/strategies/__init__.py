"""Search strategies over a `Backend`: breadth-first traversal and MMR traversal, one per module."""

from .mmr import mmr_traverse
from .traversal import traverse

__all__ = ["traverse", "mmr_traverse"]
