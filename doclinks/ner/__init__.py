"""The GLiNER zero-shot NER model (inference): config, input checks, encoder inputs, network, decoding,
checkpoints, the `GLiNER` class and the shipped default model. Training lives in `doclinks.ner.train`."""

from .config import CheckpointError, GLiNERConfig
from .gliner import GLiNER

__all__ = ["CheckpointError", "GLiNER", "GLiNERConfig"]
