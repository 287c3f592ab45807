"""The forward pass of a BERT encoder (all-MiniLM-L6-v2) in plain torch, for the sentence embedder.

Why not `transformers`: importing its model classes costs ~5 s of the command line's start-up
(``transformers.configuration_utils`` pulls in generation utilities, which import scikit-learn);
this module imports only torch, `safetensors` and `tokenizers` (the same Rust tokenizer that
`transformers` wraps, read from the same ``tokenizer.json``). It computes exactly what
``transformers.BertModel`` computes in eval mode (absolute positions, token type 0, exact GELU,
post-LayerNorm); `tests/test_minilm.py` checks the embeddings against `transformers` within 1e-5.
The NER model's encoder still loads through `transformers` (any architecture).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F

__all__ = ["BertEncoder", "load_tokenizer"]


class BertEncoder(torch.nn.Module):
    """A BERT encoder (no pooler) from a model folder with ``config.json`` and ``model.safetensors``.

    Args:
        folder: the model folder (the ``transformers`` layout).
    """

    def __init__(self, folder: str | Path) -> None:
        super().__init__()
        from safetensors.torch import load_file

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") != "bert" or config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(
                f"{folder}: not a BERT model with absolute positions (model_type {config.get('model_type')!r})"
            )
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"{folder}: hidden_act {config.get('hidden_act')!r}; this encoder implements 'gelu'")
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        # Plain tensors by their checkpoint names: nothing to train, nothing to register.
        self.weights = {k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()}

    def _w(self, name: str) -> torch.Tensor:
        return self.weights[name]

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self._w(f"{name}.weight"), self._w(f"{name}.bias"))

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, x.shape[-1:], self._w(f"{name}.weight"), self._w(f"{name}.bias"), self.eps)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Last hidden states, ``(batch, tokens, hidden)``, for token ids and their 0/1 mask."""
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = (
            F.embedding(input_ids, self._w("embeddings.word_embeddings.weight"))
            + F.embedding(positions, self._w("embeddings.position_embeddings.weight"))[None]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        batch, tokens, hidden = x.shape
        size = hidden // self.heads
        keep = attention_mask[:, None, None, :].bool()  # (batch, 1, 1, tokens): True where a key is read

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, tokens, self.heads, size).transpose(1, 2)

        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q, k, v = (split(self._linear(x, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=1.0 / math.sqrt(size))
            context = context.transpose(1, 2).reshape(batch, tokens, hidden)
            x = self._norm(self._linear(context, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
            inner = F.gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = self._norm(self._linear(inner, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        return x


def load_tokenizer(folder: str | Path, max_length: int):
    """The model's WordPiece tokenizer (``tokenizer.json``), truncating to `max_length` tokens and
    padding each batch to its longest text (pad id 0), as the sentence-transformers pipeline does."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
    return tokenizer
