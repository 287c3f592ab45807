"""The neighbourhood of a chunk or a tag, as a graph of chunks and tags with a node cap that says what it cut.

The graph is bipartite, as the store's links are: a chunk is joined to every ``(kind, tag)`` it carries
(either side), a tag to the chunks carrying its incoming side (``in``/``bidir``, as traversal walks it).
`depth` counts edges from the start: from a chunk, depth 1 reaches its tags and depth 2 the chunks that
share one of them. A hub (a tag of degree above the store's hub limit, `TraversalSettings.degree_limit`)
is shown but not expanded, as traversal does not walk it (``hub: True`` on its node). Nodes are added
breadth first in a fixed order (tags by degree, kind, tag; chunks by insertion), so the same store and
request give the same graph; once `max_nodes` are in, what else was found is counted in ``truncated``
and the walk stops there: ``truncated`` counts the nodes found and left out at that step, not those
further away (finding those is the cost the cap bounds), and ``complete`` is False.

A function over a `GraphStore` (kept out of the facade, which is long enough): it reads the backend under
the store's lock, one call at a time, like the store's own methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .records import check_count, check_ids

if TYPE_CHECKING:
    from ..document import Document
    from .graph_store import GraphStore

__all__ = ["neighbourhood", "tag_members", "tag_statistics", "chunk_node_id", "tag_node_id"]

_NO_LIMIT = 2**62


def chunk_node_id(doc_id: str) -> str:
    """The graph id of a chunk node: ``"chunk:" + id``."""
    return "chunk:" + doc_id


def tag_node_id(kind: str, tag: str) -> str:
    """The graph id of a tag node: ``"tag:" + kind + "\\x1f" + tag`` (a unit separator: no kind holds one)."""
    return f"tag:{kind}\x1f{tag}"


def _doc_tags(doc: Document) -> list[tuple[str, str]]:
    """The distinct ``(kind, tag)`` pairs a chunk carries, on either side."""
    return list(dict.fromkeys((link.kind, link.tag) for link in doc.metadata.get("links", []) or []))


def neighbourhood(
    store: GraphStore,
    *,
    doc_id: str | None = None,
    tag: tuple[str, str] | None = None,
    depth: int = 2,
    max_nodes: int = 50,
) -> dict[str, Any]:
    """The graph around one chunk (`doc_id`) or one tag (`tag`, a ``(kind, tag)`` pair).

    Args:
        doc_id / tag: the start: exactly one of them.
        depth: edges from the start (default 2: a chunk, its tags, the chunks sharing them).
        max_nodes: most nodes returned, the start included (default 50).

    Returns:
        ``{"start", "nodes", "edges", "truncated", "degree_limit"}``: chunk nodes ``{"id", "type": "chunk",
        "doc_id", "document", "depth"}`` (``document``: the stored Document), tag nodes ``{"id", "type":
        "tag", "kind", "tag", "degree", "hub", "depth"}``, edges ``{"source": chunk node, "target": tag
        node}``; ``truncated``: nodes found but left out by `max_nodes` (the walk stopped there: ``complete``
        is False).

    Raises:
        UnknownIdError: `doc_id` is not stored. ValueError: both or neither start, bad counts.
    """
    if (doc_id is None) == (tag is None):
        raise ValueError("give exactly one of doc_id and tag")
    check_count("depth", depth)
    check_count("max_nodes", max_nodes)
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be >= 1, got {max_nodes}")
    if doc_id is not None:
        check_ids([doc_id])
    elif not (isinstance(tag, tuple) and len(tag) == 2 and all(isinstance(x, str) for x in tag)):
        raise TypeError(f"tag must be a (kind, tag) pair of str, got {tag!r}")
    from .errors import UnknownIdError

    with store._lock:
        store._check_open()
        backend = store.backend
        limit = store.settings.degree_limit(backend.count())
        walk = _Walk(max_nodes)
        if doc_id is not None:
            found = backend.get([doc_id])
            if doc_id not in found:
                raise UnknownIdError([doc_id])
            walk.add_chunk(found[doc_id], 0)
            start = chunk_node_id(doc_id)
        else:
            assert tag is not None  # exactly one of doc_id and tag, checked above
            degree = backend.tag_degrees([tag])[tag]
            walk.add_tag(tag, degree, degree > limit, 0)
            start = tag_node_id(*tag)
        frontier = [start]
        for step in range(1, depth + 1):
            if not frontier or walk.truncated:
                break
            frontier = walk.expand(backend, frontier, step, limit)
    return {"start": start, "nodes": list(walk.nodes.values()), "edges": walk.edge_list(), "truncated": walk.truncated,
            "complete": walk.truncated == 0, "degree_limit": limit}  # fmt: skip


class _Walk:
    """The nodes and edges found so far, and the count of what `max_nodes` left out."""

    def __init__(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: set[tuple[str, str]] = set()
        self.truncated = 0
        self._left_out: set[str] = set()

    def _room(self, node_id: str) -> bool:
        if node_id in self.nodes:
            return True
        if len(self.nodes) < self.max_nodes:
            return True
        if node_id not in self._left_out:
            self._left_out.add(node_id)
            self.truncated += 1
        return False

    def add_chunk(self, doc: Document, depth: int) -> bool:
        if doc.id is None:  # stored documents always have one
            raise ValueError(f"a stored document without an id: {doc!r:.80}")
        node_id = chunk_node_id(doc.id)
        if not self._room(node_id):
            return False
        self.nodes.setdefault(
            node_id, {"id": node_id, "type": "chunk", "doc_id": doc.id, "document": doc, "depth": depth}
        )
        return True

    def add_tag(self, pair: tuple[str, str], degree: int, hub: bool, depth: int) -> bool:
        node_id = tag_node_id(*pair)
        if not self._room(node_id):
            return False
        self.nodes.setdefault(node_id, {"id": node_id, "type": "tag", "kind": pair[0], "tag": pair[1], "degree": degree,
                                        "hub": hub, "depth": depth})  # fmt: skip
        return True

    def edge_list(self) -> list[dict[str, str]]:
        return [{"source": c, "target": t} for c, t in sorted(self.edges) if c in self.nodes and t in self.nodes]

    def expand(self, backend: Any, frontier: Sequence[str], step: int, limit: int) -> list[str]:
        """One step from the `frontier` nodes; returns the nodes it added."""
        chunks = [self.nodes[n]["document"] for n in frontier if self.nodes[n]["type"] == "chunk"]
        tags = [(self.nodes[n]["kind"], self.nodes[n]["tag"]) for n in frontier if self.nodes[n]["type"] == "tag"]
        added: list[str] = []
        if chunks:
            pairs = {p for doc in chunks for p in _doc_tags(doc)}
            degrees = backend.tag_degrees(sorted(pairs)) if pairs else {}
            for doc in chunks:
                for pair in sorted(_doc_tags(doc), key=lambda p: (degrees[p], p)):
                    node = tag_node_id(*pair)
                    new = node not in self.nodes
                    if self.add_tag(pair, degrees[pair], degrees[pair] > limit, step):
                        self.edges.add((chunk_node_id(doc.id), node))
                        if new:
                            added.append(node)
        walkable = [p for p in tags if self.nodes[tag_node_id(*p)]["degree"] <= limit]
        if walkable:
            rows = backend.tag_chunks(sorted(walkable), limit)
            keys = sorted({row[0] for row in rows})
            docs = dict(zip(keys, backend.documents(keys)))
            for key, kind, tag, _ in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
                doc = docs[key]
                node = chunk_node_id(doc.id)
                new = node not in self.nodes
                if self.add_chunk(doc, step):
                    self.edges.add((node, tag_node_id(kind, tag)))
                    if new:
                        added.append(node)
        return added


def tag_members(
    store: GraphStore, pair: tuple[str, str], *, offset: int = 0, limit: int = 20
) -> tuple[int, list[Document]]:
    """(how many chunks carry the incoming side of `pair`, the Documents of `limit` of them from `offset`
    in insertion order): the chunks a click on a tag lists, hub or not."""
    check_count("offset", offset)
    check_count("limit", limit)
    with store._lock:
        store._check_open()
        keys = sorted({row[0] for row in store.backend.tag_chunks([pair], _NO_LIMIT)})
        page = keys[offset : offset + limit]
        return len(keys), store.backend.documents(page) if page else []


def tag_statistics(store: GraphStore, *, top: int = 20) -> dict[str, Any]:
    """What the store's tags look like: counts per label, the `top` most linked walkable tags (carried by
    two chunks or more), and the hubs (degree above the hub limit), each ``{"kind", "tag", "degree"}``,
    by degree (largest first), then kind and tag."""
    check_count("top", top)
    with store._lock:
        store._check_open()
        chunks = store.backend.count()
        limit = store.settings.degree_limit(chunks)
        pairs = store.backend.tags()
        degrees = store.backend.tag_degrees(pairs) if pairs else {}
    per_kind: dict[str, int] = {}
    for kind, _ in pairs:
        per_kind[kind] = per_kind.get(kind, 0) + 1
    order = sorted(pairs, key=lambda p: (-degrees[p], p))
    linking = [p for p in order if 2 <= degrees[p] <= limit]
    hubs = [p for p in order if degrees[p] > limit]
    row = lambda p: {"kind": p[0], "tag": p[1], "degree": degrees[p]}  # noqa: E731
    return {
        "chunks": chunks, "distinct_tags": len(pairs), "tags_per_kind": dict(sorted(per_kind.items())),
        "degree_limit": limit, "linking_tags": len(linking), "hub_count": len(hubs),
        "most_linked": [row(p) for p in linking[:top]], "hubs": [row(p) for p in hubs[:top]],
    }  # fmt: skip
