"""Settings of graph traversal, shared by every store."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["TraversalSettings", "DEFAULT_MAX_TAG_DEGREE", "DEFAULT_MAX_TAG_SHARE", "DEFAULT_MIN_HUB_DEGREE"]

#: Tags carried (incoming side) by more chunks than this are not walked: a bound on the
#: cost of a hop. See docs/store.md, "Hub control", for why 100.
DEFAULT_MAX_TAG_DEGREE = 100
#: ... nor tags carried by more than this share of the chunks (0.5%): such a tag says
#: little about what two chunks share. Measured on MuSiQue (docs/store.md).
DEFAULT_MAX_TAG_SHARE = 0.005
#: The share never makes a hub of a tag on this many chunks or fewer (small corpora).
DEFAULT_MIN_HUB_DEGREE = 10


@dataclass(frozen=True)
class TraversalSettings:
    """How traversal treats links; one instance per store.

    A ``(kind, tag)`` whose incoming side is carried by more chunks than the store's
    degree limit is a hub and is not walked. The limit is the smaller of an absolute
    cap (cost) and a share of the corpus (meaning), never below ``min_hub_degree``:
    ``min(max_tag_degree, max(min_hub_degree, floor(max_tag_share * N)))`` for a store
    of N chunks: 10 up to 2,199 chunks, then 0.5% of N, then 100 from 20,000 chunks.

    Args:
        max_tag_degree: absolute cap in chunks (default 100); ``None``: no absolute cap.
        max_tag_share: cap as a share of the chunks in the store (default 0.005);
            ``None``: no relative cap. Both ``None`` walks every tag.
        min_hub_degree: the relative cap is never below this many chunks (default 10).
        idf_weight: exponent of the tag-rarity factor in the neighbour rank
            (default 1.0); 0 ranks neighbours by similarity to the query alone. See
            `doclinks.store.ranking.neighbour_rank`.
    """

    max_tag_degree: int | None = DEFAULT_MAX_TAG_DEGREE
    idf_weight: float = 1.0
    max_tag_share: float | None = DEFAULT_MAX_TAG_SHARE
    min_hub_degree: int = DEFAULT_MIN_HUB_DEGREE

    def __post_init__(self) -> None:
        if self.max_tag_degree is not None:
            if isinstance(self.max_tag_degree, bool) or not isinstance(self.max_tag_degree, int):
                raise TypeError(f"max_tag_degree must be an int or None, got {self.max_tag_degree!r}")
            if self.max_tag_degree < 1:
                raise ValueError(f"max_tag_degree must be >= 1, got {self.max_tag_degree}")
        if self.max_tag_share is not None:
            if isinstance(self.max_tag_share, bool) or not isinstance(self.max_tag_share, (int, float)):
                raise TypeError(f"max_tag_share must be a number or None, got {self.max_tag_share!r}")
            if not 0 < self.max_tag_share <= 1:
                raise ValueError(f"max_tag_share must be in (0, 1], got {self.max_tag_share}")
        if isinstance(self.min_hub_degree, bool) or not isinstance(self.min_hub_degree, int):
            raise TypeError(f"min_hub_degree must be an int, got {self.min_hub_degree!r}")
        if self.min_hub_degree < 1:
            raise ValueError(f"min_hub_degree must be >= 1, got {self.min_hub_degree}")
        if not isinstance(self.idf_weight, (int, float)) or isinstance(self.idf_weight, bool):
            raise TypeError(f"idf_weight must be a number, got {self.idf_weight!r}")
        if not math.isfinite(self.idf_weight) or self.idf_weight < 0:
            raise ValueError(f"idf_weight must be finite and >= 0, got {self.idf_weight}")

    def degree_limit(self, n_chunks: int) -> int:
        """The hub limit for a store of `n_chunks` chunks, as an int usable in SQL (no limit: 2**62)."""
        limit = 2**62 if self.max_tag_degree is None else self.max_tag_degree
        if self.max_tag_share is not None:
            limit = min(limit, max(self.min_hub_degree, math.floor(self.max_tag_share * max(n_chunks, 0))))
        return limit

    @property
    def walks_every_tag(self) -> bool:
        """True when no tag is a hub (both caps are None)."""
        return self.max_tag_degree is None and self.max_tag_share is None
