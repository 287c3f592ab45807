"""`doclinks mcp`: the store as Model Context Protocol tools over stdio (the ``mcp`` package's `MCPServer`).

Tools ``search``, ``entities``, ``document`` and ``neighbours`` are read-only (annotated so) and answer
structured output with a schema. An agent's context is small: results carry snippets, not whole chunks,
and every answer stays under `MAX_CHARS` characters of JSON; what did not fit comes with a ``next_cursor``
to ask for the rest (the same call with ``cursor=``). ``ingest`` and ``delete`` exist only when the server
was started with ``--allow-ingest``. The limits are the HTTP API's (`Limits`); the work runs in a worker
pool (`WorkerPool`), off the stdio loop.

Several `doclinks mcp` processes may write to one SQLite file: each write is one ``BEGIN IMMEDIATE``
transaction that waits for the others (`SQLiteSettings.busy_timeout_s`), so none is lost.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from .pool import WorkerPool
from .results import snippet
from .service import RequestError, Service

__all__ = ["build_mcp", "MAX_CHARS"]

#: Most characters of JSON in one tool answer (about 2,500 tokens).
MAX_CHARS = 10_000


class Hit(BaseModel):
    rank: int
    id: str = Field(description="the chunk's id (for the document and neighbours tools)")
    source: str | None
    score: float
    depth: int = Field(description="hops from a chunk found by similarity (0: similar to the query)")
    via: list[str] = Field(description="'Label: tag' of the shared entities that led here (depth > 0)")
    entities: list[str] = Field(description="'Label: text' of the entity mentions in the chunk")
    snippet: str


class SearchAnswer(BaseModel):
    query: str
    mode: str
    results: list[Hit]
    next_cursor: str | None = Field(description="pass as cursor to get the next results; None: no more")


class Mention(BaseModel):
    text: str
    label: str
    start: int
    end: int
    score: float | None


class EntitiesAnswer(BaseModel):
    entities: list[Mention]


class DocumentAnswer(BaseModel):
    id: str
    source: str | None
    tags: list[str] = Field(description="'Label: tag (degree)' of every tag the chunk carries")
    text: str = Field(description="the text from offset, at most max_chars characters")
    offset: int
    total_chars: int
    next_cursor: str | None


class Node(BaseModel):
    id: str
    type: str = Field(description="chunk or tag")
    name: str = Field(description="a chunk's snippet, or 'Label: tag'")
    depth: int


class NeighboursAnswer(BaseModel):
    nodes: list[Node]
    edges: list[list[str]] = Field(description="[chunk node id, tag node id] pairs")
    truncated: int = Field(description="nodes found but left out by max_nodes or the size cap")


def _cursor(offset: int | None) -> str | None:
    return None if offset is None else str(offset)


def _offset(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit():
        raise RequestError("cursor", f"not a cursor this server gave: {cursor!r}")
    return int(cursor)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str))


def build_mcp(service: Service, *, max_chars: int = MAX_CHARS) -> Any:
    """The `MCPServer` of `service` (writes registered only with ``allow_ingest``)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    pool = WorkerPool("mcp", service.settings.workers, service.settings.queue)
    reads = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
    server = MCPServer("doclinks", instructions="Search documents linked by the named entities they share. "
                       "Use search first; document and neighbours take the ids it returns.")  # fmt: skip

    async def call(fn, *args, **kwargs):
        try:
            return await pool.run(fn, *args, **kwargs)
        except RequestError as exc:
            raise ToolError(str(exc)) from None
        except (ValueError, TypeError) as exc:
            raise ToolError(str(exc)) from None

    @server.tool(annotations=reads, structured_output=True)
    async def search(query: str, mode: str = "traversal", k: int = 5, depth: int = 1,
                     cursor: str | None = None) -> SearchAnswer:  # fmt: skip
        """Search the documents. mode: traversal (default: similar chunks, then chunks sharing their
        entities), similarity, mmr_traversal, entity_seeded, ppr. k: results found by similarity; depth: hops
        along shared entities. Results are snippets; a next_cursor means more results follow."""
        start = _offset(cursor)
        data = await call(service.search, query, mode=mode, k=k, depth=depth)
        hits: list[Hit] = []
        for r in data["results"][start:]:
            hit = Hit(rank=r["rank"], id=r["id"], source=r["source"], score=round(r["score"], 4), depth=r["depth"],
                      via=[f"{v['label']}: {v['tag']}" for v in r["via"] or r["query_tags"]],
                      entities=list(dict.fromkeys(f"{m['label']}: {m['text']}" for m in r["mentions"])),
                      snippet=snippet(r["text"]))  # fmt: skip
            if hits and _size([h.model_dump() for h in hits + [hit]]) > max_chars:
                break
            hits.append(hit)
        end = start + len(hits)
        return SearchAnswer(query=query, mode=mode, results=hits,
                            next_cursor=_cursor(end if end < len(data["results"]) else None))  # fmt: skip

    @server.tool(annotations=reads, structured_output=True)
    async def entities(text: str, labels: list[str], threshold: float = 0.5) -> EntitiesAnswer:
        """The named entities of a text for the given labels (e.g. ["Person", "Location"]), with character
        offsets (end exclusive)."""
        data = await call(service.entities, text, labels, threshold)
        return EntitiesAnswer(entities=[Mention(text=e["text"], label=e["label"], start=e["start"], end=e["end"],
                                                score=e["score"]) for e in data["entities"]])  # fmt: skip

    @server.tool(annotations=reads, structured_output=True)
    async def document(id: str, cursor: str | None = None, max_chars: int = max_chars // 2) -> DocumentAnswer:
        """One stored chunk by id: its text (a part at a time: next_cursor gives the rest) and its tags."""
        start = _offset(cursor)
        if not 100 <= max_chars <= MAX_CHARS:
            raise ToolError(f"max_chars: must lie in [100, {MAX_CHARS}], got {max_chars}")
        data = await call(service.document, id)
        text = data["text"][start : start + max_chars]
        end = start + len(text)
        return DocumentAnswer(id=data["id"], source=data["source"], text=text, offset=start,
                              total_chars=len(data["text"]), next_cursor=_cursor(end if end < len(data["text"]) else None),
                              tags=[f"{t['label']}: {t['tag']} ({t['degree']})" for t in data["tags"]][:100])  # fmt: skip

    @server.tool(annotations=reads, structured_output=True)
    async def neighbours(id: str | None = None, label: str | None = None, tag: str | None = None, depth: int = 2,
                         max_nodes: int = 30) -> NeighboursAnswer:  # fmt: skip
        """The graph around a chunk (id) or an entity (label and tag, e.g. "Person", "Ada Lovelace"): chunks
        and the entities they share, depth counting chunk-entity edges (2: the chunks sharing an entity)."""
        kind = None if label is None else label if ":" in label else f"entity:{label}"
        data = await call(service.neighbours, doc_id=id, kind=kind, tag=tag, depth=depth, max_nodes=max_nodes)
        nodes: list[Node] = []
        dropped = 0
        for n in data["nodes"]:
            name = n["snippet"] if n["type"] == "chunk" else f"{n['label']}: {n['tag']}"
            node = Node(
                id=n["doc_id"] if n["type"] == "chunk" else n["id"], type=n["type"], name=name, depth=n["depth"]
            )
            if _size([x.model_dump() for x in nodes]) + _size(node.model_dump()) > max_chars * 3 // 4:
                dropped += 1
                continue
            nodes.append(node)
        kept = {n.id for n in nodes}
        ids = {n["id"]: (n["doc_id"] if n["type"] == "chunk" else n["id"]) for n in data["nodes"]}
        edges = [[ids[e["source"]], ids[e["target"]]] for e in data["edges"]
                 if ids[e["source"]] in kept and ids[e["target"]] in kept]  # fmt: skip
        return NeighboursAnswer(nodes=nodes, edges=edges, truncated=data["truncated"] + dropped)

    if service.settings.allow_ingest:
        writes = WorkerPool("mcp-write", 1, service.settings.write_queue)

        @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True,
                                                 open_world_hint=False))  # fmt: skip
        async def ingest(texts: list[str], labels: list[str]) -> dict[str, Any]:
            """Store texts: split, find their entities (labels), link and embed them. Sending the same texts
            again stores nothing twice. Returns the chunk ids."""
            try:
                done = await writes.run(service.ingest, [{"text": t} for t in texts], labels)
            except (ValueError, TypeError) as exc:
                raise ToolError(str(exc)) from None
            return {"new_chunks": done["new_chunks"], "skipped_chunks": done["skipped_chunks"], "ids": done["ids"]}

        @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True,
                                                 open_world_hint=False))  # fmt: skip
        async def delete(ids: list[str]) -> dict[str, Any]:
            """Delete chunks by id: all of them, or none when one is unknown."""
            try:
                return await writes.run(service.delete, ids)
            except (ValueError, TypeError) as exc:
                raise ToolError(str(exc)) from None

    return server
