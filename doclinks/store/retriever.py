"""LangChain retriever over a graph store (``langchain-core`` is optional)."""

from __future__ import annotations

import inspect
from typing import Any

from .results import SEARCH_TYPES

__all__ = ["make_retriever"]

_RETRIEVER_CLASS = None


def _retriever_class():
    """Build the retriever class on first use, so langchain-core is only needed then."""
    global _RETRIEVER_CLASS
    if _RETRIEVER_CLASS is not None:
        return _RETRIEVER_CLASS
    try:
        from langchain_core.callbacks import (
            AsyncCallbackManagerForRetrieverRun,
            CallbackManagerForRetrieverRun,
        )
        from langchain_core.documents import Document as LCDocument
        from langchain_core.retrievers import BaseRetriever
    except ImportError as exc:
        raise ImportError("as_retriever needs langchain-core: pip install langchain-core") from exc
    from pydantic import ConfigDict

    def to_lc(doc) -> LCDocument:
        return LCDocument(page_content=doc.page_content, metadata=doc.metadata, id=doc.id)

    class GraphStoreRetriever(BaseRetriever):
        """Retriever calling one search method of a doclinks graph store."""

        store: Any
        search_type: str = "similarity"
        search_kwargs: dict = {}
        model_config = ConfigDict(arbitrary_types_allowed=True)

        def _method(self):
            return getattr(self.store, SEARCH_TYPES[self.search_type])

        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun
        ) -> list[LCDocument]:
            return [to_lc(d) for d in self._method()(query, **self.search_kwargs)]

        async def _aget_relevant_documents(
            self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
        ) -> list[LCDocument]:
            import asyncio

            docs = await asyncio.to_thread(self._method(), query, **self.search_kwargs)
            return [to_lc(d) for d in docs]

    _RETRIEVER_CLASS = GraphStoreRetriever
    return _RETRIEVER_CLASS


def make_retriever(store, search_type: str, search_kwargs: dict[str, Any], **kwargs: Any):
    """Check `search_type` and `search_kwargs` against the store's method and build the retriever."""
    if search_type not in SEARCH_TYPES:
        raise ValueError(f"search_type must be one of {sorted(SEARCH_TYPES)}, got {search_type!r}")
    params = inspect.signature(getattr(store, SEARCH_TYPES[search_type])).parameters
    unknown = [name for name in search_kwargs if name not in params or name == "query"]
    if unknown:
        raise ValueError(f"unknown search_kwargs for {search_type!r}: {unknown}")
    return _retriever_class()(store=store, search_type=search_type, search_kwargs=search_kwargs, **kwargs)
