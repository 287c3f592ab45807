"""Search results as Documents: the chunks a strategy found (`Found`), read from the backend, with the
result metadata that `doclinks.store.results` describes (``_depth``, ``_via``, ...). Above the
backends, which the result encoding (`results`) does not import."""

from __future__ import annotations

from ..document import Document
from ..links.link import link_sides
from .backends.base import Backend
from .results import Found

__all__ = ["to_documents"]


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
