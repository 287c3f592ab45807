"""Test doubles for the link tests: a lexicon-based stand-in for GLiNER, and a hashing embedder."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Iterator


class LexiconModel:
    """Finds fixed surface strings with fixed labels and scores; the `iter_inference` API of `doclinks.GLiNER`.

    `lexicon`: {surface: (label, score)}. Matches are whole words, case sensitive; longer surfaces win
    overlaps (like flat decoding). Records the keyword arguments of each call and how many texts it read.
    """

    def __init__(self, lexicon: dict[str, tuple[str, float]]):
        self.lexicon = lexicon
        self.calls: list[dict] = []
        self.read = 0

    def _find(self, text: str, names: list[str], threshold: float) -> list[dict]:
        taken: list[tuple[int, int]] = []
        found = []
        for surface in sorted(self.lexicon, key=len, reverse=True):
            label, score = self.lexicon[surface]
            if label not in names or score <= threshold:
                continue
            for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append({"start": m.start(), "end": m.end(), "text": m.group(), "label": label, "score": score})
        return sorted(found, key=lambda e: e["start"])

    def iter_inference(
        self, texts: Iterable[str], labels, threshold=0.5, flat_ner=True, multi_label=False, batch_size=8,
        *, max_batch_tokens=8192, chunk_size=256,
    ) -> Iterator[list[dict]]:  # fmt: skip
        self.calls.append(
            dict(labels=labels, threshold=threshold, flat_ner=flat_ner, multi_label=multi_label,
                 batch_size=batch_size, max_batch_tokens=max_batch_tokens, chunk_size=chunk_size)
        )  # fmt: skip
        names = list(labels)
        chunk: list[str] = []
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"expected str, got {type(text).__name__}")
            self.read += 1
            chunk.append(text)
            if len(chunk) == chunk_size:
                yield from (self._find(t, names, threshold) for t in chunk)
                chunk = []
        yield from (self._find(t, names, threshold) for t in chunk)


class BatchOnlyModel(LexiconModel):
    """Like the `gliner` package: `batch_predict_entities` only, no streaming."""

    iter_inference = None  # type: ignore[assignment]

    def batch_predict_entities(self, texts, labels, **kwargs):
        self.calls.append(dict(kwargs, n=len(texts)))
        threshold = kwargs.get("threshold", 0.5)
        return [self._find(t, list(labels), threshold) for t in texts]


def hashing_vector(text: str, dim: int = 64) -> list[float]:
    """Deterministic bag-of-words embedding: words hashed into `dim` buckets, unit length.

    The last coordinate is a constant, so no two texts have similarity 0 (graph-retriever drops
    neighbours at exactly 0, doclinks keeps them; here the two must see the same candidates).
    """
    v = [0.0] * (dim - 1) + [0.5]
    for word in re.findall(r"\w+", text.lower()):
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % (dim - 1)] += 1.0
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]
