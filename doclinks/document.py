"""The unit of text that doclinks links and stores.

`Document` has the same field names and meaning as `langchain_core.documents.Document`
(`page_content`, `metadata`, `id`), so code written for one works with the other; every
doclinks function that takes documents also accepts LangChain documents (duck typing on
those three attributes), and `langchain_core` stays optional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Document", "as_document"]


@dataclass
class Document:
    """A chunk of text with metadata.

    Args:
        page_content: the text.
        metadata: free-form, JSON-serialisable metadata (default: an empty dict, a new
            one per document). Links live in ``metadata["links"]`` (see
            `doclinks.links.add_links`).
        id: a unique id, or None (default) to let a store choose one.
    """

    page_content: str
    metadata: dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.page_content, str):
            raise TypeError(f"Document.page_content must be a str, got {type(self.page_content).__name__}")
        if self.metadata is None:
            self.metadata = {}
        if not isinstance(self.metadata, dict):
            raise TypeError(f"Document.metadata must be a dict, got {type(self.metadata).__name__}")
        if self.id is not None and not isinstance(self.id, str):
            raise TypeError(f"Document.id must be a str or None, got {type(self.id).__name__}")


def as_document(obj: Any) -> Document:
    """Return `obj` as a doclinks `Document`.

    Accepts a doclinks `Document` (returned as is) or any object with ``page_content``
    and ``metadata`` attributes and optionally ``id`` (such as a LangChain document); the
    metadata dict is shared, not copied.

    Raises:
        TypeError: `obj` has no ``page_content``/``metadata``, or they have wrong types.
    """
    if isinstance(obj, Document):
        return obj
    try:
        content = obj.page_content
        metadata = obj.metadata
    except AttributeError:
        raise TypeError(
            f"expected a Document (an object with page_content and metadata), got {type(obj).__name__}"
        ) from None
    return Document(page_content=content, metadata=metadata, id=getattr(obj, "id", None))
