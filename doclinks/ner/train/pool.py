"""The training pool: the NER sets of the shared data (`TRAIN_SETS`), their licences, and what training
reads off the pool as a whole (its labels, each source's labels, fine -> coarse parents, mixing weights).

`build_pool` reads the sets of `<data>/ner/train`, renames their labels to natural-language names
(`labels.normalize_label`) and keeps the source of each example; GLiNER training JSON(L) files such as
the silver set (`silver.py`) join it as sources of their own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

from ...paths import DATA_ENV, data_root
from .examples import DataError, Example, eval_to_example
from .labels import normalize_label
from .readers import read_bio, read_eval_json, read_gliner_json, read_io, read_label_table, read_named_bio

# name -> (relative path, reader)
TRAIN_SETS = {
    "conll2003": ("ner/train/conll2003/train.json", "eval_json"),
    "wnut17": ("ner/train/wnut17/wnut17train.conll", "bio"),
    "bc5cdr": ("ner/train/bc5cdr/train.tsv", "bio"),
    "ncbi-disease": ("ner/train/ncbi-disease/train.tsv", "bio"),
    "few-tk": ("ner/train/few-tk/train.txt", "io"),
    "gliner-sample": ("ner/train/gliner-sample/sample_data.json", "gliner_json"),
    # The wide sets: BIO files whose labels.tsv names each raw tag and its coarse label (the fallback).
    "few-nerd": ("ner/train/few-nerd/train.bio", "named_bio"),
    "multiconer2-en": ("ner/train/multiconer2-en/train.bio", "named_bio"),
    "bionlp13cg": ("ner/train/bionlp13cg/train.bio", "named_bio"),
    "anatem": ("ner/train/anatem/train.bio", "named_bio"),
    "fabner": ("ner/train/fabner/train.bio", "named_bio"),
    "tweetner7": ("ner/train/tweetner7/train.bio", "named_bio"),
    # The query sets: short requests to an assistant, slots marked, same layout as the wide sets.
    "snips": ("ner/train/snips/train.bio", "named_bio"),
    "sgd": ("ner/train/sgd/train.bio", "named_bio"),
}
# Each query labels only the slots of its own service (a film named in a restaurant request is unmarked), so
# their labels are negatives only within their own set (`sampling.LabelSampler`), and they are not in the
# default sets of a run (`TrainConfig.sets`), so that runs made before they existed repeat exactly.
QUERY_SETS = ("snips", "sgd")

# Licence of each set (the data README). A model anyone may use is trained only on OPEN_SETS.
SET_LICENCES = {
    "conll2003": "research use only (Reuters)",
    "wnut17": "CC BY 4.0",
    "bc5cdr": "CC BY 4.0",
    "ncbi-disease": "CC BY 4.0",
    "few-tk": "none stated: research use",
    "gliner-sample": "Apache-2.0",
    "few-nerd": "CC BY-SA 4.0",
    "multiconer2-en": "CC BY 4.0",
    "bionlp13cg": "CC BY 4.0",
    "anatem": "CC BY-SA 3.0",
    "fabner": "research use (none stated)",
    "tweetner7": "research use (Twitter terms)",
    "snips": "CC0 1.0",
    "sgd": "CC BY-SA 4.0",
}
OPEN_SETS = tuple(name for name, licence in SET_LICENCES.items() if not licence.startswith(("research", "none")))


def read_train_set(name: str, root: str | os.PathLike | None = None) -> list[Example]:
    """One set of the training pool, labels renamed (see `normalize_label`), entity-less labels dropped.
    `root`: the shared data folder (default: `paths.data_root()`)."""
    if name not in TRAIN_SETS:
        raise DataError(f"unknown training set {name!r}; known: {', '.join(TRAIN_SETS)}")
    rel, kind = TRAIN_SETS[name]
    path = data_root(root) / rel
    if not path.is_file():
        raise DataError(f"{path}: training set {name!r} not found (set {DATA_ENV} to the shared data folder)")
    if kind == "eval_json":
        examples = [eval_to_example(x, name)[0] for x in read_eval_json(path)]
    elif kind == "bio":
        examples = read_bio(path, name)
    elif kind == "io":
        examples = read_io(path, name)
    elif kind == "named_bio":
        examples = read_named_bio(
            path, read_label_table(path.parent / "labels.tsv"), name, by_service=name in QUERY_SETS
        )
    else:
        examples = read_gliner_json(path, name)
    return [renamed(x, name) for x in examples]


def renamed(example: Example, source: str) -> Example:
    """`example` with its labels (spans and fallbacks) renamed as `source` names them; labels
    `normalize_label` drops are dropped with their spans."""

    def rename(spans):
        return [(s, e, name) for s, e, label in spans if (name := normalize_label(label, source)) is not None]

    return Example(example.words, rename(example.spans), example.source or source, rename(example.fallback))


def without_labels(example: Example, labels: set[str]) -> Example:
    """`example` without its spans of `labels`, and without the fallbacks at those spans' words."""
    gone = {(s, e) for s, e, label in example.spans if label in labels}
    spans = [x for x in example.spans if x[2] not in labels]
    fallback = [x for x in example.fallback if (x[0], x[1]) not in gone]
    return Example(example.words, spans, example.source, fallback)


def build_pool(
    sets: Sequence[str] = tuple(TRAIN_SETS),
    root: str | os.PathLike | None = None,
    extra: Sequence[str | os.PathLike] = (),
    query_drop_fallbacks: Sequence[str] = (),
    query_drop_labels: Sequence[str] = (),
) -> dict[str, list[Example]]:
    """The training pool by source: the named sets of the shared data, plus GLiNER training JSON(L)
    files in `extra` (e.g. the silver set; source "silver" when the file name contains it).
    `query_drop_fallbacks`: coarse labels (pool names, e.g. "creative work") left off the spans of the
    query sets, whose fine names stay: a request's "play X" marks X as a work where a text would not.
    `query_drop_labels`: labels whose spans are left out of the query sets altogether, with any fallback
    at the same words (slots that mark common words, not names: "type of work" for "book", "music item"
    for "song"); the words stay, unlabelled."""
    pool = {name: read_train_set(name, root) for name in sets}
    if query_drop_labels:
        for name in set(pool) & set(QUERY_SETS):
            pool[name] = [without_labels(x, set(query_drop_labels)) for x in pool[name]]
    if query_drop_fallbacks:
        drop = set(query_drop_fallbacks)
        for name in set(pool) & set(QUERY_SETS):
            pool[name] = [
                Example(x.words, x.spans, x.source, [f for f in x.fallback if f[2] not in drop]) for x in pool[name]
            ]
    for path in extra:
        path = Path(path)
        source = "silver" if "silver" in path.name else path.stem  # silver-2wiki(-typed).jsonl
        pool[source] = [renamed(x, source) for x in read_gliner_json(path, source)]
    return pool


def pool_labels(pool: dict[str, list[Example]], min_count: int = 20) -> list[str]:
    """Every canonical label of the pool that names at least `min_count` entities, sorted (rarer ones are
    the one-off labels of small sets, too noisy to serve as negatives)."""
    counts: dict[str, int] = {}
    for examples in pool.values():
        for x in examples:
            for _, _, label in x.spans + x.fallback:
                counts[label] = counts.get(label, 0) + 1
    return sorted(label for label, n in counts.items() if n >= min_count)


def source_label_sets(pool: dict[str, list[Example]]) -> dict[str, set[str]]:
    """The labels each source annotates (its spans' and fallbacks' labels). A source is the pool's name of
    a set, or an example's own finer source where it has one (a query set's service: "sgd/Restaurants")."""
    out: dict[str, set[str]] = {}
    for name, examples in pool.items():
        out.setdefault(name, set())
        for x in examples:
            labels = {label for _, _, label in x.spans + x.fallback}
            out[name] |= labels
            if x.source and x.source != name:
                out.setdefault(x.source, set()).update(labels)
    return out


def label_parents(pool: dict[str, list[Example]]) -> dict[str, str]:
    """Fine label -> its coarse label, as the fallbacks of the pool give it (the most frequent one)."""
    counts: dict[str, dict[str, int]] = {}
    for examples in pool.values():
        for x in examples:
            if not x.fallback:
                continue
            coarse_at = {(s, e): label for s, e, label in x.fallback}
            for s, e, label in x.spans:
                coarse = coarse_at.get((s, e))
                if coarse is not None and coarse != label:
                    seen = counts.setdefault(label, {})
                    seen[coarse] = seen.get(coarse, 0) + 1
    return {label: max(sorted(seen), key=seen.__getitem__) for label, seen in counts.items()}


def mix_weights(
    pool: dict[str, list[Example]], weights: dict[str, float] | None = None, temperature: float = 0.5
) -> dict[str, float]:
    """Sampling probability of each source: `weights` where given, else (examples) ** `temperature`
    (default 0.5), normalised to sum to 1; empty sources are left out."""
    raw = {}
    for name, examples in pool.items():
        if not examples:
            continue
        if weights and name in weights:
            raw[name] = float(weights[name])
        else:
            raw[name] = math.pow(len(examples), temperature)
    total = sum(raw.values())
    if total <= 0:
        raise DataError("the training pool is empty")
    return {k: v / total for k, v in raw.items() if v > 0}
