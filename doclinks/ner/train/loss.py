"""The span loss: binary cross-entropy (or focal loss) over every (span, label) pair, `gliner`'s definition."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def span_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    span_mask: torch.Tensor,
    label_mask: torch.Tensor,
    *,
    alpha: float = -1.0,
    gamma: float = 0.0,
    reduction: str = "sum",
) -> torch.Tensor:
    """Binary cross-entropy over every (span, label) pair, masked; gliner's definition.

    `logits` and `targets` are (B, W, K, C); `span_mask` (B, W, K) and `label_mask` (B, C) mark the pairs
    that count. `gamma > 0` multiplies each term by (1 - p_t) ** gamma (focal loss) and `alpha >= 0`
    weighs positives by alpha and negatives by 1 - alpha. "sum" adds the terms; "mean" divides that
    sum by the number of valid spans (not span-label pairs), as `gliner` does.
    """
    logits = logits.float()
    targets = targets.float()
    terms = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    if gamma > 0:
        p = torch.sigmoid(logits)
        p_t = p * targets + (1 - p) * (1 - targets)
        terms = terms * (1 - p_t) ** gamma
    if alpha >= 0:
        terms = (alpha * targets + (1 - alpha) * (1 - targets)) * terms
    mask = span_mask.unsqueeze(-1) & label_mask[:, None, None, :]
    total = (terms * mask).sum()
    if reduction == "sum":
        return total
    if reduction == "mean":
        valid = span_mask.sum()
        return total / valid if valid > 0 else total * 0
    raise ValueError(f"reduction: expected 'sum' or 'mean', got {reduction!r}")
