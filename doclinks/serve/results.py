"""Stored chunks and search results as JSON: ids, scores, depths, mention offsets and the tags they came through."""

from __future__ import annotations

from typing import Any

from ..html_assets import label_colors

__all__ = ["label_of", "mention_json", "chunk_json", "search_json", "snippet", "SNIPPET_CHARS"]

#: Characters of a chunk's text in a snippet.
SNIPPET_CHARS = 200

#: Metadata keys a chunk's JSON does not repeat under "metadata" (they have fields of their own).
_OWN_FIELDS = ("links", "entities", "ner_labels")


def label_of(kind: str) -> str:
    """The entity label of a link kind: ``"entity:Person"`` -> ``"Person"``; other kinds as they are."""
    prefix, sep, rest = kind.partition(":")
    return rest if sep and prefix == "entity" and rest else kind


def snippet(text: str, width: int = SNIPPET_CHARS) -> str:
    """`text` on one line, cut at a word boundary near `width` characters (an ellipsis says it was cut)."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    cut = flat.rfind(" ", 0, width)
    return flat[: cut if cut > width // 2 else width] + " …"


def mention_json(record: dict[str, Any]) -> dict[str, Any]:
    """One mention record: character offsets into the chunk's text (end exclusive), label, tag, score."""
    return {"start": record["start"], "end": record["end"], "text": record["text"], "label": record["label"],
            "kind": record.get("kind"), "tag": record.get("tag"), "score": record.get("score")}  # fmt: skip


def chunk_json(doc: Any, *, snippet_only: bool = False) -> dict[str, Any]:
    """A stored chunk: id, text (or a snippet), its own metadata, and its mentions (full text only)."""
    meta = doc.metadata
    out: dict[str, Any] = {
        "id": doc.id,
        "source": meta.get("source"),
        "line": meta.get("line"),
        "chunk": meta.get("chunk"),
    }
    if snippet_only:
        out["snippet"] = snippet(doc.page_content)
        return out
    out["text"] = doc.page_content
    out["metadata"] = {k: v for k, v in meta.items() if k not in _OWN_FIELDS and not k.startswith("_")}
    out["mentions"] = [mention_json(r) for r in meta.get("entities", []) or [] if _is_mention(r, doc.page_content)]
    return out


def _is_mention(record: Any, text: str) -> bool:
    """A stored mention record whose offsets lie in the text (metadata may hold anything a user stored)."""
    return (isinstance(record, dict) and isinstance(record.get("start"), int) and isinstance(record.get("end"), int)
            and 0 <= record["start"] < record["end"] <= len(text) and isinstance(record.get("label"), str)
            and isinstance(record.get("text"), str))  # fmt: skip


def _pairs(value: Any) -> list[dict[str, Any]]:
    return [{"kind": k, "label": label_of(k), "tag": t} for k, t in value or []]


def search_json(query: str, mode: str, k: int, docs: list[Any]) -> dict[str, Any]:
    """Search results in the store's order (deterministic: ties broken by id), each with why it is there.

    ``score`` is what the mode ranks by: the MMR score (mmr_traversal), the PageRank score (ppr), else the
    cosine similarity to the query (also given as ``similarity``). ``via``: the tags, rarest first, through
    which a result at depth > 0 was reached (with their degrees); ``query_tags``: for an entity-seeded
    root, the query's entities that chose it.
    """
    results = []
    labels: set[str] = set()
    for rank, doc in enumerate(docs, start=1):
        meta = doc.metadata
        similarity = float(meta.get("_similarity_score", 0.0))
        score = meta.get("_mmr_score") if mode == "mmr_traversal" else meta.get("_ppr_score") if mode == "ppr" else None
        via = _pairs(meta.get("_via"))
        for pair, degree in zip(via, meta.get("_via_degrees", []) or []):
            pair["degree"] = degree
        item = {"rank": rank, **chunk_json(doc), "depth": int(meta.get("_depth", 0)),
                "score": float(score) if score is not None else similarity, "similarity": similarity,
                "mmr_score": meta.get("_mmr_score"), "ppr_score": meta.get("_ppr_score"),
                "via": via, "query_tags": _pairs(meta.get("_query_tags"))}  # fmt: skip
        labels.update(m["label"] for m in item["mentions"])
        labels.update(p["label"] for p in item["via"] + item["query_tags"])
        results.append(item)
    return {"query": query, "mode": mode, "k": k, "colors": label_colors(labels), "results": results}
