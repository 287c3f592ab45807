"""The GLiNER zero-shot NER model: config, processing, network, decoding, checkpoints."""

from .config import CheckpointError, GLiNERConfig
from .gliner import GLiNER

__all__ = ["CheckpointError", "GLiNER", "GLiNERConfig"]
