"""The request bodies of the JSON API (pydantic models: the OpenAPI schema and the first checks).

Types and required fields are checked here; sizes (`Limits`) by `Service`, so both name the field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SearchRequest", "EntitiesRequest", "IngestDocument", "IngestRequest", "DeleteRequest"]

Scalar = str | int | float | bool | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SearchRequest(_Strict):
    """A search. ``mode``: similarity; traversal (similar chunks, then their neighbours through shared
    tags); mmr_traversal (diverse); entity_seeded (traversal with extra roots among the chunks carrying
    an entity the query names); ppr (Personalized PageRank from the query's chunks and entities); parsed
    (servers started with --fields: the question's constraints on metadata fields as the filter, the words
    left searched by ``search_type``)."""

    query: str = Field(description="the question (at most Limits.max_query_chars characters)")
    mode: Literal["similarity", "traversal", "mmr_traversal", "entity_seeded", "ppr", "parsed"] = "traversal"
    k: int = Field(4, description="results found by similarity (1 .. Limits.max_k)")
    depth: int = Field(1, description="hops along shared tags (0 .. Limits.max_depth); traversal modes")
    adjacent_k: int = Field(10, description="most chunks one hop adds")
    fetch_k: int = Field(100, description="mmr_traversal: candidates found by similarity")
    lambda_mult: float = Field(0.5, description="mmr_traversal: 1 similarity only, 0 diversity only")
    entity_k: int = Field(2, description="entity_seeded: roots among the chunks carrying a named entity")
    filter: dict[str, Scalar | list[Scalar]] | None = Field(None, description="metadata filter {key: value}")
    search_type: Literal["similarity", "traversal", "entity_seeded", "ppr"] | None = Field(
        None, description="parsed: the search run with the words left (default traversal)"
    )
    soft: bool | None = Field(
        None,
        description="parsed: relax the constraints in order while fewer than k "
        "results come back (default false: the filter must hold)",
    )
    today: str | None = Field(
        None,
        description="parsed: the day relative dates are read against, YYYY-MM-DD "
        "(default the server's clock, in its --timezone)",
    )


class EntitiesRequest(_Strict):
    """The entity mentions of a text."""

    text: str
    labels: list[str] = Field(description='entity types, e.g. ["Person", "Location"]')
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


# ---------------------------------------------------------------------------------------------- answers
class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class MentionOut(_Answer):
    """An entity mention: character offsets into the chunk's text (end exclusive)."""

    start: int
    end: int
    text: str
    label: str
    kind: str | None = None
    tag: str | None = Field(None, description="the tag of the link the mention gave (None: it gave none)")
    score: float | None = None


class TagRef(_Answer):
    kind: str = Field(description='the link kind, e.g. "entity:Person"')
    label: str = Field(description='the entity label, e.g. "Person"')
    tag: str
    degree: int | None = Field(None, description="chunks carrying the tag (its incoming side)")


class ChunkOut(_Answer):
    id: str
    source: str | None = None
    line: int | None = None
    chunk: int | None = None
    text: str
    metadata: dict[str, Any]
    mentions: list[MentionOut]


class SearchResult(ChunkOut):
    rank: int
    depth: int = Field(description="hops from a chunk found by similarity (0: similar to the query)")
    score: float = Field(description="what the mode ranks by: MMR score, PageRank score, else the similarity")
    similarity: float = Field(description="cosine similarity to the query")
    mmr_score: float | None = None
    ppr_score: float | None = None
    via: list[TagRef] = Field(description="depth > 0: the tags, rarest first, through which it was reached")
    query_tags: list[TagRef] = Field(description="entity-seeded roots: the query's entities that chose it")


class SearchResponse(_Answer):
    query: str
    mode: str
    k: int = Field(description="results asked for (parsed: the count the question asks for, if it does)")
    colors: dict[str, str] = Field(description="label: colour, as on every doclinks page")
    results: list[SearchResult]
    search_type: str | None = Field(None, description="parsed: the search run with the words left")
    parsed: dict[str, Any] | None = Field(
        None,
        description="parsed: the parse (doclinks.query.ParsedQuery.to_dict): "
        "constraints (field, operator, typed value, span offsets, phrase, score, "
        "label, link), unknown, unused spans with reasons, limit, residual, filter, today",
    )
    relaxed: list[str] | None = Field(
        None, description="parsed, soft: the relaxation steps in order ([]: the filter held)"
    )
    filter: dict[str, Any] | None = Field(
        None,
        description="parsed: the filter the last search ran with (the request's ANDed with the parse's, as relaxed)",
    )
    search_text: str | None = Field(
        None, description="parsed: the text embedded (the question when nothing was parsed)"
    )
    seeds: list[str] | None = Field(None, description="parsed, soft: dropped values now seeding an entity search")


class EntitiesResponse(_Answer):
    text: str
    labels: list[str]
    colors: dict[str, str]
    entities: list[MentionOut]


class DocumentTag(TagRef):
    direction: str = Field(description="in, out or bidir")


class DocumentResponse(ChunkOut):
    tags: list[DocumentTag]
    degree_limit: int = Field(description="tags of a larger degree are hubs: traversal does not walk them")


class GraphNode(_Answer):
    id: str = Field(description='"chunk:<id>" or "tag:<kind>\\x1f<tag>"')
    type: Literal["chunk", "tag"]
    depth: int = Field(description="edges from the start")
    doc_id: str | None = None
    snippet: str | None = None
    kind: str | None = None
    label: str | None = None
    tag: str | None = None
    degree: int | None = None
    hub: bool | None = Field(None, description="a tag above the hub limit: shown, not expanded")


class Neighbourhood(_Answer):
    start: str
    nodes: list[GraphNode]
    edges: list[dict[str, str]] = Field(description="{source: chunk node id, target: tag node id}")
    truncated: int = Field(description="nodes found but left out by max_nodes (the walk stopped there)")
    complete: bool
    degree_limit: int
    colors: dict[str, str]


class TagChunks(_Answer):
    kind: str
    label: str
    tag: str
    total: int
    offset: int
    next_offset: int | None
    chunks: list[ChunkOut]


class TagStats(_Answer):
    chunks: int
    distinct_tags: int
    tags_per_kind: dict[str, int]
    degree_limit: int
    linking_tags: int = Field(description="tags carried by 2 chunks or more, up to the hub limit")
    hub_count: int
    most_linked: list[TagRef]
    hubs: list[TagRef]


class Health(_Answer):
    status: str
    chunks: int
    store: str
    version: str
    model: str
    ingest: bool
    limits: dict[str, int]
    fields: list[str] | None = Field(None, description="the fields of search mode parsed (None: no --fields)")


class IngestResponse(_Answer):
    chunks: int
    new_chunks: int
    skipped_chunks: int
    entities: int
    ids: list[str]


class DeleteResponse(_Answer):
    deleted: int
