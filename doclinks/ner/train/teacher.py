"""Self-distillation rows: a teacher model reads a train set's own sentences and its spans become rows.

A model continued on new data forgets how it read the old (issue 24: the query sets cost the tweets'
reading). Rows labelled by the model it starts from, over the sentences of a set it read well, keep
that reading in the mix: the student is asked to find what the teacher found, with the teacher's
labels, where the gold rows of the same set alone made it timid.

    python -m doclinks.ner.train.teacher --model doclinks/models/default --set wnut17 \
        --output ~/.cache/doclinks/teacher-wnut17.jsonl

The file is GLiNER training JSON lines; pass it with `doclinks train --extra PATH` (its source, and its
mix key, is the file's stem: `teacher-wnut17`). Written outside the repository, like the silver set.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .examples import Example, word_starts
from .pool import read_train_set


def char_to_word_span(words: Sequence[str], start: int, end: int) -> tuple[int, int] | None:
    """The end-inclusive word span whose characters are exactly [start, end) of `" ".join(words)`;
    None when either edge falls inside a word."""
    return _word_edges(words)(start, end)


def _word_edges(words: Sequence[str]) -> Callable[[int, int], tuple[int, int] | None]:
    """`char_to_word_span` for one sentence, its word offsets computed once."""
    offsets = word_starts(words)
    starts = {s: i for i, s in enumerate(offsets)}
    ends = {s + len(w): i for i, (s, w) in enumerate(zip(offsets, words))}
    return lambda start, end: (starts[start], ends[end]) if start in starts and end in ends else None


def set_labels(examples: Sequence[Example]) -> list[str]:
    """The labels a set annotates (its spans' and fallbacks'), sorted."""
    return sorted({label for x in examples for *_, label in x.spans + x.fallback})


def teacher_rows(
    model, examples: Sequence[Example], labels: Sequence[str], *, threshold: float = 0.5, batch_size: int = 8
) -> list[dict]:
    """One GLiNER training row per example: its words and the teacher's flat spans over `labels` at
    `threshold` (spans that do not fall on word edges are left out)."""
    texts = [" ".join(x.words) for x in examples]
    predictions = model.inference(texts, list(labels), threshold=threshold, flat_ner=True, batch_size=batch_size)
    rows = []
    for example, found in zip(examples, predictions):
        span_of = _word_edges(example.words)
        spans = [[*span, p["label"]] for p in found if (span := span_of(p["start"], p["end"])) is not None]
        rows.append({"tokenized_text": list(example.words), "ner": spans})
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m doclinks.ner.train.teacher", description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="the teacher: a checkpoint folder")
    parser.add_argument("--set", required=True, dest="name", help="a train set of the pool, e.g. wnut17")
    parser.add_argument("--output", required=True, help="the JSON lines file to write")
    parser.add_argument("--threshold", type=float, default=0.5, help="the teacher's span threshold (default 0.5)")
    parser.add_argument("--data", default=None, help="the shared data folder (default: $DOCLINKS_DATA)")
    args = parser.parse_args(argv)

    from ..gliner import GLiNER

    examples = read_train_set(args.name, args.data)
    labels = set_labels(examples)
    model = GLiNER.from_pretrained(args.model)
    rows = teacher_rows(model, examples, labels, threshold=args.threshold)
    out = Path(os.path.expanduser(args.output))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    spans = sum(len(r["ner"]) for r in rows)
    print(f"{out}: {len(rows)} rows, {spans} spans over {len(labels)} labels ({', '.join(labels)})")


if __name__ == "__main__":
    main()
