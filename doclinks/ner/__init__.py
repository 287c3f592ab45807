"""The GLiNER zero-shot NER model (inference): config, input checks, encoder inputs, network, decoding,
checkpoints, the `GLiNER` class and the shipped default model. Training lives in `doclinks.ner.train`.

`GLiNER` and the config load on first use (PEP 562), so that importing a light module of this package
(`doclinks.ner.validation`, the link extractor's checks) does not import torch: the command line's
start-up time."""

from __future__ import annotations

__all__ = ["CheckpointError", "GLiNER", "GLiNERConfig"]


def __getattr__(name: str):
    if name == "GLiNER":
        from .gliner import GLiNER

        return GLiNER
    if name in ("CheckpointError", "GLiNERConfig"):
        from . import config

        return getattr(config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
