"""Links as plain metadata fields: the layout that graph-retriever traverses.

`langchain-graph-retriever` (and `graph-retriever`) join documents on metadata values:
an edge ``("entity:Person", "entity:Person")`` joins two documents whose
``metadata["entity:Person"]`` lists share a value. `add_link_fields` writes a document's
links in that layout, so the same links drive graph-retriever over any LangChain vector
store:

- a ``bidir`` link of kind ``K`` puts its value in ``metadata[K]``;
- an ``out`` link in ``metadata[K + "@out"]``, an ``in`` link in ``metadata[K + "@in"]``;
- `graph_retriever_edges` gives the edges that reproduce `Link` semantics: ``(K, K)``,
  ``(K@out, K@in)``, ``(K@out, K)`` and ``(K, K@in)``.

Values are match keys by default (``"vladimir putin"``: case folded, accents removed,
see `doclinks.links.normalize`), so case variants join even before `normalize_links`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .link import Link, get_links
from .normalize import kind_matches, normalize_tag

__all__ = ["OUT_SUFFIX", "IN_SUFFIX", "field_name", "link_fields", "add_link_fields", "graph_retriever_edges"]

#: Suffix of the field that holds the values of ``out`` links.
OUT_SUFFIX = "@out"
#: Suffix of the field that holds the values of ``in`` links.
IN_SUFFIX = "@in"


def field_name(kind: str, direction: str) -> str:
    """The metadata field of links of this kind and direction."""
    if direction == "bidir":
        return kind
    if direction == "out":
        return kind + OUT_SUFFIX
    if direction == "in":
        return kind + IN_SUFFIX
    raise ValueError(f"direction must be 'in', 'out' or 'bidir', got {direction!r}")


def _value(tag: str, fold: bool, fold_accents: bool) -> str:
    if not fold:
        return tag
    return normalize_tag(tag, honorifics=(), fold_accents=fold_accents)[0] or tag


def link_fields(links: Iterable[Link], *, fold: bool = True, fold_accents: bool = True) -> dict[str, list[str]]:
    """``{field: [value, ...]}`` for `links`, values in link order without duplicates.

    Args:
        links: `Link` objects.
        fold: write match keys (default) rather than the tags as they are.
        fold_accents: with `fold`, remove accents from the values.
    """
    out: dict[str, list[str]] = {}
    for link in links:
        if not isinstance(link, Link):
            raise TypeError(f"expected Link objects, got {type(link).__name__}: {link!r}")
        values = out.setdefault(field_name(link.kind, link.direction), [])
        value = _value(link.tag, fold, fold_accents)
        if value not in values:
            values.append(value)
    return out


def add_link_fields(
    doc: Any, *, kinds: Iterable[str] | None = ("entity",), fold: bool = True, fold_accents: bool = True
) -> dict[str, list[str]]:
    """Write the links of `doc` (of the chosen kinds) as metadata fields; return the fields written.

    Values are added to lists already there, without duplicates.

    Args:
        doc: a doclinks or LangChain document.
        kinds: which link kinds: ``"entity"`` matches ``"entity"`` and ``"entity:..."``;
            None: all.
        fold, fold_accents: as in `link_fields`.

    Raises:
        TypeError: a field exists and is not a list.
    """
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    fields = link_fields(
        [link for link in get_links(doc) if kind_matches(link.kind, kinds)], fold=fold, fold_accents=fold_accents
    )
    metadata = doc.metadata
    for name in fields:
        if name in metadata and not isinstance(metadata[name], list):
            raise TypeError(
                f"metadata[{name!r}] must be a list to hold link values, got {type(metadata[name]).__name__}"
            )
    for name, values in fields.items():
        existing = metadata.setdefault(name, [])
        for value in values:
            if value not in existing:
                existing.append(value)
    return fields


def graph_retriever_edges(kinds: Iterable[str], *, directed: bool = True) -> list[tuple[str, str]]:
    """Edge specs for graph-retriever that follow `Link` semantics over `add_link_fields` output.

    Args:
        kinds: link kinds, e.g. ``extractor.kinds`` (``["entity:Person", ...]``).
        directed: include the edges of ``in``/``out`` links (default); False: only
            ``(K, K)`` for ``bidir`` links.
    """
    if isinstance(kinds, str):
        kinds = [kinds]
    edges: list[tuple[str, str]] = []
    for kind in kinds:
        edges.append((kind, kind))
        if directed:
            edges += [(kind + OUT_SUFFIX, kind + IN_SUFFIX), (kind + OUT_SUFFIX, kind), (kind, kind + IN_SUFFIX)]
    return edges


def rewrite_field_values(doc: Any, changes: Mapping[tuple[str, str], str], *, fold_accents: bool = True) -> None:
    """After tags change (``{(kind, old_tag): new_tag}``), change the field values written for them."""
    metadata = doc.metadata
    for (kind, old), new in changes.items():
        for direction in ("bidir", "out", "in"):
            values = metadata.get(field_name(kind, direction))
            if not isinstance(values, list):
                continue
            replace = {old: new, _value(old, True, fold_accents): _value(new, True, fold_accents)}
            if not any(v in replace for v in values):
                continue
            rewritten: list[Any] = []
            for v in values:
                v = replace.get(v, v) if isinstance(v, str) else v
                if v not in rewritten:
                    rewritten.append(v)
            values[:] = rewritten
