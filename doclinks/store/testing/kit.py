"""Helpers of the store tests: small real embedders (deterministic, no model) and data.

`VectorTextEmbeddings` reads a vector written in the text (``"v:1,0,0"``), so that a test places
every chunk and query exactly where it wants and knows the answer; `doc`, `unit` and `Q` build
such chunks; `make_docs` and `answers` give a larger linked corpus and a digest of a store's
answers on it, for comparing stores.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence

import numpy as np

from doclinks.document import Document
from doclinks.links import Link


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

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text."""
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """The vector of one text."""
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

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text."""
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """The vector of one text."""
        return self._one(text)


def vec_text(v: Iterable[float]) -> str:
    """The text `VectorTextEmbeddings` reads as the vector `v`."""
    return "v:" + ",".join(repr(float(x)) for x in v)


def doc(id: str | None, v: Iterable[float], *links: Link, **metadata) -> Document:
    """A chunk whose vector is `v`, with `links` and `metadata`."""
    md = dict(metadata)
    if links:
        md["links"] = list(links)
    return Document(vec_text(v), md, id)


def ids(docs: Iterable[Document]) -> list[str]:
    """The ids of `docs`, in order (ValueError for a document without one)."""
    return [_id_of(d) for d in docs]


def _id_of(d: Document) -> str:
    if d.id is None:  # stores give every document they return an id
        raise ValueError(f"a document without an id: {d!r:.80}")
    return d.id


def unit(angle_deg: float) -> tuple[float, float, float]:
    """The unit vector at `angle_deg` degrees from the x axis, in the xy plane."""
    a = math.radians(angle_deg)
    return (math.cos(a), math.sin(a), 0.0)


#: The query of most compliance tests: the x axis.
Q = vec_text((1, 0, 0))


def make_docs(prefix: str, n: int, shift: float = 0.0) -> list[Document]:
    """n chunks on a spiral in 3-d, linked in small groups and along a chain."""
    out = []
    for i in range(n):
        v = f"v:{1 + (i % 7) + shift},{(i * 37 % 11) - 5},{(i * 13 % 5) - 2 + shift}"
        links = [
            Link.bidir("group", f"g{i % 9}"),
            Link.outgoing("next", f"{prefix}{i + 1}"),
            Link.incoming("next", f"{prefix}{i}"),
        ]
        out.append(Document(v, {"links": links, "i": i, "part": prefix}, f"{prefix}{i}"))
    return out


# Not aligned with any chunk, so no two distinct vectors tie on similarity (rounding would break such ties differently in each store).
QUERIES = ["v:1,0.13,0.07", "v:0.11,1,0.05", "v:1,1.07,0.93", "v:-1,2,0.51"]


def answers(store) -> list:
    """(id, depth, similarity rounded to 5 places) of the results of three searches of each of
    `QUERIES`: a digest of a store's answers on `make_docs` data, equal across equal stores."""
    out = []
    for q in QUERIES:
        for res in (
            store.similarity_search(q, k=5),
            store.traversal_search(q, k=3, depth=2),
            store.mmr_traversal_search(q, k=6, fetch_k=20),
        ):
            out.append([(d.id, d.metadata["_depth"], round(d.metadata["_similarity_score"], 5)) for d in res])
    return out
