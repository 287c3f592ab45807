"""Post-fusion (the poly-encoder step): attention between label vectors and word vectors after encoding.

A checkpoint with `post_fusion_schema` (e.g. "l2l-l2t-t2t") holds `num_post_fusion_layers` layers of
attention blocks, one per schema step, under upstream's parameter names (`cross_fuser.layers.{i}.{j}`):

- ``l2l``: self-attention among a row's labels; ``t2t``: self-attention among its words;
- ``l2t``: each label attends to the words; ``t2l``: each word attends to the labels.

As in `gliner` 0.2.29 (`modeling/layers.py`), a self-attention block computes
`post_norm(x + attn(q_proj(x), k_proj(x), v_proj(x)))` on `x = pre_norm(x)`, a cross block
`post_norm(q + attn(q, key, v_proj(key)))` on `q = pre_norm(query)` (the key is not normalised), and the
attention projects its inputs once more (`query_layer`, `key_layer`, `value_layer`) before scaled
dot-product attention with as many heads as the text encoder has. Padding takes part in nothing: a
block's mask is the product of its query and key masks, and a padded query row attends to nothing
(PyTorch's attention gives it zeros).

`gliner` runs post-fusion in bi-encoders only: a uni-encoder checkpoint carries the layers (they are
built, saved and loaded) but its forward pass never calls them, and so does doclinks'.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import FUSION_STEPS

SELF_STEPS = ("l2l", "t2t")


def parse_schema(schema: str) -> list[str]:
    """The steps of a schema string ("l2l-l2t-t2t" -> ["l2l", "l2t", "t2t"]); ValueError on an unknown step."""
    steps = schema.split("-")
    unknown = [s for s in steps if s not in FUSION_STEPS]
    if unknown:
        raise ValueError(f"unknown post-fusion step(s) {unknown}: a schema joins {', '.join(FUSION_STEPS)} with '-'")
    return steps


class FusionAttention(nn.Module):
    """Multi-head scaled dot-product attention with its own query, key and value projections."""

    def __init__(self, dim: int, num_heads: int, dropout: float):
        super().__init__()
        self.num_heads = num_heads
        self.dropout = dropout
        self.query_layer = nn.Linear(dim, dim)
        self.key_layer = nn.Linear(dim, dim)
        self.value_layer = nn.Linear(dim, dim)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape
        return x.view(batch, length, self.num_heads, dim // self.num_heads).transpose(1, 2)

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(B, Q, D) attention of `query` (B, Q, D) over `key` and `value` (B, K, D); `mask` (B, Q, K) bool."""
        batch, length, dim = query.shape
        out = F.scaled_dot_product_attention(
            self._heads(self.query_layer(query)),
            self._heads(self.key_layer(key)),
            self._heads(self.value_layer(value)),
            mask.unsqueeze(1),
            self.dropout if self.training else 0.0,
        )
        return out.transpose(1, 2).reshape(batch, length, dim)


class SelfAttentionBlock(nn.Module):
    """Normalise, self-attend, add, normalise (upstream's `SelfAttentionBlock`)."""

    def __init__(self, dim: int, num_heads: int, dropout: float):
        super().__init__()
        self.self_attn = FusionAttention(dim, num_heads, dropout)
        self.pre_norm = nn.LayerNorm(dim)
        self.post_norm = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.pre_norm(x)
        attended = self.self_attn(self.q_proj(x), self.k_proj(x), self.v_proj(x), mask)
        return self.post_norm(x + self.dropout(attended))


class CrossAttentionBlock(nn.Module):
    """Normalise the queries, attend to the other side, add, normalise (upstream's `CrossAttentionBlock`)."""

    def __init__(self, dim: int, num_heads: int, dropout: float):
        super().__init__()
        self.cross_attn = FusionAttention(dim, num_heads, dropout)
        self.pre_norm = nn.LayerNorm(dim)
        self.post_norm = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)
        self.v_proj = nn.Linear(dim, dim)

    def forward(self, query: torch.Tensor, key: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        query = self.pre_norm(query)
        attended = self.cross_attn(query, key, self.v_proj(key), mask)
        return self.post_norm(query + self.dropout(attended))


class CrossFuser(nn.Module):
    """`num_layers` layers of the schema's blocks over label vectors and word vectors."""

    def __init__(self, dim: int, num_heads: int, num_layers: int, dropout: float, schema: str):
        super().__init__()
        self.schema = parse_schema(schema)
        self.layers = nn.ModuleList(
            nn.ModuleList(
                (SelfAttentionBlock if step in SELF_STEPS else CrossAttentionBlock)(dim, num_heads, dropout)
                for step in self.schema
            )
            for _ in range(num_layers)
        )

    def forward(
        self, labels: torch.Tensor, words: torch.Tensor, labels_mask: torch.Tensor, words_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Fused (labels (B, C, D), words (B, W, D)); the masks (B, C) and (B, W) are True where real."""
        label_pairs = labels_mask.unsqueeze(2) & labels_mask.unsqueeze(1)  # (B, C, C)
        word_pairs = words_mask.unsqueeze(2) & words_mask.unsqueeze(1)  # (B, W, W)
        label_to_word = labels_mask.unsqueeze(2) & words_mask.unsqueeze(1)  # (B, C, W)
        word_to_label = label_to_word.transpose(1, 2)  # (B, W, C)
        for blocks in self.layers:
            assert isinstance(blocks, nn.ModuleList)  # one per layer (__init__); ModuleList iterates as Module
            for step, block in zip(self.schema, blocks):
                if step == "l2l":
                    labels = block(labels, label_pairs)
                elif step == "t2t":
                    words = block(words, word_pairs)
                elif step == "l2t":
                    labels = block(labels, words, label_to_word)
                else:  # t2l
                    words = block(words, labels, word_to_label)
        return labels, words
