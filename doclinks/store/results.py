"""What searches return: the chunks found, and the metadata their Documents carry.

A strategy (`doclinks.store.strategies`) finds chunks as `Found`; `to_documents` turns them into
Documents whose metadata carries:

- ``_depth``: hops from a root (0 for chunks found by similarity);
- ``_similarity_score``: cosine similarity to the query, in [-1, 1];
- ``_mmr_score``: the MMR score at selection (MMR traversal only);
- ``_ppr_score``: the Personalized PageRank score (`ppr_search` only; there ``_via`` holds the
  chunk's incoming tags that a seed tag or a seed chunk holds, see `strategies.ppr`);
- ``_via`` and ``_via_degrees`` (results at depth > 0 only): the ``(kind, tag)`` pairs through
  which the chunk was reached from the previous depth, and their degrees. A pair is there when
  the chunk carries its incoming side, a result at depth - 1 carries its outgoing side, and its
  degree (chunks carrying the incoming side) is at most the store's hub limit. Rarest first:
  sorted by (degree, kind, tag).

None of these keys is ever stored (`RESULT_KEYS`), so results can be ingested again unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..document import Document
from ..links.link import link_sides

if TYPE_CHECKING:
    from .backends.base import Backend

__all__ = ["Found", "RESULT_KEYS", "SEARCH_TYPES", "stored_metadata", "to_documents"]

#: Metadata keys that searches add to results; they are never stored.
RESULT_KEYS = ("_depth", "_similarity_score", "_mmr_score", "_ppr_score", "_via", "_via_degrees")

def stored_metadata(metadata: dict) -> dict:
    """`metadata` without the result keys: what the store holds (a new dict)."""
    return {key: value for key, value in metadata.items() if key not in RESULT_KEYS}


#: search_type values of `GraphStore.as_retriever` and `GraphStore.search` (LangChain's
#: ``GraphVectorStore`` names), and the method each one calls.
SEARCH_TYPES = {
    "similarity": "similarity_search",
    "similarity_score_threshold": "similarity_search_with_relevance_scores",
    "mmr": "max_marginal_relevance_search",
    "traversal": "traversal_search",
    "mmr_traversal": "mmr_traversal_search",
    "ppr": "ppr_search",
}


@dataclass
class Found:
    """A chunk in a search result, before it becomes a Document.

    Attributes:
        key: the backend's key of the chunk.
        id: its id.
        similarity: cosine similarity to the query.
        depth: hops from a root (0: found by similarity).
        mmr_score: the MMR score at selection (None outside MMR).
        ppr_score: the Personalized PageRank score (None outside `ppr_search`).
        via: the tags that led to the chunk, when the strategy says so itself (None: from the
            depths, see the module docstring).
    """

    key: int
    id: str
    similarity: float
    depth: int
    mmr_score: float | None = None
    ppr_score: float | None = None
    via: list[tuple[str, str]] | None = None
    query_tags: list[tuple[str, str]] | None = None  # an entity-seeded root: the query's tags it carries


def to_documents(backend: Backend, found: list[Found], degree_limit: int) -> list[Document]:
    """The Documents of `found`, in order, with the result metadata of the module docstring.

    Args:
        backend: the backend that found them.
        found: the chunks, in result order.
        degree_limit: the hub limit the search walked with (tags of a larger degree are no ``_via``).
    """
    docs = backend.documents([f.key for f in found])
    for doc, f in zip(docs, found):
        doc.metadata["_depth"] = f.depth
        doc.metadata["_similarity_score"] = f.similarity
        if f.mmr_score is not None:
            doc.metadata["_mmr_score"] = f.mmr_score
        if f.ppr_score is not None:
            doc.metadata["_ppr_score"] = f.ppr_score
        if f.query_tags:
            doc.metadata["_query_tags"] = list(f.query_tags)
    given = [(doc, f.via) for doc, f in zip(docs, found) if f.via is not None]
    if given:
        degrees = backend.tag_degrees({p for _, via in given for p in via})
        for doc, via in given:
            if doc.metadata["_depth"] > 0:
                doc.metadata["_via"] = list(via)
                doc.metadata["_via_degrees"] = [degrees[p] for p in via]
        return docs
    _add_via(backend, docs, degree_limit)
    return docs


def _add_via(backend: Backend, docs: list[Document], degree_limit: int) -> None:
    """Set ``_via`` and ``_via_degrees`` on the results at depth > 0 (see the module docstring)."""
    sides = [link_sides(d.metadata.get("links", [])) for d in docs]
    depths = [d.metadata["_depth"] for d in docs]
    leaving: dict[int, set[tuple[str, str]]] = {}  # depth -> outgoing sides of the results at that depth
    for (outs, _), depth in zip(sides, depths):
        leaving.setdefault(depth, set()).update(outs)
    shared = [ins & leaving.get(depth - 1, set()) if depth > 0 else set() for (_, ins), depth in zip(sides, depths)]
    wanted = set().union(*shared)
    if not wanted:
        return
    degrees = backend.tag_degrees(wanted)
    for doc, pairs, depth in zip(docs, shared, depths):
        if depth == 0:
            continue
        via = sorted((p for p in pairs if degrees[p] <= degree_limit), key=lambda p: (degrees[p], p[0], p[1]))
        doc.metadata["_via"] = via
        doc.metadata["_via_degrees"] = [degrees[p] for p in via]
