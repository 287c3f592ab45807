"""The examples every reader returns, and the conversions between them.

`Example` (words and end-inclusive word spans with labels) is what training reads; `EvalExample`
(the original sentence and character offsets) is what evaluation scores. A data file that cannot be
read is a `DataError` that names the file and the line.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..inputs import split_words


class DataError(ValueError):
    """A data file that cannot be read; the message names the file and the line."""


@dataclass
class Example:
    """A training example: words, and entities as (first word, last word inclusive, label).

    `fallback` holds coarse labels of spans that `spans` types more finely ("person" beside "politician"):
    one is gold only in a label set that offers none of its span's fine labels, as annotators of a set
    offering both pick the specific one (CrossNER: politician, and person for the other people).
    """

    words: list[str]
    spans: list[tuple[int, int, str]]
    source: str = ""
    fallback: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class EvalExample:
    """An evaluation sentence and its entities as (char start, char end exclusive, label)."""

    text: str
    entities: list[tuple[int, int, str]]


def joined(examples: Sequence[Example]) -> Example:
    """Consecutive examples as one: words concatenated, spans and fallbacks shifted (multi-sentence crops)."""
    words: list[str] = []
    spans: list[tuple[int, int, str]] = []
    fallback: list[tuple[int, int, str]] = []
    for x in examples:
        offset = len(words)
        words.extend(x.words)
        spans.extend((s + offset, e + offset, label) for s, e, label in x.spans)
        fallback.extend((s + offset, e + offset, label) for s, e, label in x.fallback)
    return Example(words, spans, examples[0].source if examples else "", fallback)


def crop(example: Example, max_words: int, rng: random.Random) -> Example:
    """A random window of at most `max_words` words; entities cut by the window are dropped."""
    n = len(example.words)
    if n <= max_words:
        return example
    start = rng.randint(0, n - max_words)
    end = start + max_words

    def window(spans):
        return [(s - start, e - start, label) for s, e, label in spans if s >= start and e < end]

    return Example(example.words[start:end], window(example.spans), example.source, window(example.fallback))


def query_shaped(example: Example) -> Example:
    """`example` as typed into a search box: lower-cased, its words without a letter or digit (punctuation)
    dropped unless inside an entity; spans and fallbacks follow the words that stay."""
    inside = {i for s, e, _ in example.spans + example.fallback for i in range(s, e + 1)}
    kept = [i for i, w in enumerate(example.words) if i in inside or any(c.isalnum() for c in w)]
    if not kept:  # only punctuation: keep the row as it is, lower-cased
        kept = list(range(len(example.words)))
    new_index = {old: new for new, old in enumerate(kept)}

    def moved(spans):
        return [(new_index[s], new_index[e], label) for s, e, label in spans]

    words = [example.words[i].lower() for i in kept]
    return Example(words, moved(example.spans), example.source, moved(example.fallback))


def eval_to_example(example: EvalExample, source: str = "") -> tuple[Example, int]:
    """Words (the model's whitespace splitter) and word spans of an eval example; also the number of
    entities dropped because their edges fall inside a word."""
    words, starts, ends = split_words(example.text)
    start_of = {s: i for i, s in enumerate(starts)}
    end_of = {e: i for i, e in enumerate(ends)}
    spans, dropped = [], 0
    for start, end, label in example.entities:
        if start in start_of and end in end_of and start_of[start] <= end_of[end]:
            spans.append((start_of[start], end_of[end], label))
        else:
            dropped += 1
    return Example(words, spans, source), dropped


def word_starts(words: Sequence[str]) -> list[int]:
    """The character offset of each word in `" ".join(words)`."""
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    return starts


def example_to_eval(example: Example) -> EvalExample:
    """The sentence of an example (words joined by single spaces) and character spans of its entities."""
    starts = word_starts(example.words)
    text = " ".join(example.words)
    entities = [(starts[s], starts[e] + len(example.words[e]), label) for s, e, label in example.spans]
    return EvalExample(text, entities)
