"""From logits to entities: tensor operations find the candidates above the threshold, and only those
go through the greedy step that keeps the best non-overlapping spans (the rules of `gliner`).

Span-level models score each (start, width, label) directly (`find_candidates`). Token-level models
score each (word, label) as start, end and inside (`find_token_candidates`): a span runs from a start to
an end of the same label with every word between them inside, and scores the least of those.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from ..boundaries import crosses_break


class Candidate(NamedTuple):
    """A span above the threshold, in the words of its whole text (end inclusive)."""

    start: int
    end: int
    label: int  # index into the text's label set
    score: float


def find_candidates(
    logits: torch.Tensor,
    threshold: float,
    num_words: torch.Tensor,
    num_labels: torch.Tensor,
    core_start: torch.Tensor,
    core_end: torch.Tensor,
) -> list[list[tuple[int, int, int, float]]]:
    """Candidates of each row of a batch, as (start word, width index, label column, score) in row order.

    `logits` is (B, W, K, C). A span is kept when its probability is above `threshold`, it ends within
    the row's words, its label column is one of the row's labels, and its start lies in the row's core
    (window-local word indices). The order is that of `torch.where` over (start, width, label).
    """
    batch, width_words, max_width, num_classes = logits.shape
    probs = torch.sigmoid(logits.float())
    starts = torch.arange(width_words, device=logits.device).view(1, -1, 1, 1)
    widths = torch.arange(max_width, device=logits.device).view(1, 1, -1, 1)
    classes = torch.arange(num_classes, device=logits.device).view(1, 1, 1, -1)
    valid = (
        (starts + widths < num_words.view(-1, 1, 1, 1))
        & (classes < num_labels.view(-1, 1, 1, 1))
        & (starts >= core_start.view(-1, 1, 1, 1))
        & (starts < core_end.view(-1, 1, 1, 1))
    )
    rows, s, k, c = torch.where((probs > threshold) & valid)
    scores = probs[rows, s, k, c].tolist()
    out: list[list[tuple[int, int, int, float]]] = [[] for _ in range(batch)]
    for row, start, width, label, score in zip(rows.tolist(), s.tolist(), k.tolist(), c.tolist(), scores):
        out[row].append((start, width, label, score))
    return out


def find_token_candidates(
    logits: torch.Tensor,
    threshold: float,
    num_words: torch.Tensor,
    num_labels: torch.Tensor,
    core_start: torch.Tensor,
    core_end: torch.Tensor,
) -> list[list[tuple[int, int, int, float]]]:
    """Candidates of each row of a token-level batch, as (start word, end word inclusive, label column,
    score), in upstream's order: by start, then label, then end.

    `logits` is (B, W, C, 3), [start, end, inside]. As upstream: a start and an end need a probability
    above `threshold`, every word from start to end an inside probability of at least `threshold`; the
    span scores the least of those probabilities. Starts must lie in the row's core; a span has no
    width limit but ends within the row.
    """
    probs = torch.sigmoid(logits.float())
    batch, width_words, num_classes, _ = probs.shape
    words = torch.arange(width_words, device=logits.device).view(1, -1, 1)
    classes = torch.arange(num_classes, device=logits.device).view(1, 1, -1)
    in_row = (words < num_words.view(-1, 1, 1)) & (classes < num_labels.view(-1, 1, 1))
    in_core = (words >= core_start.view(-1, 1, 1)) & (words < core_end.view(-1, 1, 1))
    starts = (probs[..., 0] > threshold) & in_row & in_core
    out: list[list[tuple[int, int, int, float]]] = [[] for _ in range(batch)]
    if not bool(starts.any()):
        return out
    is_end = ((probs[..., 1] > threshold) & in_row).tolist()
    start_prob, end_prob, inside_prob = (probs[..., i].tolist() for i in range(3))
    rows, first_words, labels = torch.where(starts)
    for row, start, label in zip(rows.tolist(), first_words.tolist(), labels.tolist()):
        inside, ends, limit = inside_prob[row], is_end[row], int(num_words[row])
        least = start_prob[row][start][label]
        for end in range(start, limit):
            if inside[end][label] < threshold:
                break
            least = min(least, inside[end][label])
            if ends[end][label]:
                out[row].append((start, end, label, min(least, end_prob[row][end][label])))
    return out


def _conflicts(a: Candidate, b: Candidate, flat_ner: bool, multi_label: bool) -> bool:
    if a.start == b.start and a.end == b.end:
        return not multi_label
    overlap = not (a.start > b.end or b.start > a.end)
    if flat_ner or not overlap:
        return overlap
    nested = (a.start <= b.start and a.end >= b.end) or (b.start <= a.start and b.end >= a.end)
    return not nested


def greedy_decode(candidates: list[Candidate], flat_ner: bool = True, multi_label: bool = False) -> list[Candidate]:
    """Keep the best-scoring spans that do not clash, sorted by start.

    Flat: no two kept spans overlap. Nested (`flat_ner=False`): spans may nest but not cross.
    `multi_label`: the same span may be kept with several labels. Ties keep the input order, as upstream.
    """
    chosen: list[Candidate] = []
    for cand in sorted(candidates, key=lambda x: -x.score):
        if not any(_conflicts(cand, kept, flat_ner, multi_label) for kept in chosen):
            chosen.append(cand)
    chosen.sort(key=lambda x: x.start)
    return chosen


def within_breaks(candidates: list[Candidate], word_starts: list[int], word_ends: list[int], breaks: list[int]) -> list[Candidate]:
    """The candidates whose characters (`word_starts[start]` to `word_ends[end]`) hold no break of
    `breaks` (sorted character positions, `doclinks.boundaries.break_positions`). Applied before
    `greedy_decode`, so that a span crossing a sentence end cannot shadow the best span inside one."""
    if not breaks:
        return list(candidates)
    return [c for c in candidates if not crosses_break(breaks, word_starts[c.start], word_ends[c.end])]
