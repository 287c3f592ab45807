"""From span logits to entities: tensor operations find the candidates above the threshold, and only those
go through the greedy step that keeps the best non-overlapping spans (the rules of `gliner`)."""

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
