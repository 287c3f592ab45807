"""Checkpoint-to-checkpoint operations: export with the weights cast (`export_checkpoint`), weighted
averaging (`average_checkpoints`) and interpolation (`interpolate_checkpoints`) of one architecture's
checkpoints. Reading and writing a single checkpoint is `checkpoints`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import torch

from .checkpoints import load_checkpoint, load_labels_tokenizer, parse_dtype, save_checkpoint
from .config import CheckpointError


def export_checkpoint(
    source: str | os.PathLike, target: str | os.PathLike, *, dtype: str | torch.dtype | None = "fp16"
) -> Path:
    """Copy a checkpoint folder to `target` with its weights cast to `dtype` (fp16: half the size).

    Only the weights file, `gliner_config.json` and the tokenizer files are written (no trainer state).
    """
    source = Path(source)
    config, tokenizer, network = load_checkpoint(source)
    torch_dtype = parse_dtype(dtype)
    if torch_dtype is not None:
        network.to(torch_dtype)
    labels_tokenizer = load_labels_tokenizer(config, source) if config.bi_encoder else None
    return save_checkpoint(target, config, tokenizer, network, labels_tokenizer=labels_tokenizer)


def average_checkpoints(
    checkpoints: Sequence[str | os.PathLike], target: str | os.PathLike, *, weights: Sequence[float] | None = None
) -> Path:
    """Write into `target` the checkpoint whose weights are the weighted mean of `checkpoints`' weights.

    All must share one architecture (checkpoints of one run, or a run and the checkpoint it started
    from); config and tokenizer come from the last. `weights` (default: equal) must be >= 0 and are
    normalised to sum to 1. Averaging along a run (Izmailov et al. 2018) and with its start (WiSE-FT,
    Wortsman et al. 2022) keeps what fine-tuning gained while smoothing what it cost. fp32 result.
    """
    paths = [Path(c) for c in checkpoints]
    if not paths:
        raise ValueError("average_checkpoints: no checkpoint given")
    weights = [1.0] * len(paths) if weights is None else [float(w) for w in weights]
    if len(weights) != len(paths) or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"weights must be one non-negative number per checkpoint, not all zero; got {weights}")
    weights = [w / sum(weights) for w in weights]
    return _mix(paths, target, lambda name: weights)


def interpolate_checkpoints(
    base: str | os.PathLike,
    tuned: str | os.PathLike,
    target: str | os.PathLike,
    *,
    weight: float = 0.5,
    weight_by_prefix: Mapping[str, float] | None = None,
) -> Path:
    """`(1 - weight) * base + weight * tuned` into `target` (see `average_checkpoints`); `weight` in [0, 1].

    `weight_by_prefix` (default none) gives some parameters their own weight: a parameter whose name
    starts with one of its keys takes that key's weight (the longest key that matches), e.g.
    ``{"token_rep_layer.bert_layer.model.embeddings.": 0.0, "token_rep_layer.bert_layer.model.encoder.layer.0.": 0.0}``
    keeps the base model's embeddings and first encoder layer. A key that matches no parameter is an error.
    """
    prefixes = dict(weight_by_prefix or {})
    for value in [weight, *prefixes.values()]:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"weight must be in [0, 1], got {value}")

    def weights_of(name: str) -> list[float]:
        keys = [p for p in prefixes if name.startswith(p)]
        w = prefixes[max(keys, key=len)] if keys else weight
        return [1.0 - w, w]

    def check(names: list[str]) -> None:
        unused = [p for p in prefixes if not any(name.startswith(p) for name in names)]
        if unused:
            raise ValueError(f"weight_by_prefix: no parameter name starts with {', '.join(map(repr, unused))}")

    return _mix([Path(base), Path(tuned)], target, weights_of, check)


def _mix(
    paths: list[Path],
    target: str | os.PathLike,
    weights_of: Callable[[str], Sequence[float]],
    check: Callable[[list[str]], None] | None = None,
) -> Path:
    """Write into `target` the checkpoint whose parameter `name` is `sum(w_i * paths[i][name])`, with `w` =
    `weights_of(name)` (one weight per path, summing to 1); config and tokenizer from the last path.
    `check(names)` may refuse the floating-point parameter names before anything is mixed."""
    config, tokenizer, network = load_checkpoint(paths[-1])
    state = network.state_dict()
    names = [k for k, v in state.items() if v.is_floating_point()]
    if check is not None:
        check(names)
    weights = {name: weights_of(name) for name in names}
    total = {name: weights[name][-1] * state[name].float() for name in names}
    for i, path in enumerate(paths[:-1]):
        other = load_checkpoint(path)[2].state_dict()
        if other.keys() != state.keys() or any(other[k].shape != v.shape for k, v in state.items()):
            raise CheckpointError(f"{path} and {paths[-1]} do not share one architecture: cannot mix their weights")
        for name in names:
            total[name] += weights[name][i] * other[name].float()
    with torch.no_grad():
        for name, value in total.items():
            state[name].copy_(value)
    labels_tokenizer = load_labels_tokenizer(config, paths[-1]) if config.bi_encoder else None
    return save_checkpoint(target, config, tokenizer, network, labels_tokenizer=labels_tokenizer)
