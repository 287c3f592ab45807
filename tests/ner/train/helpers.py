"""Shared pieces of the training tests: a fresh GLiNER on the packaged MiniLM (built once), toy data."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

from doclinks.ner.train.examples import Example
from doclinks.paths import packaged_minilm

from ..synthetic import template_sentences

FIRST = ["Anna", "John", "Maria", "Omar", "Li", "Elena", "Pierre", "Aiko"]
LAST = ["Smith", "Garcia", "Wang", "Okafor", "Rossi", "Tanaka"]
CITIES = ["Paris", "Tokyo", "Berlin", "Lagos", "Lima", "Oslo"]
ORGS = ["Siemens", "NASA", "Toyota", "Oxfam", "Nokia"]
TEMPLATES = ["{p} lives in {c} .", "{p} works for {o} .", "{o} opened an office in {c} .", "In {c} , {p} met {p2} ."]
LABELS = {"p": "person", "p2": "person", "c": "location", "o": "organization"}


def toy_examples(n: int, seed: int = 0, source: str = "toy") -> list[Example]:
    """Short synthetic sentences with person / location / organization spans."""
    values = {"p": [f"{first} {last}" for first in FIRST for last in LAST], "p2": FIRST, "c": CITIES, "o": ORGS}
    return [Example(words, spans, source) for words, spans in template_sentences(n, TEMPLATES, values, LABELS, seed)]


def toy_pool(n: int = 64) -> dict[str, list[Example]]:
    pool = {"toy": toy_examples(n)}
    # Negatives need labels with enough entities: a second source with other kinds.
    pool["other"] = [Example(["Aspirin", "cures", "flu", "."], [(0, 0, "chemical"), (2, 2, "disease")], "other")] * 30
    return pool


@functools.lru_cache(maxsize=1)
def _fresh():
    from doclinks.ner.checkpoints import create_model

    return create_model(packaged_minilm(), dropout=0.1, seed=3, model_name="sentence-transformers/all-MiniLM-L6-v2")


def fresh_model():
    """(config, tokenizer, network): copies of one fresh MiniLM GLiNER (hidden 384, BiLSTM, max_width 12)."""
    config, tokenizer, network = _fresh()
    return copy.deepcopy(config), copy.deepcopy(tokenizer), copy.deepcopy(network)


def write_toy_data(root: Path) -> Path:
    """A data folder in the shared layout: a tiny training set (gliner-sample) and one dev set ("toy")."""
    train = root / "ner" / "train" / "gliner-sample"
    train.mkdir(parents=True)
    items = [{"tokenized_text": x.words, "ner": [list(s) for s in x.spans]} for x in toy_examples(40)]
    (train / "sample_data.json").write_text(json.dumps(items))
    dev = root / "ner" / "dev" / "toy"
    dev.mkdir(parents=True)
    sentences = []
    for x in toy_examples(6, seed=9):
        text = " ".join(x.words)
        starts = [len(" ".join(x.words[:i])) + (1 if i else 0) for i in range(len(x.words))]
        ents = [
            {"name": " ".join(x.words[s : e + 1]), "type": t, "pos": [starts[s], starts[e] + len(x.words[e])]}
            for s, e, t in x.spans
        ]
        sentences.append({"sentence": text, "entities": ents})
    (dev / "dev.json").write_text(json.dumps(sentences))
    (dev / "labels.json").write_text(json.dumps(["person", "location", "organization"]))
    return root
