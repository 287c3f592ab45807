"""Settings of graph traversal, shared by every store."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["TraversalSettings", "DEFAULT_MAX_TAG_DEGREE"]

#: Tags carried (incoming side) by more chunks than this are not walked. See
#: docs/store.md, "Hub control", for why 100.
DEFAULT_MAX_TAG_DEGREE = 100


@dataclass(frozen=True)
class TraversalSettings:
    """How traversal treats links; one instance per store.

    Args:
        max_tag_degree: a ``(kind, tag)`` whose incoming side is carried by more than
            this many chunks is a hub and is not walked (default 100). ``None`` walks
            every tag.
        idf_weight: exponent of the tag-rarity factor in the neighbour rank
            (default 1.0); 0 ranks neighbours by similarity to the query alone. See
            `doclinks.store.ranking.neighbour_rank`.
    """

    max_tag_degree: int | None = DEFAULT_MAX_TAG_DEGREE
    idf_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.max_tag_degree is not None:
            if isinstance(self.max_tag_degree, bool) or not isinstance(self.max_tag_degree, int):
                raise TypeError(
                    f"max_tag_degree must be an int or None, got {self.max_tag_degree!r}"
                )
            if self.max_tag_degree < 1:
                raise ValueError(f"max_tag_degree must be >= 1, got {self.max_tag_degree}")
        if not isinstance(self.idf_weight, (int, float)) or isinstance(self.idf_weight, bool):
            raise TypeError(f"idf_weight must be a number, got {self.idf_weight!r}")
        if not math.isfinite(self.idf_weight) or self.idf_weight < 0:
            raise ValueError(f"idf_weight must be finite and >= 0, got {self.idf_weight}")

    @property
    def degree_limit(self) -> int:
        """`max_tag_degree` as an int usable in SQL (no limit: 2**62)."""
        return 2**62 if self.max_tag_degree is None else self.max_tag_degree
