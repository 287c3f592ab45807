"""The span loss: hand-made examples, and `gliner`'s definition."""

from __future__ import annotations

import math

import pytest
import torch

from doclinks.ner.train.loss import span_loss


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def hand_made():
    # One row, 2 words, max_width 2, 2 labels. Span (start 1, width 2) runs past the text: masked.
    logits = torch.tensor([[[[2.0, -1.0], [0.5, 3.0]], [[-2.0, 1.0], [9.0, 9.0]]]])
    targets = torch.zeros(1, 2, 2, 2)
    targets[0, 0, 0, 0] = 1.0  # words 0..0 are label 0
    targets[0, 0, 1, 1] = 1.0  # words 0..1 are label 1
    span_mask = torch.tensor([[[True, True], [True, False]]])
    return logits, targets, span_mask


def test_bce_loss_on_a_hand_made_example():
    logits, targets, span_mask = hand_made()
    both = torch.tensor([[True, True]])
    # BCE(x, y) = softplus(x) - x * y, for the three valid spans and both labels.
    terms = [softplus(2.0) - 2.0, softplus(-1.0), softplus(0.5), softplus(3.0) - 3.0, softplus(-2.0), softplus(1.0)]
    expected = sum(terms)
    assert expected == pytest.approx(2.903044, abs=1e-6)
    assert span_loss(logits, targets, span_mask, both).item() == pytest.approx(expected, rel=1e-6)
    # "mean" divides by the number of valid spans (3), as gliner does.
    assert span_loss(logits, targets, span_mask, both, reduction="mean").item() == pytest.approx(expected / 3, rel=1e-6)
    # Masking label 1 leaves the terms of label 0.
    only_first = torch.tensor([[True, False]])
    expected_first = terms[0] + terms[2] + terms[4]
    assert span_loss(logits, targets, span_mask, only_first).item() == pytest.approx(expected_first, rel=1e-6)
    # The masked span's logits get no gradient.
    x = logits.clone().requires_grad_(True)
    span_loss(x, targets, span_mask, both).backward()
    assert torch.all(x.grad[0, 1, 1] == 0) and torch.all(x.grad[0, 0, 0] != 0)


def test_focal_loss_on_a_hand_made_example():
    logits, targets, span_mask = hand_made()
    both = torch.tensor([[True, True]])
    alpha, gamma = 0.75, 2.0
    expected = 0.0
    for s, k in [(0, 0), (0, 1), (1, 0)]:
        for c in range(2):
            x, y = logits[0, s, k, c].item(), targets[0, s, k, c].item()
            p = 1 / (1 + math.exp(-x))
            p_t = p if y else 1 - p
            weight = alpha if y else 1 - alpha
            expected += weight * (1 - p_t) ** gamma * (softplus(x) - x * y)
    got = span_loss(logits, targets, span_mask, both, alpha=alpha, gamma=gamma).item()
    assert got == pytest.approx(expected, rel=1e-6)


def test_loss_matches_gliner_definition():
    from gliner.modeling.loss_functions import focal_loss_with_logits

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 5, 4, 6, generator=g) * 3
    targets = (torch.rand(3, 5, 4, 6, generator=g) < 0.1).float()
    span_mask = torch.rand(3, 5, 4, generator=g) < 0.8
    label_mask = torch.rand(3, 6, generator=g) < 0.7
    for alpha, gamma in [(-1.0, 0.0), (0.75, 2.0)]:
        # gliner: elementwise loss, times the label mask, times the span mask; sum, or sum / valid spans.
        theirs = focal_loss_with_logits(logits, targets, alpha=alpha, gamma=gamma, reduction="none")
        theirs = (theirs * label_mask[:, None, None, :] * span_mask[..., None]).sum()
        ours = span_loss(logits, targets, span_mask, label_mask, alpha=alpha, gamma=gamma)
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-5)
        mean = span_loss(logits, targets, span_mask, label_mask, alpha=alpha, gamma=gamma, reduction="mean")
        assert mean.item() == pytest.approx(theirs.item() / span_mask.sum().item(), rel=1e-5)
