"""Zero-shot NER evaluation: the standard protocol over the dev sets of the shared data.

For each set, every label of the set is given for every sentence, decoding is flat at threshold 0.5, and
predictions are scored by exact (start, end, type) matches on character offsets: micro precision, recall
and F1 per set, then the average F1 over the sets (the zero-shot average over the seven CrossNER and MIT
sets; CoNLL-2003 and WNUT-17 are reported beside it). Label names are lowercased, as `gliner`'s
evaluation does. Any checkpoint runs: ours or one saved by `gliner`.

Two gold types of the CrossNER music dev file are spelled otherwise than in its labels.json
("organisation", "misc" for "organization", "else"); gold types missing from a set's labels are mapped
through `TYPE_ALIASES` when the alias is one of the labels (the number remapped is reported), since an
entity whose type is never asked for could never be found.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ...paths import data_root
from .examples import DataError, EvalExample, example_to_eval
from .readers import read_bio, read_eval_json, read_labels

ZERO_SHOT_SETS = (
    "crossner-ai", "crossner-literature", "crossner-music", "crossner-politics", "crossner-science",
    "mit-movie", "mit-restaurant",
)  # fmt: skip
SUPERVISED_SETS = ("conll2003", "wnut17")
ALL_SETS = ZERO_SHOT_SETS + SUPERVISED_SETS
TYPE_ALIASES = {"organisation": "organization", "misc": "else"}
WNUT_LABELS = {"creative-work": "creative work"}


@dataclass
class DevSet:
    """A dev set: its sentences with gold entities, and the labels every sentence is read with."""

    name: str
    examples: list[EvalExample]
    labels: list[str]
    remapped: int = 0  # gold entities whose type was mapped through TYPE_ALIASES


@dataclass
class Score:
    """Micro counts of exact (start, end, type) matches: true and false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 0 without predictions."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0 without gold entities."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: set, predicted: set) -> None:
        """Count one sentence's gold and predicted (start, end, type) sets."""
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)


def score(gold: Sequence[Sequence[tuple[int, int, str]]], predicted: Sequence[Sequence[tuple[int, int, str]]]) -> Score:
    """Micro counts of exact (start, end, type) matches over sentences (duplicates count once)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sentences but {len(predicted)} predicted")
    total = Score()
    for g, p in zip(gold, predicted):
        total.add(set(map(tuple, g)), set(map(tuple, p)))
    return total


@dataclass
class SetResult:
    """The score of one dev set, with its size and the time it took (seconds)."""

    name: str
    score: Score
    sentences: int
    seconds: float
    remapped: int = 0

    def to_dict(self) -> dict:
        """P, R and F1 in percent (2 decimals), the counts, sentences and seconds."""
        s = self.score
        return {
            "precision": round(100 * s.precision, 2), "recall": round(100 * s.recall, 2), "f1": round(100 * s.f1, 2),
            "tp": s.tp, "fp": s.fp, "fn": s.fn, "sentences": self.sentences, "seconds": round(self.seconds, 1),
            "remapped_gold_types": self.remapped,
        }  # fmt: skip


@dataclass
class Report:
    """The results of an evaluation run, with its settings (threshold, model, sentence limit)."""

    results: list[SetResult]
    threshold: float = 0.5
    model: str = ""
    limit: int | None = None
    extra: dict = field(default_factory=dict)

    def average(self, names: Sequence[str]) -> float | None:
        """The mean F1 (percent) of the named sets that were evaluated; None for none."""
        f1s = [r.score.f1 for r in self.results if r.name in names]
        return 100 * sum(f1s) / len(f1s) if f1s else None

    @property
    def zero_shot_average(self) -> float | None:
        """The mean F1 (percent) over the zero-shot sets (CrossNER x5, MIT x2) evaluated."""
        return self.average(ZERO_SHOT_SETS)

    def to_dict(self) -> dict:
        """The report as JSON-ready data (what `doclinks eval --json` writes)."""
        avg = self.zero_shot_average
        return {
            "model": self.model, "threshold": self.threshold, "limit": self.limit,
            "sets": {r.name: r.to_dict() for r in self.results},
            "zero_shot_average_f1": round(avg, 2) if avg is not None else None,
            "zero_shot_sets": [r.name for r in self.results if r.name in ZERO_SHOT_SETS],
            "average_f1_all": round(self.average([r.name for r in self.results]) or 0.0, 2),
            **self.extra,
        }  # fmt: skip

    def table(self) -> str:
        """A plain-text table: P, R, F1 (percent), gold and predicted entities, sentences per set."""
        lines = [f"{'set':<22}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}{'sents':>7}", "-" * 64]
        for group in (ZERO_SHOT_SETS, None):
            for r in self.results:
                if (group is not None) != (r.name in ZERO_SHOT_SETS):
                    continue
                s = r.score
                lines.append(
                    f"{r.name:<22}{100 * s.precision:>7.1f}{100 * s.recall:>7.1f}{100 * s.f1:>7.1f}"
                    f"{s.tp + s.fn:>7}{s.tp + s.fp:>7}{r.sentences:>7}"
                )
            if group is not None and self.zero_shot_average is not None:
                lines.append(f"{'zero-shot average':<22}{'':>14}{self.zero_shot_average:>7.1f}")
                lines.append("-" * 64)
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- sets
def _normalise(examples: list[EvalExample], labels: list[str]) -> tuple[list[EvalExample], list[str], int]:
    labels = list(dict.fromkeys(x.lower() for x in labels))
    known, remapped, out = set(labels), 0, []
    for ex in examples:
        ents = []
        for s, e, t in ex.entities:
            t = t.lower()
            if t not in known and TYPE_ALIASES.get(t) in known:
                t = TYPE_ALIASES[t]
                remapped += 1
            ents.append((s, e, t))
        out.append(EvalExample(ex.text, ents))
    return out, labels, remapped


def load_dev_set(name: str, root: str | os.PathLike | None = None) -> DevSet:
    """A dev set of `<data>/ner/dev/<name>`: GLiNER eval JSON (dev.json or dev-sample.json) with
    labels.json, or a `token<TAB>BIO` file (wnut17, labels from its tags)."""
    folder = data_root(root) / "ner" / "dev" / name
    if not folder.is_dir():
        raise DataError(f"{folder}: no such dev set")
    jsons = [folder / n for n in ("dev.json", "dev-sample.json") if (folder / n).is_file()]
    if jsons:
        examples = read_eval_json(jsons[0])
        labels_path = folder / "labels.json"
        if not labels_path.is_file():
            raise DataError(f"{labels_path}: missing (the label set of {name})")
        labels = read_labels(labels_path)
    else:
        conll = sorted(folder.glob("*.conll")) + sorted(folder.glob("*.tsv"))
        if not conll:
            raise DataError(f"{folder}: no dev.json, dev-sample.json or .conll file")
        parsed = read_bio(conll[0])
        examples = [example_to_eval(x) for x in parsed]
        types = sorted({t for x in parsed for _, _, t in x.spans})
        examples = [EvalExample(x.text, [(s, e, WNUT_LABELS.get(t, t)) for s, e, t in x.entities]) for x in examples]
        labels = [WNUT_LABELS.get(t, t) for t in types]
    examples, labels, remapped = _normalise(examples, labels)
    return DevSet(name, examples, labels, remapped)


def available_sets(root: str | os.PathLike | None = None) -> list[str]:
    """The dev sets of `ALL_SETS` found under `<root>/ner/dev` (root: `paths.data_root()` by default)."""
    folder = data_root(root) / "ner" / "dev"
    return [n for n in ALL_SETS if (folder / n).is_dir()]


# ------------------------------------------------------------------------------------------- evaluation
def evaluate_set(
    model, dev: DevSet, *, threshold: float = 0.5, batch_size: int = 8, limit: int | None = None
) -> SetResult:
    """Predict every sentence with every label of the set (flat decoding) and score exact matches."""
    examples = dev.examples[:limit] if limit else dev.examples
    started = time.monotonic()
    predictions = model.inference(
        [x.text for x in examples], dev.labels, threshold=threshold, flat_ner=True, batch_size=batch_size
    )
    predicted = [[(p["start"], p["end"], p["label"]) for p in preds] for preds in predictions]
    gold = [x.entities for x in examples]
    return SetResult(dev.name, score(gold, predicted), len(examples), time.monotonic() - started, dev.remapped)


def evaluate(
    model,
    sets: Sequence[str] | None = None,
    *,
    root: str | os.PathLike | None = None,
    threshold: float = 0.5,
    batch_size: int = 8,
    limit: int | None = None,
    progress=None,
) -> Report:
    """Evaluate `model` (a `doclinks.GLiNER`, or anything with its `inference`) on the named dev sets
    (default: all found). `progress(name, result)` is called after each set."""
    names = list(sets) if sets else available_sets(root)
    if not names:
        raise DataError(f"no dev sets under {data_root(root) / 'ner' / 'dev'}")
    results = []
    for name in names:
        result = evaluate_set(model, load_dev_set(name, root), threshold=threshold, batch_size=batch_size, limit=limit)
        results.append(result)
        if progress is not None:
            progress(name, result)
    return Report(results, threshold=threshold, model=str(getattr(model, "source", "")), limit=limit)


def write_json(report: Report, path: str | os.PathLike) -> None:
    """Write `report.to_dict()` as indented JSON to `path`."""
    Path(path).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
