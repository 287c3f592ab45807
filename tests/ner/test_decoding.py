"""Greedy decoding equals the peer's `greedy_search` on the same candidates, for every mode."""

from __future__ import annotations

import random

import pytest
import torch

from doclinks.ner.decoding import Candidate, find_candidates, find_token_candidates, greedy_decode


def random_candidates(rng: random.Random, n: int) -> list[Candidate]:
    seen, out = set(), []
    while len(out) < n:
        start = rng.randrange(30)
        cand = Candidate(
            start, start + rng.randrange(6), rng.randrange(4), round(rng.uniform(0.5, 1.0), rng.choice([2, 6]))
        )
        if cand[:3] not in seen:
            seen.add(cand[:3])
            out.append(cand)
    return sorted(out)


@pytest.mark.parametrize("flat_ner", [True, False])
@pytest.mark.parametrize("multi_label", [True, False])
def test_greedy_equals_upstream(flat_ner, multi_label):
    decoder_module = pytest.importorskip("gliner.decoding.decoder")
    upstream = decoder_module.SpanDecoder(config=None)
    rng = random.Random(0)
    for _ in range(300):
        cands = random_candidates(rng, rng.randint(0, 40))
        spans = [decoder_module.Span(start=c.start, end=c.end, entity_type=str(c.label), score=c.score) for c in cands]
        expected = [
            (s.start, s.end, int(s.entity_type), s.score) for s in upstream.greedy_search(spans, flat_ner, multi_label)
        ]
        assert [tuple(c) for c in greedy_decode(cands, flat_ner, multi_label)] == expected


def test_flat_keeps_best_of_overlapping():
    cands = [Candidate(0, 1, 0, 0.9), Candidate(1, 2, 0, 0.95), Candidate(3, 3, 1, 0.6)]
    assert greedy_decode(cands) == [Candidate(1, 2, 0, 0.95), Candidate(3, 3, 1, 0.6)]
    nested = [Candidate(0, 3, 0, 0.9), Candidate(1, 2, 1, 0.8), Candidate(2, 4, 0, 0.85)]
    assert greedy_decode(nested, flat_ner=False) == [Candidate(0, 3, 0, 0.9), Candidate(1, 2, 1, 0.8)]


def test_find_candidates_masks_and_orders():
    logits = torch.full((2, 4, 3, 2), -5.0)
    logits[0, 0, 0, 0] = 2.0  # kept
    logits[0, 3, 1, 0] = 2.0  # runs past the last word (4 words): dropped
    logits[0, 1, 0, 1] = 2.0  # label column 1 absent in row 0 (1 label): dropped
    logits[1, 0, 0, 1] = 2.0  # start 0 outside row 1's core [1, 3): dropped
    logits[1, 2, 0, 1] = 1.0  # kept
    logits[1, 1, 2, 0] = 3.0  # kept, comes first (start 1 < 2)
    rows = find_candidates(
        logits, 0.5, torch.tensor([4, 4]), torch.tensor([1, 2]), torch.tensor([0, 1]), torch.tensor([4, 3])
    )
    assert [r[:3] for r in rows[0]] == [(0, 0, 0)]
    assert [r[:3] for r in rows[1]] == [(1, 2, 0), (2, 0, 1)]
    assert rows[1][1][3] == pytest.approx(torch.sigmoid(torch.tensor(1.0)).item())


def token_logits(probabilities: list[list[list[float]]]) -> torch.Tensor:
    """Logits (1, W, C, 3) whose sigmoid is the given [start, end, inside] probabilities per word and label."""
    return torch.logit(torch.tensor([probabilities], dtype=torch.float64)).float()


def test_token_candidates_need_start_end_and_inside_and_score_the_least():
    # One label, five words: a start at 0, an end at 2, the inside high from 0 to 3; a second start at 3
    # with an end at 3 (a one-word span); word 4 is outside.
    probabilities = [
        [[0.9, 0.1, 0.8]],
        [[0.1, 0.1, 0.7]],
        [[0.1, 0.95, 0.85]],
        [[0.6, 0.65, 0.9]],
        [[0.1, 0.9, 0.2]],
    ]
    rows = find_token_candidates(
        token_logits(probabilities), 0.5, torch.tensor([5]), torch.tensor([1]), torch.tensor([0]), torch.tensor([5])
    )
    got = [(s, e, c, round(score, 4)) for s, e, c, score in rows[0]]
    # (0, 2): least of start 0.9, inside 0.8 / 0.7 / 0.85, end 0.95 -> 0.7; (0, 3): end 0.65 -> 0.65;
    # (3, 3): start 0.6. Word 4's end (0.9) is unreachable: its inside (0.2) is under the threshold.
    assert got == [(0, 2, 0, 0.7), (0, 3, 0, 0.65), (3, 3, 0, 0.6)]


def test_token_candidates_respect_core_labels_and_words():
    high = [0.9, 0.9, 0.9]
    probabilities = [[high, high] for _ in range(4)]
    logits = token_logits(probabilities)
    # Core [1, 3): starts at 1 and 2 only; one label of two; three words of four.
    rows = find_token_candidates(
        logits, 0.5, torch.tensor([3]), torch.tensor([1]), torch.tensor([1]), torch.tensor([3])
    )
    assert [(s, e, c) for s, e, c, _ in rows[0]] == [(1, 1, 0), (1, 2, 0), (2, 2, 0)]
    # Upstream's rule: start and end strictly above the threshold, inside at least the threshold.
    at = [[[0.5, 0.9, 0.5]]]
    assert find_token_candidates(
        token_logits(at), 0.5, torch.tensor([1]), torch.tensor([1]), torch.tensor([0]), torch.tensor([1])
    ) == [[]]
