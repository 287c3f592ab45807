"""`doclinks graph`: the chunks of a database and the entities that link them.

A bipartite graph: one node per chunk, one node per entity tag ``(kind, tag)`` carried by at
least `min_chunks` chunks, an edge from a chunk to each entity it carries (with the link's
direction). Entity tags whose degree is above the store's ``max_tag_degree`` are marked
``hub`` (traversal does not walk them).

Outputs:

- ``html``: one self-contained page (no network access needed): vis-network (the JavaScript
  library pyvis ships, inlined) draws the graph; checkboxes filter entity labels; clicking a
  chunk shows its text with its entities highlighted, clicking an entity lists its chunks.
- ``graphml``: for Gephi, Cytoscape, yEd (networkx's writer; scalar attributes only).
- ``json``: networkx node-link JSON (``{"nodes": [...], "edges": [...]}``), every attribute.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .colors import label_colors
from .common import add_db, add_labels, check_output, open_reader, parse_labels
from .errors import CommandError
from .inventory import Inventory, label_of

__all__ = [
    "GraphData",
    "build_graph",
    "to_networkx",
    "to_json",
    "to_graphml",
    "render_html",
    "vis_network_js",
    "add_parser",
    "run",
]

FORMATS = ("html", "graphml", "json")


@dataclass
class GraphData:
    """Nodes and edges, ready for any output."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # entity labels present, in first-seen order
    title: str = "doclinks graph"
    max_tag_degree: int | None = None  # entity tags of a higher degree are hubs

    @property
    def chunk_count(self) -> int:
        """Chunk nodes in the graph."""
        return sum(1 for n in self.nodes if n["type"] == "chunk")

    @property
    def entity_count(self) -> int:
        """Entity nodes in the graph."""
        return sum(1 for n in self.nodes if n["type"] == "entity")


def _chunk_label(meta: dict[str, Any]) -> str:
    source = meta.get("source")
    name = Path(source).name if isinstance(source, str) else "chunk"
    if meta.get("line") is not None:
        name = f"{name}:{meta['line']}"
    return f"{name} #{meta['chunk']}" if meta.get("chunk") is not None else name


def build_graph(
    inventory: Inventory,
    *,
    min_chunks: int = 2,
    labels: Sequence[str] | None = None,
    max_tag_degree: int | None = 100,
    title: str = "doclinks graph",
) -> GraphData:
    """The chunk-entity graph of `inventory`.

    Args:
        min_chunks: keep entity tags carried by at least this many chunks (default 2: the
            ones that link chunks; 1: every entity).
        labels: keep only entities of these labels (default: all).
        max_tag_degree: tags of a higher degree are marked ``hub``.
    """
    if min_chunks < 1:
        raise CommandError(f"--min-chunks must be at least 1, got {min_chunks}")
    wanted = None if labels is None else set(labels)
    graph = GraphData(title=title, max_tag_degree=max_tag_degree)
    chunk_ids = []
    for doc in inventory.docs:
        meta = {k: v for k, v in doc.metadata.items() if k not in ("links", "entities")}
        spans = [
            {"start": r["start"], "end": r["end"], "label": r.get("label"), "tag": r.get("tag")}
            for r in doc.metadata.get("entities") or []
            if isinstance(r, dict) and isinstance(r.get("start"), int) and isinstance(r.get("end"), int)
        ]  # fmt: skip
        node_id = f"c:{doc.id}"
        chunk_ids.append(node_id)
        graph.nodes.append({
            "id": node_id, "type": "chunk", "label": _chunk_label(meta), "chunk_id": doc.id,
            "source": meta.get("source"), "chunk": meta.get("chunk"), "line": meta.get("line"),
            "text": doc.page_content, "spans": spans,
        })  # fmt: skip
    pairs = sorted(inventory.tags, key=lambda p: (label_of(p[0]), p[1], p[0]))
    seen_labels: list[str] = []
    for n, pair in enumerate(pairs):
        kind, tag = pair
        label = label_of(kind)
        if wanted is not None and label not in wanted:
            continue
        outs = inventory.outgoing.get(pair, [])
        ins = inventory.incoming.get(pair, [])
        members = sorted(set(outs) | set(ins))
        if len(members) < min_chunks:
            continue
        degree = len(ins)
        node_id = f"e:{n}"
        hub = max_tag_degree is not None and degree > max_tag_degree
        graph.nodes.append({
            "id": node_id, "type": "entity", "label": tag, "entity_label": label, "kind": kind,
            "degree": degree, "chunks": len(members), "hub": hub,
        })  # fmt: skip
        if label not in seen_labels:
            seen_labels.append(label)
        out_set, in_set = set(outs), set(ins)
        for i in members:
            direction = "bidir" if (i in out_set and i in in_set) else ("out" if i in out_set else "in")
            graph.edges.append({"source": chunk_ids[i], "target": node_id, "direction": direction, "hub": hub})
    if wanted is not None:
        missing = sorted(wanted - {label_of(k) for k, _ in inventory.tags})
        if missing and len(missing) == len(wanted):
            known = sorted({label_of(k) for k, _ in inventory.tags})
            raise CommandError(
                f"--labels: no entities of {', '.join(missing)} in the database (labels: {', '.join(known) or 'none'})"
            )
    graph.labels = seen_labels
    return graph


def to_networkx(graph: GraphData, *, scalars_only: bool = False):
    """A ``networkx.Graph`` (attributes as in `GraphData`; `scalars_only` drops lists, None)."""
    import networkx as nx

    def attrs(d: dict[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
        out = {k: v for k, v in d.items() if k not in drop}
        if scalars_only:
            out = {k: v for k, v in out.items() if isinstance(v, (str, int, float, bool))}
        return out

    g = nx.Graph(name=graph.title)
    for node in graph.nodes:
        g.add_node(node["id"], **attrs(node, ("id",)))
    for edge in graph.edges:
        g.add_edge(edge["source"], edge["target"], **attrs(edge, ("source", "target")))
    return g


def to_json(graph: GraphData) -> dict[str, Any]:
    """networkx node-link data: ``{"directed", "multigraph", "graph", "nodes", "edges"}``."""
    import networkx as nx

    return nx.node_link_data(to_networkx(graph), edges="edges")


def to_graphml(graph: GraphData) -> str:
    """GraphML text (scalar attributes: lists such as entity spans are left out)."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(to_networkx(graph, scalars_only=True))) + "\n"


def vis_network_js() -> str:
    """vis-network's standalone build, as shipped inside the ``pyvis`` package (`doclinks.html_assets`)."""
    from ..html_assets import vis_network_file

    try:
        return vis_network_file().read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None


def _script_safe(text: str) -> str:
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def render_html(graph: GraphData) -> str:
    """One self-contained HTML page (the JavaScript library inlined; works offline)."""
    template = (resources.files("doclinks.cli") / "templates" / "graph.html").read_text(encoding="utf-8")
    payload = {
        "title": graph.title,
        "nodes": graph.nodes,
        "edges": graph.edges,
        "labels": [{"name": label, "color": color} for label, color in label_colors(graph.labels).items()],
        "max_tag_degree": graph.max_tag_degree,
    }
    data = json.dumps(payload, ensure_ascii=False).replace("<", "\\u003c")
    page = template.replace("__TITLE__", html.escape(graph.title))
    page = page.replace("/*__GRAPH_DATA__*/", data)
    return page.replace("/*__VIS_NETWORK__*/", _script_safe(vis_network_js()))


def write(graph: GraphData, fmt: str, output: str | os.PathLike | None) -> str | None:
    """Write `graph` as `fmt` to `output`; with no output, return the text (not for html)."""
    if fmt not in FORMATS:
        raise CommandError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "html":
        if output is None:
            raise CommandError("the HTML page needs a file: give --html out.html (or --output)")
        text = render_html(graph)
    elif fmt == "graphml":
        text = to_graphml(graph)
    else:
        text = json.dumps(to_json(graph), ensure_ascii=False, indent=1) + "\n"
    if output is None:
        return text
    from .entities import write_text

    write_text(output, text)
    return None


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``doclinks graph``."""
    p = sub.add_parser(
        "graph", help="the chunks and the entities that link them: HTML page, GraphML or JSON",
        description="Export the graph of a database: chunks, and the entities that link them. --html writes an "
        "interactive page (works offline; filter by label, click a node to read its chunk); --format graphml "
        "or json writes a file for other tools (stdout without --output).",
    )  # fmt: skip
    add_db(p)
    p.add_argument("--html", metavar="FILE", help="write the interactive HTML page to FILE")
    p.add_argument("--format", choices=["html", "graphml", "json"], help="output format (default html with --html)")
    p.add_argument("--output", "-o", metavar="FILE", help="output file")
    add_labels(p, "only entities of these labels: comma-separated")
    p.add_argument(
        "--min-chunks",
        type=int,
        default=2,
        metavar="N",
        help="entities carried by at least this many chunks (default 2: those that link chunks)",
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``doclinks graph``."""
    with open_reader(args.db) as store:  # the database first: nothing else matters without it
        if args.html is not None and args.output is not None:
            raise CommandError("give --html FILE or --output FILE, not both")
        if args.html is not None and args.format not in (None, "html"):
            raise CommandError(f"--html writes HTML; for --format {args.format} use --output")
        fmt = args.format or "html"
        output = args.html if args.html is not None else args.output
        if fmt == "html" and output is None:
            raise CommandError("give --html out.html (or --format graphml|json)")
        if output is not None:
            check_output(output, "--html" if args.html is not None else "--output")
        labels = parse_labels(args.labels, exact=args.labels_exact) if args.labels is not None else None
        inventory = Inventory.from_documents(store.iter_documents())
        max_degree = store.degree_limit()
    graph = build_graph(inventory, min_chunks=args.min_chunks, labels=labels, max_tag_degree=max_degree,
                        title=f"doclinks graph: {Path(str(args.db)).name}")  # fmt: skip
    text = write(graph, fmt, output)
    if text is not None:
        sys.stdout.write(text)
    else:
        print(
            f"{graph.chunk_count} chunks, {graph.entity_count} entities, {len(graph.edges)} edges; wrote {output}",
            file=sys.stderr,
        )
    return 0
