"""Links between documents, with the names and meaning of LangChain's graph links.

A `Link` is a tag on a document. Two documents are joined when one carries an
outgoing side and the other the incoming side of the same ``(kind, tag)``:

- ``direction="bidir"`` is both sides at once, so two ``bidir`` links with the same
  kind and tag join their documents both ways;
- ``direction="out"`` reaches documents that carry ``"in"`` (or ``"bidir"``) with the
  same kind and tag;
- ``direction="in"`` is reached from ``"out"`` (or ``"bidir"``) links.

Links are kept in ``document.metadata["links"]`` as a list, without duplicates, in the
order they were added.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

__all__ = ["Link", "LinkExtractor", "as_link", "add_links", "get_links", "link_sides", "DIRECTIONS"]

#: The valid values of `Link.direction`.
DIRECTIONS = ("in", "out", "bidir")

Direction = Literal["in", "out", "bidir"]


@dataclass(frozen=True)
class Link:
    """One side of a link between documents (frozen, hashable).

    Args:
        kind: what the tag names, e.g. ``"entity:Person"`` or ``"hyperlink"``; a
            non-empty string.
        direction: ``"in"``, ``"out"`` or ``"bidir"``.
        tag: the value that joins documents, e.g. ``"Vladimir Putin"``; a non-empty
            string.

    Raises:
        ValueError: unknown direction or an empty kind or tag.
        TypeError: kind, direction or tag is not a string.
    """

    kind: str
    direction: Direction
    tag: str

    def __post_init__(self) -> None:
        for name in ("kind", "direction", "tag"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"Link.{name} must be a str, got {type(value).__name__}: {value!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"Link.direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if not self.kind:
            raise ValueError("Link.kind must be a non-empty string")
        if not self.tag:
            raise ValueError("Link.tag must be a non-empty string")

    @property
    def key(self) -> tuple[str, str]:
        """``(kind, tag)``: what two sides must share to join."""
        return (self.kind, self.tag)

    @property
    def reaches(self) -> bool:
        """True for the outgoing side (``"out"`` or ``"bidir"``): a walk leaves through it."""
        return self.direction != "in"

    @property
    def reached(self) -> bool:
        """True for the incoming side (``"in"`` or ``"bidir"``): a walk arrives through it."""
        return self.direction != "out"

    @classmethod
    def incoming(cls, kind: str, tag: str) -> Link:
        """An ``"in"`` link: reached from ``out``/``bidir`` links with this kind and tag."""
        return cls(kind=kind, direction="in", tag=tag)

    @classmethod
    def outgoing(cls, kind: str, tag: str) -> Link:
        """An ``"out"`` link: reaches ``in``/``bidir`` links with this kind and tag."""
        return cls(kind=kind, direction="out", tag=tag)

    @classmethod
    def bidir(cls, kind: str, tag: str) -> Link:
        """A ``"bidir"`` link: joins documents that share this kind and tag."""
        return cls(kind=kind, direction="bidir", tag=tag)


def as_link(item: Any, where: str) -> Link:
    """`item` as a `Link`: itself, or a new Link from the ``kind``, ``direction`` and ``tag`` of a
    link of another library (LangChain's ``Link`` has the same three fields).

    Args:
        item: the link to convert.
        where: where `item` came from, for error messages (e.g. ``'document 3: metadata["links"]'``).

    Raises:
        TypeError: `item` has no such fields, or they are not strings.
        ValueError: an unknown direction, or an empty kind or tag.
    """
    if isinstance(item, Link):
        return item
    try:
        return Link(kind=item.kind, direction=item.direction, tag=item.tag)
    except AttributeError:
        raise TypeError(f"{where} holds a non-Link item ({type(item).__name__}): {item!r}") from None
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}: {exc}") from None


def _flatten(items: Iterable[Any]) -> Iterable[Link]:
    for item in items:
        if isinstance(item, Link):
            yield item
        elif isinstance(item, (str, bytes, dict)) or not isinstance(item, Iterable):
            raise TypeError(f"expected a Link or an iterable of Links, got {type(item).__name__}: {item!r}")
        else:
            if isinstance(item, (set, frozenset)):
                # Sets have no order of their own (it changes with the string hash seed):
                # add their links sorted, so metadata["links"] is the same in every run.
                bad = next((sub for sub in item if not isinstance(sub, Link)), None)
                if bad is not None:
                    raise TypeError(f"expected a Link inside the iterable, got {type(bad).__name__}: {bad!r}")
                item = sorted(item, key=lambda link: (link.kind, link.tag, link.direction))
            for sub in item:
                if not isinstance(sub, Link):
                    raise TypeError(f"expected a Link inside the iterable, got {type(sub).__name__}: {sub!r}")
                yield sub


def add_links(doc: Any, *links: Link | Iterable[Link]) -> None:
    """Add links to ``doc.metadata["links"]``, keeping order and skipping duplicates.

    Args:
        doc: a doclinks or LangChain document (anything with a ``metadata`` dict).
        links: `Link` objects, or iterables of them (mixed freely). The links of a set
            (what `extract_one` returns) are added sorted by kind, tag and direction, so
            the result does not depend on Python's hash seed; other iterables keep their
            order.

    Raises:
        TypeError: an item is not a Link, or ``metadata["links"]`` is not a list.
    """
    new = list(_flatten(links))  # validate everything before touching the document
    existing = doc.metadata.setdefault("links", [])
    if not isinstance(existing, list):
        raise TypeError(f'metadata["links"] must be a list, got {type(existing).__name__}')
    seen = set(existing)
    for link in new:
        if link not in seen:
            existing.append(link)
            seen.add(link)


def get_links(doc: Any) -> list[Link]:
    """Return the links of ``doc`` (``metadata["links"]``), or ``[]`` when it has none.

    The list returned is the document's own list, not a copy.
    """
    return doc.metadata.get("links", [])


def link_sides(links: Iterable[Link]) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """The ``(kind, tag)`` keys of the outgoing and of the incoming sides of `links`.

    A chunk with outgoing side ``k`` is joined to every chunk with incoming side ``k``
    (the one rule of a walk; ``"bidir"`` is on both sides).
    """
    links = list(links)
    return (
        frozenset(link.key for link in links if link.reaches),
        frozenset(link.key for link in links if link.reached),
    )


InputT = TypeVar("InputT")


class LinkExtractor(ABC, Generic[InputT]):
    """Interface of link extractors: `extract_one` gives the links of one input, `extract_many` of many."""

    @abstractmethod
    def extract_one(self, input: InputT) -> set[Link]:
        """The links of one input."""

    def extract_many(self, inputs: Iterable[InputT]) -> Iterable[set[Link]]:
        """The links of each input, in input order (default: `extract_one` on each)."""
        return map(self.extract_one, inputs)
