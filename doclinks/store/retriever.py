"""LangChain retriever over a graph store (``langchain-core`` is optional: needed only here).

`make_retriever` builds a ``VectorStoreRetriever`` subclass (LangChain's ``GraphVectorStoreRetriever``
shape: ``vectorstore``, ``search_type``, ``search_kwargs``) whose search types are those of
`doclinks.store.results.SEARCH_TYPES`; every type goes through the store's ``search``/``asearch``.
"""

from __future__ import annotations

import inspect
from typing import Any

from .results import SEARCH_TYPES, to_langchain

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
        from langchain_core.vectorstores import VectorStoreRetriever
    except ImportError as exc:
        raise ImportError("as_retriever needs langchain-core: pip install langchain-core") from exc

    class GraphStoreRetriever(VectorStoreRetriever):
        """Retriever calling one search of a doclinks graph store; returns LangChain Documents."""

        allowed_search_types = tuple(SEARCH_TYPES)

        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
        ) -> list[LCDocument]:
            found = self.vectorstore.search(query, self.search_type, **(self.search_kwargs | kwargs))
            return [to_langchain(d) for d in found]

        async def _aget_relevant_documents(
            self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
        ) -> list[LCDocument]:
            found = await self.vectorstore.asearch(query, self.search_type, **(self.search_kwargs | kwargs))
            return [to_langchain(d) for d in found]

    _RETRIEVER_CLASS = GraphStoreRetriever
    return _RETRIEVER_CLASS


def make_retriever(store, search_type: str, search_kwargs: dict[str, Any], **kwargs: Any):
    """Check `search_type` and `search_kwargs` against the store's method and build the retriever.

    Args:
        store: the graph store.
        search_type: a key of `SEARCH_TYPES`.
        search_kwargs: keyword arguments of that search's method (unknown names: ValueError).
        kwargs: passed to the retriever (``tags`` defaults to the store's class and embedder names).
    """
    if search_type not in SEARCH_TYPES:
        raise ValueError(f"search_type must be one of {list(SEARCH_TYPES)}, got {search_type!r}")
    params = inspect.signature(getattr(store, SEARCH_TYPES[search_type])).parameters
    unknown = [name for name in search_kwargs if name not in params or name == "query"]
    if unknown:
        raise ValueError(f"unknown search_kwargs for {search_type!r}: {unknown}")
    cls = _retriever_class()
    kwargs.setdefault("tags", [type(store).__name__, type(store.embedding).__name__])
    return cls(vectorstore=store, search_type=search_type, search_kwargs=search_kwargs, **kwargs)
