"""Small real embedders for the store tests (deterministic, no model)."""

from __future__ import annotations

import hashlib
import re

import numpy as np


class VectorTextEmbeddings:
    """Reads the vector written in the text: "v:1,0,0 some words" -> [1, 0, 0].

    A real, deterministic embedding function that lets a test place every chunk and
    query exactly where it wants.
    """

    def _one(self, text: str) -> list[float]:
        m = re.match(r"v:(\S+)", text)
        if not m:
            raise ValueError(f"no vector in text {text!r}")
        return [float(x) for x in m.group(1).split(",")]

    def embed_documents(self, texts):
        return [self._one(t) for t in texts]

    def embed_query(self, text):
        return self._one(text)


class HashingEmbeddings:
    """Signed hashing bag of words (64 dimensions): shared words make texts similar."""

    dim = 64

    def _one(self, text: str) -> list[float]:
        v = np.zeros(self.dim)
        for word in re.findall(r"\w+", text.lower()):
            h = int(hashlib.md5(word.encode()).hexdigest(), 16)
            v[h % self.dim] += 1.0 if (h >> 64) & 1 else -1.0
        if not v.any():
            v[0] = 1.0
        return v.tolist()

    def embed_documents(self, texts):
        return [self._one(t) for t in texts]

    def embed_query(self, text):
        return self._one(text)
