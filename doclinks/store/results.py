"""What searches return: the chunks found, and the metadata their Documents carry.

A strategy (`doclinks.store.strategies`) finds chunks as `Found`; `result_documents.to_documents`
turns them into Documents whose metadata carries:

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
from typing import Any

__all__ = ["Found", "RESULT_KEYS", "SEARCH_TYPES", "stored_metadata", "to_langchain"]

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


def to_langchain(doc: Any, *, result_keys: bool = True):
    """`doc` as a ``langchain_core.documents.Document`` (same text, id and metadata; a new metadata dict).

    Args:
        doc: a doclinks or LangChain document.
        result_keys: keep the search result keys (`doclinks.store.results.RESULT_KEYS`, default True);
            False leaves the stored metadata only.
    """
    from langchain_core.documents import Document as LCDocument

    metadata = dict(doc.metadata) if result_keys else stored_metadata(doc.metadata)
    return LCDocument(page_content=doc.page_content, metadata=metadata, id=doc.id)
