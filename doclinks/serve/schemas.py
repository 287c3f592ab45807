"""The request bodies of the JSON API (pydantic models: the OpenAPI schema and the first checks).

Types and required fields are checked here; sizes (`Limits`) by `Service`, so both name the field.
"""

from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SearchRequest", "EntitiesRequest", "IngestDocument", "IngestRequest", "DeleteRequest"]

Scalar = Union[str, int, float, bool, None]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SearchRequest(_Strict):
    """A search. ``mode``: similarity; traversal (similar chunks, then their neighbours through shared
    tags); mmr_traversal (diverse); entity_seeded (traversal with extra roots among the chunks carrying
    an entity the query names); ppr (Personalized PageRank from the query's chunks and entities)."""

    query: str = Field(description="the question (at most Limits.max_query_chars characters)")
    mode: Literal["similarity", "traversal", "mmr_traversal", "entity_seeded", "ppr"] = "traversal"
    k: int = Field(4, description="results found by similarity (1 .. Limits.max_k)")
    depth: int = Field(1, description="hops along shared tags (0 .. Limits.max_depth); traversal modes")
    adjacent_k: int = Field(10, description="most chunks one hop adds")
    fetch_k: int = Field(100, description="mmr_traversal: candidates found by similarity")
    lambda_mult: float = Field(0.5, description="mmr_traversal: 1 similarity only, 0 diversity only")
    entity_k: int = Field(2, description="entity_seeded: roots among the chunks carrying a named entity")
    filter: dict[str, Scalar | list[Scalar]] | None = Field(None, description="metadata filter {key: value}")


class EntitiesRequest(_Strict):
    """The entity mentions of a text."""

    text: str
    labels: list[str] = Field(description="entity types, e.g. [\"Person\", \"Location\"]")
    threshold: float = Field(0.5, description="least mention score, in (0, 1)")


class IngestDocument(_Strict):
    """One document to ingest: its text, an optional id (chunk ids derive from it) and metadata."""

    text: str
    id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class IngestRequest(_Strict):
    """Documents to split, link and store (``documents``, or bare ``texts``). Or send JSONL
    (``application/x-ndjson``: one object per line with a ``text`` field, ``id`` optional, other fields
    metadata) with ``?labels=Person,Location``."""

    labels: list[str]
    documents: list[IngestDocument] = Field(default_factory=list)
    texts: list[str] = Field(default_factory=list)
    chunk_size: int = Field(1000, description="largest chunk, in characters")
    threshold: float = Field(0.5, description="least mention score, in (0, 1)")


class DeleteRequest(_Strict):
    """Chunks to delete by id: all of them, or none when one is unknown."""

    ids: list[str]
