"""Synthetic NER sentences from templates (what the small test models are trained on), and the one
torch thread they are built with."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import torch


def template_sentences(
    n: int, templates: Sequence[str], values: Mapping[str, Sequence[str]], labels: Mapping[str, str], seed: int = 0
) -> list[tuple[list[str], list[tuple[int, int, str]]]]:
    """`n` sentences as (words, spans as (first word, last word inclusive, label)).

    Each sentence is a random template (words separated by spaces) whose `{key}` slots get a random entry
    of `values[key]` (split on spaces), labelled `labels[key]`. The same `seed` gives the same sentences.
    """
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words: list[str] = []
        spans: list[tuple[int, int, str]] = []
        for part in rng.choice(templates).split():
            if part.startswith("{") and part.endswith("}"):
                key = part[1:-1]
                piece = rng.choice(values[key]).split()
                spans.append((len(words), len(words) + len(piece) - 1, labels[key]))
                words.extend(piece)
            else:
                words.append(part)
        out.append((words, spans))
    return out


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run the block on one torch thread, then restore the count.

    A model built on one thread is the same whatever the session's thread count (float sums run in one
    order), and on a small shared machine one thread trains as fast as two, without two threads
    waiting on each other's core (which made a build take ten times as long).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
