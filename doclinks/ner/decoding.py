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
    *,
    token_level: bool = False,
) -> list[list[tuple[int, int, int, float]]]:
    """Candidates of each row of a batch, in row order.

    `num_words`, `num_labels`, `core_start` and `core_end` are (B,): each row's words and labels, and the
    window-local words where its spans may start (its core). Span-level (`token_level` False): `logits` is
    (B, W, K, C) and a candidate is (start word, width index, label column, score), see `_span_rows`;
    token-level: `logits` is (B, W, C, 3) and a candidate is (start word, end word inclusive, label
    column, score), see `_token_rows`.
    """
    bounds = _RowBounds(num_words, num_labels, core_start, core_end)
    probs = torch.sigmoid(logits.float())
    return _token_rows(probs, threshold, bounds) if token_level else _span_rows(probs, threshold, bounds)


def find_token_candidates(
    logits: torch.Tensor, threshold: float, *bounds: torch.Tensor
) -> list[list[tuple[int, int, int, float]]]:
    """`find_candidates` of a token-level model (``token_level=True``; the same arguments)."""
    return find_candidates(logits, threshold, *bounds, token_level=True)


class _RowBounds(NamedTuple):
    """Per row of a batch, (B,) each: its words, its labels, and the words where its spans may start."""

    num_words: torch.Tensor
    num_labels: torch.Tensor
    core_start: torch.Tensor
    core_end: torch.Tensor

    def per_row(self, name: str, ndim: int) -> torch.Tensor:
        """The bound `name` shaped to broadcast over a (B, ...) tensor of `ndim` dimensions."""
        return getattr(self, name).view(-1, *([1] * (ndim - 1)))

    def in_core(self, starts: torch.Tensor) -> torch.Tensor:
        """Whether each start word (a (1, W, ...) index tensor) lies in its row's core."""
        return (starts >= self.per_row("core_start", starts.dim())) & (starts < self.per_row("core_end", starts.dim()))


def _span_rows(probs: torch.Tensor, threshold: float, bounds: _RowBounds) -> list[list[tuple[int, int, int, float]]]:
    """Span-level candidates, `probs` (B, W, K, C): a span is kept when its probability is above
    `threshold`, it ends within the row's words, its label column is one of the row's labels, and its start
    lies in the row's core. The order is that of `torch.where` over (start, width, label)."""
    batch, width_words, max_width, num_classes = probs.shape
    starts = torch.arange(width_words, device=probs.device).view(1, -1, 1, 1)
    widths = torch.arange(max_width, device=probs.device).view(1, 1, -1, 1)
    classes = torch.arange(num_classes, device=probs.device).view(1, 1, 1, -1)
    valid = (
        (starts + widths < bounds.per_row("num_words", 4))
        & (classes < bounds.per_row("num_labels", 4))
        & bounds.in_core(starts)
    )
    rows, s, k, c = torch.where((probs > threshold) & valid)
    scores = probs[rows, s, k, c].tolist()
    out: list[list[tuple[int, int, int, float]]] = [[] for _ in range(batch)]
    for row, start, width, label, score in zip(rows.tolist(), s.tolist(), k.tolist(), c.tolist(), scores):
        out[row].append((start, width, label, score))
    return out


def _token_rows(probs: torch.Tensor, threshold: float, bounds: _RowBounds) -> list[list[tuple[int, int, int, float]]]:
    """Token-level candidates, `probs` (B, W, C, 3), [start, end, inside], in upstream's order: by start,
    then label, then end. As upstream: a start and an end need a probability above `threshold`, every word
    from start to end an inside probability of at least `threshold`; the span scores the least of those
    probabilities. Starts must lie in the row's core; a span has no width limit but ends within the row."""
    batch, width_words, num_classes, _ = probs.shape
    words = torch.arange(width_words, device=probs.device).view(1, -1, 1)
    classes = torch.arange(num_classes, device=probs.device).view(1, 1, -1)
    in_row = (words < bounds.per_row("num_words", 3)) & (classes < bounds.per_row("num_labels", 3))
    starts = (probs[..., 0] > threshold) & in_row & bounds.in_core(words)
    out: list[list[tuple[int, int, int, float]]] = [[] for _ in range(batch)]
    if not bool(starts.any()):
        return out
    is_end = ((probs[..., 1] > threshold) & in_row).tolist()
    start_prob, end_prob, inside_prob = (probs[..., i].tolist() for i in range(3))
    rows, first_words, labels = torch.where(starts)
    for row, start, label in zip(rows.tolist(), first_words.tolist(), labels.tolist()):
        inside, ends, limit = inside_prob[row], is_end[row], int(bounds.num_words[row])
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


def within_breaks(
    candidates: list[Candidate], word_starts: list[int], word_ends: list[int], breaks: list[int]
) -> list[Candidate]:
    """The candidates whose characters (`word_starts[start]` to `word_ends[end]`) hold no break of
    `breaks` (sorted character positions, `doclinks.boundaries.break_positions`). Applied before
    `greedy_decode`, so that a span crossing a sentence end cannot shadow the best span inside one."""
    if not breaks:
        return list(candidates)
    return [c for c in candidates if not crosses_break(breaks, word_starts[c.start], word_ends[c.end])]
