"""Small real GLiNER checkpoints built by the peer (`gliner` 0.2.29) from the packaged all-MiniLM-L6-v2.

Used by the parity tests: upstream builds and saves them, both implementations load the same folder.
"""

from __future__ import annotations

import random
from pathlib import Path

import torch

from doclinks.paths import packaged_minilm

from .synthetic import one_torch_thread, template_sentences

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


def synthetic_examples(n: int, seed: int = 0) -> list[dict]:
    """GLiNER training examples: tokenized sentences with word spans (end inclusive)."""
    people = [f"{first} {last}" for first in FIRST for last in LAST]
    values = {"person": people, "person2": people, "city": CITIES, "org": ORGS, "date": DATES}
    labels = {"person": "person", "person2": "person", "city": "location", "org": "organization", "date": "date"}
    sentences = template_sentences(n, TEMPLATES, values, labels, seed)
    return [{"tokenized_text": words, "ner": [list(span) for span in spans]} for words, spans in sentences]


def build_peer_checkpoint(
    directory: Path,
    *,
    hidden_size: int,
    rnn_layers: int,
    seed: int,
    fine_tune_steps: int = 0,
    embed_ent_token: bool = True,
    span_mode: str = "markerV0",
    bi_encoder: bool = False,
    learning_rate: float = 1e-3,
    post_fusion_schema: str = "",
    num_post_fusion_layers: int = 1,
    encoder: str | Path | None = None,
    max_len: int | None = None,
) -> Path:
    """Build a GLiNER with upstream, optionally fine-tune its heads briefly, save it to `directory`.

    `span_mode` "markerV0" (span-level) or "token_level"; `bi_encoder` adds all-MiniLM-L6-v2 as the labels
    encoder too (a separate copy). `embed_ent_token=False` reads each label's vector off its first token:
    with the encoder frozen that vector already means something, so a few dozen steps spread the scores
    (from the `<<ENT>>` marker, whose embedding starts random, it takes hundreds). `post_fusion_schema`
    (e.g. "l2l-l2t-t2t") adds `num_post_fusion_layers` post-fusion layers, fine-tuned with the heads.
    `encoder` (default: the packaged all-MiniLM-L6-v2, pretrained) names a folder with only a config and a
    tokenizer: upstream then initialises the encoder at random (seeded), as for the tiny decoder encoders.
    """
    from gliner import GLiNER

    # gliner's collator draws negative labels with Python's global `random`: seeded too, so that the brief
    # fine-tuning does not depend on what the tests before it drew.
    random.seed(seed)
    torch.manual_seed(seed)
    pretrained = encoder is None
    encoder = str(packaged_minilm() if encoder is None else encoder)
    settings = dict(model_name=encoder, span_mode=span_mode, hidden_size=hidden_size, num_rnn_layers=rnn_layers,
                    dropout=0.1, max_width=12, max_types=8, embed_ent_token=embed_ent_token)  # fmt: skip
    if bi_encoder:
        settings["labels_encoder"] = encoder
    if post_fusion_schema:
        settings.update(post_fusion_schema=post_fusion_schema, num_post_fusion_layers=num_post_fusion_layers)
    if max_len is not None:
        settings["max_len"] = max_len
    model = GLiNER.from_config(settings, backbone_from_pretrained=pretrained)
    if fine_tune_steps:
        examples = synthetic_examples(320, seed=seed)
        collator = model.data_collator_class(model.config, data_processor=model.data_processor, prepare_labels=True)
        # Heads only (encoder frozen): fast on CPU, and enough to spread the scores away from 0.5.
        for name, param in model.model.named_parameters():
            param.requires_grad = "bert_layer" not in name and "labels_encoder.model" not in name
        optimizer = torch.optim.AdamW([p for p in model.model.parameters() if p.requires_grad], lr=learning_rate)
        model.model.eval()  # no dropout: faster, and the gradients still flow
        rng = random.Random(seed)
        with one_torch_thread():
            for _ in range(fine_tune_steps):
                batch = collator(rng.sample(examples, 8))
                # Each step keeps 5% of the negative (span, label) pairs, at random: with all of them the
                # heads first learn to say "no" to everything, and climb out of that only after ~300 steps.
                inputs = {k: v for k, v in batch.items() if isinstance(v, torch.Tensor)}
                loss = model.model(**inputs, negatives=0.05, masking="global").loss
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        model.model.eval()
    model.save_pretrained(directory)
    return directory
