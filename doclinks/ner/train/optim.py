"""What is trained and how fast: AdamW parameter groups (encoder / heads, with and without weight decay),
frozen encoder layers, and the learning-rate schedule (linear warm-up, then linear decay to 0)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..network import GLiNERNetwork
from .config import TrainConfig


def parameter_groups(network: GLiNERNetwork, train: TrainConfig) -> list[dict]:
    """AdamW groups: encoder (`token_rep_layer`) and heads, each with and without weight decay
    (biases and LayerNorm weights have none)."""
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = {}
    no_decay_modules = set()
    for name, module in network.named_modules():
        if isinstance(module, torch.nn.LayerNorm):
            no_decay_modules.add(name)
    for name, param in network.named_parameters():
        if not param.requires_grad:
            continue
        # The word-shape vectors are new (zero-initialised) like the heads: they learn at the heads' rate.
        encoder = name.startswith("token_rep_layer.") and not name.startswith("token_rep_layer.word_shape")
        module = name.rsplit(".", 1)[0]
        decay = not (name.endswith("bias") or module in no_decay_modules)
        groups.setdefault((encoder, decay), []).append(param)
    out = []
    for (encoder, decay), params in sorted(groups.items()):
        out.append(
            {
                "params": params,
                "lr": train.lr_encoder if encoder else train.lr_others,
                "weight_decay": train.weight_decay if decay else 0.0,
                "name": f"{'encoder' if encoder else 'heads'}{'' if decay else '-no-decay'}",
            }
        )
    return out


def freeze(network: GLiNERNetwork, *, embeddings: bool, layers: int) -> list[str]:
    """Turn off the gradients of the encoder's input embeddings and of its lowest `layers` layers
    (transformers' `embeddings.*` and `encoder.layer.<i>.*` names); return the names frozen. Freezing
    any layer freezes the embeddings too (below it, they would need the backward pass it saves)."""
    backbone = network.token_rep_layer.bert_layer.model
    frozen = []
    found_layers = set()
    for name, param in backbone.named_parameters():
        parts = name.split(".")
        layer = None
        if "layer" in parts:
            at = parts.index("layer")
            if at + 1 < len(parts) and parts[at + 1].isdigit():
                layer = int(parts[at + 1])
                found_layers.add(layer)
        if ((embeddings or layers > 0) and parts[0] == "embeddings") or (layer is not None and layer < layers):
            param.requires_grad_(False)
            frozen.append(name)
    if layers > len(found_layers):
        raise ValueError(f"freeze_layers={layers}, but the encoder has {len(found_layers)} numbered layers")
    return frozen


def linear_schedule(total: int, warmup: int) -> Callable[[int], float]:
    """The learning-rate factor of each step (0-based): from 0 to 1 over `warmup` steps, then down to 0
    at step `total`."""

    def factor(step: int) -> float:
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return factor


def optimizer_and_schedule(
    network: GLiNERNetwork, train: TrainConfig
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW over `parameter_groups` and its schedule: `warmup_ratio` of `steps` warm-up, linear decay."""
    # The fused kernel is ~10x faster than the default on CPU (one pass over the 29M parameters).
    optimizer = torch.optim.AdamW(parameter_groups(network, train), lr=train.lr_others, fused=True)
    warmup = math.ceil(train.steps * train.warmup_ratio)
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, linear_schedule(train.steps, warmup))
