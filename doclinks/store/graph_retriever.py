"""graph-retriever over a doclinks store: `GraphStoreAdapter` (needs the ``graph-retriever`` package).

graph-retriever traverses *metadata fields* (edges such as ``("entity:Person", "entity:Person")``),
not doclinks' ``Link`` objects, so the documents must carry their links as fields too:
``LinkExtractorTransformer(..., metadata_fields=True)`` or `doclinks.links.add_link_fields`, with
the edges from `doclinks.links.graph_retriever_edges`. The store indexes every metadata value,
list items included, so each edge lookup (a filtered similarity search) is an index lookup::

    from langchain_graph_retriever import GraphRetriever
    from graph_retriever.strategies import Eager

    retriever = GraphRetriever(store=GraphStoreAdapter(store), edges=graph_retriever_edges(kinds),
                               strategy=Eager(start_k=2, adjacent_k=10, max_depth=1))

GraphRetriever does not recognise a doclinks store by itself (it infers adapters for a fixed list
of LangChain stores): pass the adapter. Filters are doclinks' (`doclinks.store.filters`): top-level
keys, scalar values, a list matches any of its items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph_retriever import Content
from graph_retriever.adapters import Adapter

from .filters import compile_filter, matches, metadata_tokens
from .graph_store import GraphStore
from .results import stored_metadata

__all__ = ["GraphStoreAdapter"]


class GraphStoreAdapter(Adapter):
    """graph-retriever's ``Adapter`` over a doclinks `GraphStore` (any backend, either semantics).

    Args:
        store: the store; its embedder embeds the queries.

    Contents carry the stored metadata (links included, result keys left out) and the stored,
    unit-length vector. The async methods are graph-retriever's defaults (a worker thread each).
    """

    def __init__(self, store: GraphStore) -> None:
        super().__init__()
        if not isinstance(store, GraphStore):
            raise TypeError(f"store must be a doclinks GraphStore, got {type(store).__name__}")
        self.store = store

    def _contents(self, docs: Sequence[Any]) -> list[Content]:
        """`docs` with their stored vectors (a document deleted meanwhile is left out)."""
        vectors = self.store.get_vectors([d.id for d in docs])
        return [Content(id=d.id, content=d.page_content, embedding=vectors[d.id].tolist(),
                        metadata=stored_metadata(d.metadata)) for d in docs if d.id in vectors]  # fmt: skip

    def search_with_embedding(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> tuple[list[float], list[Content]]:
        """The query's embedding (the store's embedder) and its `k` nearest contents (default 4)."""
        embedding = [float(x) for x in self.store.embedding.embed_query(query)]
        return embedding, self.search(embedding, k, filter, **kwargs)

    def search(
        self, embedding: list[float], k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Content]:
        """The `k` contents nearest to `embedding` (default 4) that match `filter`, best first."""
        if kwargs:
            raise TypeError(f"GraphStoreAdapter.search takes no other arguments, got {sorted(kwargs)}")
        return self._contents(self.store.similarity_search_by_vector(embedding, k=k, filter=filter))

    def get(self, ids: Sequence[str], filter: dict[str, Any] | None = None, **kwargs: Any) -> list[Content]:
        """The stored contents among `ids` that match `filter`; unknown ids are left out."""
        if kwargs:
            raise TypeError(f"GraphStoreAdapter.get takes no other arguments, got {sorted(kwargs)}")
        condition = compile_filter(filter)
        docs = self.store.get_by_ids(list(dict.fromkeys(ids)), missing="skip")
        return self._contents([d for d in docs if matches(condition, metadata_tokens(d.metadata))])
