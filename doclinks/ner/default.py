"""`doclinks.default_model()`: the GLiNER model shipped inside the package, loaded once per process."""

from __future__ import annotations

import threading
from pathlib import Path

from .config import CONFIG_FILE

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "default"

_lock = threading.Lock()
_model = None


class NoDefaultModelError(FileNotFoundError):
    """No default model is shipped in this installation of doclinks."""


def default_model_path() -> Path:
    """The folder of the shipped model (`doclinks/models/default/`), checked to hold a checkpoint."""
    if not (DEFAULT_MODEL_DIR / CONFIG_FILE).is_file():
        raise NoDefaultModelError(
            f"doclinks ships no default NER model yet ({DEFAULT_MODEL_DIR} holds no {CONFIG_FILE}): "
            f"pass a model explicitly (a GLiNER checkpoint folder or hub id), or train one with "
            f"`doclinks train` (see docs/training.md)"
        )
    return DEFAULT_MODEL_DIR


def default_model():
    """The shipped `doclinks.GLiNER` model on CPU in float32, loaded on first use and cached per process."""
    global _model
    with _lock:
        if _model is None:
            from .gliner import GLiNER

            _model = GLiNER.from_pretrained(default_model_path(), local_files_only=True)
        return _model
