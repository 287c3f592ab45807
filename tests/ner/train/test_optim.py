"""AdamW parameter groups: encoder and heads, with and without weight decay."""

from __future__ import annotations

from doclinks.ner.train.config import TrainConfig
from doclinks.ner.train.optim import parameter_groups

from .helpers import fresh_model


def test_parameter_groups_split_encoder_and_heads():
    _, _, network = fresh_model()
    groups = {
        g["name"]: g for g in parameter_groups(network, TrainConfig(lr_encoder=1e-5, lr_others=1e-3, weight_decay=0.1))
    }
    assert set(groups) == {"encoder", "encoder-no-decay", "heads", "heads-no-decay"}
    assert groups["encoder"]["lr"] == 1e-5 and groups["heads"]["lr"] == 1e-3
    assert groups["heads-no-decay"]["weight_decay"] == 0.0 and groups["heads"]["weight_decay"] == 0.1
    total = sum(p.numel() for g in groups.values() for p in g["params"])
    assert total == sum(p.numel() for p in network.parameters())
