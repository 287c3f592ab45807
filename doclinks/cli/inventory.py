"""Everything in a store at once: its chunks and the tags that link them (for stats and graphs).

Link semantics are the store's (LangChain's): chunk A reaches chunk B through ``(kind, tag)``
when A carries the outgoing side (an ``out`` or ``bidir`` link) and B the incoming side (``in``
or ``bidir``). A tag's *degree* is the number of chunks carrying its incoming side; traversal
does not walk tags whose degree is above ``TraversalSettings.max_tag_degree`` (hubs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Inventory", "label_of", "tag_name", "PAIR_LIMIT"]

#: `Inventory.linked_pairs` gives up (returns None) above this many candidate pairs.
PAIR_LIMIT = 5_000_000


def label_of(kind: str) -> str:
    """The entity label of a link kind: ``"entity:Person"`` -> ``"Person"``; other kinds as they are."""
    prefix, sep, rest = kind.partition(":")
    return rest if sep and prefix == "entity" and rest else kind


def tag_name(kind: str, tag: str) -> str:
    """``"Person: Vladimir Putin"``."""
    return f"{label_of(kind)}: {tag}"


@dataclass
class Inventory:
    """The chunks of a store with their link sides, indexed by tag.

    Args:
        docs: the chunks (`Document`s with ``metadata["links"]``).
    """

    docs: list[Any]
    outgoing: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    links: int = 0

    @classmethod
    def from_documents(cls, docs: Iterable[Any]) -> Inventory:
        """Index the link sides of `docs` (read once, kept in order)."""
        inv = cls(list(docs))
        for i, doc in enumerate(inv.docs):
            for link in doc.metadata.get("links", []) or []:
                inv.links += 1
                pair = (link.kind, link.tag)
                if link.direction in ("out", "bidir"):
                    inv.outgoing[pair].append(i)
                if link.direction in ("in", "bidir"):
                    inv.incoming[pair].append(i)
        inv.outgoing = dict(inv.outgoing)
        inv.incoming = dict(inv.incoming)
        return inv

    @property
    def tags(self) -> set[tuple[str, str]]:
        """Every ``(kind, tag)`` on some chunk."""
        return set(self.outgoing) | set(self.incoming)

    def degree(self, pair: tuple[str, str]) -> int:
        """Chunks carrying the incoming side of `pair`."""
        return len(self.incoming.get(pair, ()))

    def linking_tags(self) -> list[tuple[str, str]]:
        """Tags that join at least two different chunks."""
        out = []
        for pair in self.tags:
            outs, ins = self.outgoing.get(pair, []), self.incoming.get(pair, [])
            if outs and ins and (len(set(outs) | set(ins)) > 1):
                out.append(pair)
        return out

    def linked_pairs(self, max_degree: int | None = None) -> int | None:
        """Distinct unordered chunk pairs joined by a tag of degree <= `max_degree` (None: any).

        None when counting would mean more than `PAIR_LIMIT` candidate pairs.
        """
        tags = [p for p in self.tags if max_degree is None or self.degree(p) <= max_degree]
        if sum(len(self.outgoing.get(p, ())) * len(self.incoming.get(p, ())) for p in tags) > PAIR_LIMIT:
            return None
        pairs: set[tuple[int, int]] = set()
        for p in tags:
            for a in self.outgoing.get(p, ()):
                for b in self.incoming.get(p, ()):
                    if a != b:
                        pairs.add((a, b) if a < b else (b, a))
        return len(pairs)

    def mentions(self) -> int:
        """Entity mention records (``metadata["entities"]``) over all chunks."""
        return sum(len(d.metadata.get("entities") or []) for d in self.docs)

    def sources(self) -> int:
        """Distinct ``metadata["source"]`` values (with ``line`` for .jsonl documents)."""
        return len({(d.metadata.get("source"), d.metadata.get("line")) for d in self.docs})

    def unlinked_chunks(self, max_degree: int | None = None) -> int:
        """Chunks that no walkable tag joins to another chunk."""
        linked: set[int] = set()
        for p in self.linking_tags():
            if max_degree is None or self.degree(p) <= max_degree:
                linked.update(self.outgoing.get(p, ()))
                linked.update(self.incoming.get(p, ()))
        return len(self.docs) - len(linked)
