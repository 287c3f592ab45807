"""The NER models link extractors run: loaded once per process by name and shared.

A model is anything with ``iter_inference`` (`doclinks.GLiNER`) or ``batch_predict_entities``
(the `gliner` package's ``GLiNER``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

__all__ = ["load_model", "clear_model_cache", "is_model", "reads_descriptions"]

_model_lock = threading.Lock()
_models: dict[str, Any] = {}


def is_model(obj: Any) -> bool:
    """Whether `obj` can run as a link extractor's model (``iter_inference`` or ``batch_predict_entities``)."""
    return callable(getattr(obj, "iter_inference", None)) or callable(getattr(obj, "batch_predict_entities", None))


def load_model(model: Any = None) -> Any:
    """The model an extractor runs: loaded once per process and shared.

    Args:
        model: None for doclinks' default model (`doclinks.default_model()`); a loaded
            `doclinks.GLiNER` (or a `gliner.GLiNER`), returned as is; or a checkpoint
            folder or Hugging Face Hub id, loaded with `GLiNER.from_pretrained` and cached
            under the resolved folder (or the hub id).

    Raises:
        TypeError: `model` is none of those.
        doclinks.ner.default.NoDefaultModelError: None, and no default model is shipped.
    """
    if model is None:
        from ..ner.default import default_model

        return default_model()
    if is_model(model):
        return model
    if isinstance(model, (str, os.PathLike)):
        name = os.fspath(model)
        if not name.strip():
            raise ValueError("model: an empty name")
        path = Path(name).expanduser()
        key = str(path.resolve()) if path.exists() else name
        with _model_lock:
            loaded = _models.get(key)
            if loaded is None:
                from ..ner import GLiNER

                loaded = GLiNER.from_pretrained(key)
                _models[key] = loaded
            return loaded
    raise TypeError(
        f"model: expected None (the default model), a GLiNER model, or a checkpoint path or hub id, "
        f"got {type(model).__name__}"
    )


def clear_model_cache() -> None:
    """Forget the models `load_model` loaded by name (extractors keep theirs)."""
    with _model_lock:
        _models.clear()


def reads_descriptions(model: Any) -> bool:
    """Whether a model was trained to read label descriptions: a doclinks checkpoint says so with
    ``"trained_with_descriptions": true`` in its gliner_config.json (none of the `gliner` family's
    span checkpoints were); a model of another library is given the benefit of the doubt."""
    if not callable(getattr(model, "iter_inference", None)):
        return True
    extra = getattr(getattr(model, "config", None), "extra", None)
    return bool(extra.get("trained_with_descriptions")) if isinstance(extra, dict) else False
