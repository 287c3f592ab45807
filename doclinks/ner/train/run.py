"""The files of a training run folder: checkpoints with their trainer state, the settings, the log.

    RUN/checkpoint-0000100/      a GLiNER checkpoint (the `gliner` layout) + trainer_state.pt
    RUN/train_config.json        the settings the run started with
    RUN/train_log.jsonl          one record per step (loss, seconds, learning rates) and per evaluation

A checkpoint is written under a temporary name and renamed once whole, so a run stopped at any moment
leaves only complete checkpoints; the newest `keep` are kept. Where checkpoints are found (and what
makes one complete) is `doclinks.paths`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import torch

from ...paths import CHECKPOINT_PREFIX, STATE_FILE, checkpoints_in, latest_checkpoint
from ..checkpoints import save_checkpoint
from ..config import GLiNERConfig
from ..network import GLiNERNetwork
from .config import TrainConfig

TRAIN_CONFIG_FILE = "train_config.json"
LOG_FILE = "train_log.jsonl"


def write_checkpoint(
    output: str | os.PathLike,
    step: int,
    config: GLiNERConfig,
    tokenizer,
    network: GLiNERNetwork,
    state: dict,
    *,
    keep: int = 2,
) -> Path:
    """Write `checkpoint-<step>` into the run folder `output`: the model in the gliner layout plus the
    trainer `state`, atomically; then delete all but the newest `keep` (at least 1) checkpoints."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    final = output / f"{CHECKPOINT_PREFIX}{step:07d}"
    tmp = output / f".tmp-{final.name}"
    if tmp.exists():
        shutil.rmtree(tmp)
    save_checkpoint(tmp, config, tokenizer, network)
    torch.save(state, tmp / STATE_FILE)
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    for old in checkpoints_in(output)[: -max(keep, 1)]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def read_state(checkpoint: str | os.PathLike) -> dict:
    """The trainer state saved with a checkpoint (step, optimizer, scheduler, RNG states, settings), on CPU."""
    return torch.load(Path(checkpoint) / STATE_FILE, map_location="cpu", weights_only=True)


def write_train_config(output: str | os.PathLike, train: TrainConfig) -> None:
    """Record the settings a run starts with (`train_config.json`), so a resume before the first
    checkpoint still finds them."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    (output / TRAIN_CONFIG_FILE).write_text(json.dumps(train.to_dict(), indent=2) + "\n")


def saved_train_config(output: str | os.PathLike) -> TrainConfig | None:
    """The settings of the run in `output` (from its latest checkpoint, else its train_config.json); None
    for a folder that holds neither."""
    checkpoint = latest_checkpoint(output)
    if checkpoint is not None:
        return TrainConfig.from_dict(read_state(checkpoint)["train_config"])
    path = Path(output) / TRAIN_CONFIG_FILE
    if path.is_file():
        return TrainConfig.from_dict(json.loads(path.read_text()))
    return None


def append_log(output: str | os.PathLike, record: dict) -> None:
    """Add one JSON record to the run's `train_log.jsonl`."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    with (output / LOG_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
