"""Label vectors of a bi-encoder, computed once per label and reused across calls.

A bi-encoder reads each entity type alone with its labels encoder, so a label's vector does not depend on
the text nor on the other labels: a link extractor, whose labels never change, encodes them once.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .network import GLiNERNetwork


class LabelVectorCache:
    """Vectors (D,) of label texts, keyed by the text the labels encoder reads (a label's description when
    labels come as {name: description}). Holds at most `max_entries` labels (4096); past that it starts
    afresh. `clear()` after moving the network to another device or dtype."""

    def __init__(self, tokenizer, network: GLiNERNetwork, *, batch_size: int = 64, max_entries: int = 4096):
        self.tokenizer = tokenizer
        self.network = network
        self.batch_size = batch_size
        self.max_entries = max_entries
        self._vectors: dict[str, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def clear(self) -> None:
        """Forget every vector."""
        self._vectors.clear()

    def vectors(self, labels: Sequence[str]) -> torch.Tensor:
        """(N, D) vectors of `labels`, in order, on the network's device and dtype; only labels not seen
        before are encoded, in batches of `batch_size` sorted by length (less padding)."""
        missing = sorted({label for label in labels if label not in self._vectors}, key=len)
        if len(self._vectors) + len(missing) > self.max_entries:
            self._vectors.clear()
            missing = sorted(set(labels), key=len)
        for lo in range(0, len(missing), self.batch_size):
            self._encode(missing[lo : lo + self.batch_size])
        if not labels:
            dim = self.network.config.hidden_size
            parameter = next(self.network.parameters())
            return parameter.new_zeros(0, dim)
        return torch.stack([self._vectors[label] for label in labels])

    @torch.inference_mode()
    def _encode(self, labels: list[str]) -> None:
        device = next(self.network.parameters()).device
        # As upstream: special tokens on, truncated to the tokenizer's limit, padded to the longest.
        encoded = self.tokenizer(labels, truncation=True, padding=True, return_tensors="pt")
        vectors = self.network.encode_labels(encoded["input_ids"].to(device), encoded["attention_mask"].to(device))
        for label, vector in zip(labels, vectors):
            self._vectors[label] = vector
