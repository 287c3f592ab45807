"""`LinkExtractorTransformer`: apply link extractors to documents, LangChain's transformer losing nothing."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable, Sequence
from typing import Any

from .extractor import GLiNERLinkExtractor
from .fields import add_link_fields
from .link import add_links, as_link
from .rewrite import normalize_links

__all__ = ["LinkExtractorTransformer"]


def _copy_document(doc: Any, index: int) -> Any:
    content = getattr(doc, "page_content", None)
    metadata = getattr(doc, "metadata", None)
    if not isinstance(content, str) or not isinstance(metadata, dict):
        raise TypeError(
            f"documents[{index}]: expected a document (page_content str, metadata dict), got {type(doc).__name__}"
        )
    new = copy.copy(doc)  # same class, same id and other fields
    new_metadata = dict(metadata)
    for key in ("links", "entities"):
        if isinstance(new_metadata.get(key), list):
            new_metadata[key] = list(new_metadata[key])
    new.metadata = new_metadata
    return new


class LinkExtractorTransformer:
    """Apply link extractors to documents: LangChain's ``LinkExtractorTransformer``, losing nothing.

    `transform_documents` returns new documents of the same class, with the same ids,
    content and metadata, plus the extracted links (and, from `GLiNERLinkExtractor`, the
    mentions behind them in ``metadata["entities"]``). The input documents are not
    changed.

    Args:
        link_extractors: `LinkExtractor` objects (any object with ``extract_many`` works;
            links with ``kind``/``direction``/``tag``, such as LangChain's, are converted).
        normalize_links: after extraction, give each entity one tag across the documents
            of the call (`doclinks.links.normalize_links`, per `GLiNERLinkExtractor` that
            normalises, with its options). Default True.
        entities_key: the metadata key of the mention records; None: not written.
        metadata_fields: also write the links of `GLiNERLinkExtractor` kinds as metadata
            fields for graph-retriever (`doclinks.links.add_link_fields`). Default False.
        progress: show a progress bar per extractor.
    """

    def __init__(
        self,
        link_extractors: Sequence[Any],
        *,
        normalize_links: bool = True,
        entities_key: str | None = "entities",
        metadata_fields: bool = False,
        progress: bool = False,
    ):
        if isinstance(link_extractors, (str, bytes)) or not isinstance(link_extractors, Iterable):
            raise TypeError(
                f"link_extractors: expected a list of link extractors, got {type(link_extractors).__name__}"
            )
        self.link_extractors = list(link_extractors)
        for i, extractor in enumerate(self.link_extractors):
            if not callable(getattr(extractor, "extract_many", None)):
                raise TypeError(f"link_extractors[{i}]: {type(extractor).__name__} has no extract_many")
        self.normalize_links = normalize_links
        self.entities_key = entities_key
        self.metadata_fields = metadata_fields
        self.progress = progress

    def transform_documents(self, documents: Sequence[Any], **kwargs: Any) -> list[Any]:
        """New documents with links added (see the class); accepts ``progress=`` to override."""
        progress = kwargs.pop("progress", self.progress)
        if kwargs:
            raise TypeError(f"transform_documents: unexpected keyword arguments {sorted(kwargs)}")
        if isinstance(documents, (str, bytes)) or not isinstance(documents, Iterable):
            raise TypeError(f"documents: expected a list of documents, got {type(documents).__name__}")
        out = [_copy_document(doc, i) for i, doc in enumerate(documents)]
        for extractor in self.link_extractors:
            if isinstance(extractor, GLiNERLinkExtractor):
                if self.entities_key is not None:  # a second run replaces this extractor's records
                    kinds = set(extractor.kinds)
                    for doc in out:
                        records = doc.metadata.get(self.entities_key)
                        if isinstance(records, list):
                            records[:] = [r for r in records if not (isinstance(r, dict) and r.get("kind") in kinds)]
                for _doc in extractor.annotate(out, progress=progress, entities_key=self.entities_key):
                    pass
            else:
                results = extractor.extract_many(out)
                count = 0
                for doc, links in zip(out, results):
                    add_links(doc, [as_link(link, f"{type(extractor).__name__}.extract_many") for link in links])
                    count += 1
                if count != len(out):
                    raise ValueError(
                        f"{type(extractor).__name__}.extract_many gave {count} results for {len(out)} documents"
                    )
        glinered = [e for e in self.link_extractors if isinstance(e, GLiNERLinkExtractor)]
        if self.normalize_links:
            for e in glinered:
                if e.normalize:
                    normalize_links(out, kinds=e.kinds, honorifics=e.honorifics, fold_accents=e.fold_accents)
        if self.metadata_fields:
            for e in glinered:
                for doc in out:
                    add_link_fields(doc, kinds=e.kinds, fold_accents=e.fold_accents)
        return out

    async def atransform_documents(self, documents: Sequence[Any], **kwargs: Any) -> list[Any]:
        """`transform_documents` in a worker thread."""
        return await asyncio.to_thread(self.transform_documents, documents, **kwargs)
