"""LangChain's ``VectorStore`` API on every doclinks store (``langchain-core`` stays optional).

**Design: a subclass.** `GraphStore` derives from `VectorStoreAPI`, whose base is
``langchain_core.vectorstores.VectorStore`` when langchain-core is installed (`VectorStoreBase`),
and a plain class otherwise, so ``import doclinks.store`` never needs it. A virtual subclass
(``VectorStore.register(GraphStore)``) would pass ``isinstance`` but inherit nothing: every generic
method that LangChain code calls on a vector store (``afrom_documents``, ``aadd_texts``,
``asimilarity_search_with_score``, ``amax_marginal_relevance_search``, ``_get_retriever_tags``, ...)
would be missing, or written again here. As a subclass the stores get them from the installed
langchain-core, as that version defines them, and this module holds only what is the store's own.

**Semantics.** A store has ``semantics="doclinks"`` (the default of the constructors) or
``"langchain"`` (the default of `VectorStoreAPI.from_texts` / ``from_documents``, LangChain's own
constructors, so code that only changes its imports gets LangChain's behaviour). They differ where
LangChain's VectorStore contract and doclinks' API disagree on the same call:

- ``delete(ids)`` with an unknown id: `UnknownIdError` and nothing deleted, returning the count
  (doclinks) / the id ignored, returning True (LangChain);
- ``delete()`` (ids None): TypeError (doclinks) / every document deleted (LangChain's contract);
- ``get_by_ids(ids)`` with an unknown id: `UnknownIdError` (doclinks) / left out (LangChain);
- results of searches and ``get_by_ids``: doclinks ``Document`` / ``langchain_core`` ``Document``;
- similarity results (``similarity_search*``, ``max_marginal_relevance_search*``): stored metadata
  plus the result keys (``_depth``, ``_similarity_score``) / the stored metadata only (scores come
  from ``similarity_search_with_score``);
- ``as_retriever()``'s search type: ``"similarity"`` / ``"traversal"`` (``GraphVectorStore``'s).

Graph searches (``traversal_search``, ``mmr_traversal_search``) carry the result keys (``_depth``,
``_similarity_score``, ``_via``, ...) in both: LangChain defines no result metadata for them, and
``_via`` is what tells a reader why a chunk came. ``missing=`` overrides the first rows per call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from .results import SEARCH_TYPES, to_langchain  # to_langchain: re-exported (its home is results)

__all__ = ["VectorStoreAPI", "VectorStoreBase", "HAVE_LANGCHAIN", "SEMANTICS", "AsyncResults", "to_langchain",
           "relevance"]  # fmt: skip

try:
    from langchain_core.vectorstores import VectorStore as VectorStoreBase

    HAVE_LANGCHAIN = True
except ImportError:  # the stores keep doclinks' own API

    class VectorStoreBase:  # type: ignore[no-redef]
        """Stands for ``langchain_core.vectorstores.VectorStore`` when langchain-core is not installed."""

    HAVE_LANGCHAIN = False

#: The values of a store's ``semantics`` (see the module docstring).
SEMANTICS = ("doclinks", "langchain")


def check_semantics(semantics: Any) -> str:
    """`semantics` checked: one of `SEMANTICS`; ``"langchain"`` needs langchain-core installed."""
    if semantics not in SEMANTICS:
        raise ValueError(f"semantics must be one of {SEMANTICS}, got {semantics!r}")
    if semantics == "langchain" and not HAVE_LANGCHAIN:
        raise ImportError('semantics="langchain" needs langchain-core: pip install langchain-core')
    return semantics


def relevance(similarity: float) -> float:
    """LangChain's relevance score of a cosine similarity: the similarity clipped to [0, 1].

    What LangChain's cosine stores give (``1 - cosine distance``) wherever it is positive; opposite
    directions score 0 instead of a negative number (which LangChain warns about).
    """
    return min(1.0, max(0.0, float(similarity)))


class AsyncResults:
    """The results of an async graph search, both ways LangChain and doclinks read them.

    ``await store.atraversal_search(q)`` gives the list (doclinks); ``async for doc in
    store.atraversal_search(q)`` iterates it (LangChain's ``GraphVectorStore`` returns an async
    iterator). The search runs in a worker thread each time the object is awaited or iterated.
    """

    def __init__(self, run: Callable[[], list]) -> None:
        self._run = run

    def __await__(self):
        return asyncio.to_thread(self._run).__await__()

    def __aiter__(self):
        return self._iterate()

    async def _iterate(self):
        for doc in await self:
            yield doc


class VectorStoreAPI(VectorStoreBase):
    """The methods of `GraphStore` under LangChain's VectorStore names (see the module docstring).

    A mixin of the facade: the methods use its search helpers (``_search``, ``_nearest``,
    ``_similarity``, ``_embed_query``, ``_query_vector``, ``_mmr``) and its ``semantics``.
    """

    semantics: str = "doclinks"
    # The facade's, declared for type checkers (annotations only: nothing is set here).
    embedding: Any
    close: Callable[[], None]
    _similarity: Callable[..., list[Any]]
    _embed_query: Callable[[str], Any]
    _query_vector: Callable[[Any], Any]
    _mmr: Callable[..., Callable[[Any], list[Any]]]
    _search: Callable[..., list[Any]]
    #: Constructor arguments `from_texts` fills in when the caller leaves them out (per store class).
    FROM_TEXTS_DEFAULTS: ClassVar[dict[str, Any]] = {}

    # ------------------------------------------------------------------ results
    def _answer(self, docs: list, *, similarity: bool) -> list:
        """`docs` as this store's semantics answers them: doclinks Documents as they are, or LangChain
        Documents, without the result keys for `similarity` results."""
        if self.semantics != "langchain":
            return docs
        return [to_langchain(d, result_keys=not similarity) for d in docs]

    @property
    def embeddings(self):
        """The store's embedder (LangChain's name for ``store.embedding``)."""
        return self.embedding

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        """`relevance`: how LangChain's ``similarity_search_with_relevance_scores`` maps a similarity."""
        return relevance

    # ------------------------------------------------------------------ writes
    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: Sequence[dict[str, Any] | None] | None = None,
        *,
        ids: Sequence[str | None] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """`add_documents` of texts: one document per text, in one transaction.

        Args:
            texts: the texts.
            metadatas: one metadata dict per text (default None: empty); links in ``"links"``.
            ids: one id per text (default None); a None id is derived as in `add_documents`.

        Returns the ids, in order. Raises ValueError when `metadatas` or `ids` is not one per text, and
        TypeError for any other keyword (LangChain's signature takes ``**kwargs``; this store takes none).
        """
        from ..document import Document

        if kwargs:
            raise TypeError(f"add_texts() got unexpected keyword arguments: {', '.join(sorted(kwargs))}")

        texts = list(texts)
        metadatas = [None] * len(texts) if metadatas is None else list(metadatas)
        ids = [None] * len(texts) if ids is None else list(ids)
        if len(metadatas) != len(texts) or len(ids) != len(texts):
            raise ValueError(
                f"got {len(texts)} texts, {len(metadatas)} metadatas and {len(ids)} ids: one each per text"
            )
        # Any: the facade's add_documents takes doclinks Documents too; LangChain's base declares only its own.
        docs: list[Any] = [Document(t, dict(m or {}), i) for t, m, i in zip(texts, metadatas, ids)]
        return self.add_documents(docs)

    @classmethod
    def from_texts(
        cls,
        texts: Iterable[str],
        embedding: Any,
        metadatas: Sequence[dict[str, Any] | None] | None = None,
        *,
        ids: Sequence[str | None] | None = None,
        **kwargs: Any,
    ):
        """A new store of this class holding `texts` (LangChain's constructor).

        Args:
            texts, metadatas, ids: as in `add_texts`.
            embedding: the embedder.
            kwargs: the class's constructor arguments (``path=`` for SQLite, ``dsn=`` and
                ``postgres=`` for PostgreSQL, ``settings=``, ...). ``semantics`` defaults to
                ``"langchain"`` here; `FROM_TEXTS_DEFAULTS` fills in the others a class needs
                (`SQLiteGraphStore`: ``path=":memory:"``, a private in-memory database).

        The store is closed again if adding the texts fails.
        """
        # the concrete stores (GraphStore's subclasses) take embedding=; this mixin declares no constructor
        store = cls(embedding=embedding, **{"semantics": "langchain", **cls.FROM_TEXTS_DEFAULTS, **kwargs})  # type: ignore[call-arg]
        try:
            store.add_texts(texts, metadatas, ids=ids)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def from_documents(cls, documents: Iterable[Any], embedding: Any, **kwargs: Any):
        """`from_texts` of documents (doclinks or LangChain): ids from ``ids=`` or each ``Document.id``."""
        documents = list(documents)
        ids = kwargs.pop("ids", None)
        if ids is None:
            ids = [getattr(d, "id", None) for d in documents]
        return cls.from_texts([d.page_content for d in documents], embedding, [d.metadata for d in documents],
                              ids=ids, **kwargs)  # fmt: skip

    # ------------------------------------------------------------------ searches
    def similarity_search_with_score(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None
    ) -> list[tuple[Any, float]]:
        """`similarity_search` with scores: ``(document, cosine similarity in [-1, 1])``, best first."""
        found = self._similarity(lambda: self._embed_query(query), k, filter)
        return list(zip(self._answer(found, similarity=True), (d.metadata["_similarity_score"] for d in found)))

    # filter and score_threshold are named parameters where LangChain's base reads them from **kwargs:
    # its callers pass them by keyword, which works the same; any other keyword is a TypeError here.
    def similarity_search_with_relevance_scores(  # type: ignore[override]
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, *, score_threshold: float | None = None
    ) -> list[tuple[Any, float]]:
        """`similarity_search_with_score` with LangChain's relevance scores in [0, 1] (`relevance`).

        Args:
            score_threshold: keep only results of relevance at least this (default None: all).
        """
        if score_threshold is not None and (
            isinstance(score_threshold, bool) or not isinstance(score_threshold, (int, float))
        ):
            raise TypeError(f"score_threshold must be a number or None, got {score_threshold!r}")
        scored = [(d, relevance(s)) for d, s in self.similarity_search_with_score(query, k, filter)]
        return scored if score_threshold is None else [(d, r) for d, r in scored if r >= score_threshold]

    async def asimilarity_search_with_relevance_scores(self, query: str, k: int = 4, **kwargs: Any):
        """Async `similarity_search_with_relevance_scores` (in a worker thread)."""
        return await asyncio.to_thread(self.similarity_search_with_relevance_scores, query, k, **kwargs)

    # filter is a named parameter where LangChain's base reads it from **kwargs (as above)
    def max_marginal_relevance_search(  # type: ignore[override]
        self,
        query: str,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
    ) -> list:
        """MMR over the `fetch_k` chunks most similar to `query`, without links (LangChain's defaults).

        `mmr_traversal_search` at depth 0: `k` results (default 4) chosen among `fetch_k`
        (default 20) with `lambda_mult` in [0, 1] (default 0.5; 1 is similarity only).
        """
        return self._mmr_answer(lambda: self._embed_query(query), k, fetch_k, lambda_mult, filter)

    # filter is a named parameter where LangChain's base reads it from **kwargs (as above)
    def max_marginal_relevance_search_by_vector(  # type: ignore[override]
        self,
        embedding: Sequence[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
    ) -> list:
        """`max_marginal_relevance_search` with a query vector instead of text (same defaults)."""
        return self._mmr_answer(lambda: self._query_vector(embedding), k, fetch_k, lambda_mult, filter)

    def _mmr_answer(self, make_query, k, fetch_k, lambda_mult, filter) -> list:
        """Plain MMR (depth 0) for the query vector `make_query()`, answered as a similarity search."""
        strategy = self._mmr(k=k, depth=0, fetch_k=fetch_k, adjacent_k=0, lambda_mult=lambda_mult,
                             score_threshold=float("-inf"), filter=filter)  # fmt: skip
        return self._answer(self._search(make_query, strategy), similarity=True)

    def search(self, query: str, search_type: str, **kwargs: Any) -> list:
        """The documents of one search named by `search_type` (a key of `SEARCH_TYPES`: ``"similarity"``,
        ``"similarity_score_threshold"``, ``"mmr"``, ``"traversal"``, ``"mmr_traversal"``); `kwargs` go to
        its method."""
        if search_type not in SEARCH_TYPES:
            raise ValueError(f"search_type must be one of {list(SEARCH_TYPES)}, got {search_type!r}")
        found = getattr(self, SEARCH_TYPES[search_type])(query, **kwargs)
        return [d for d, _ in found] if search_type == "similarity_score_threshold" else found

    async def asearch(self, query: str, search_type: str, **kwargs: Any) -> list:
        """Async `search` (in a worker thread)."""
        return await asyncio.to_thread(self.search, query, search_type, **kwargs)

    def as_retriever(self, search_type: str | None = None, search_kwargs: dict[str, Any] | None = None, **kwargs: Any):
        """A LangChain retriever over this store (a ``VectorStoreRetriever``; needs langchain-core).

        Args:
            search_type: a key of `SEARCH_TYPES`; None (default): ``"similarity"`` with doclinks
                semantics, ``"traversal"`` with LangChain's (``GraphVectorStore``'s default).
            search_kwargs: keyword arguments of the search method, e.g. ``{"k": 4, "depth": 2}``;
                names the method does not take are refused here (ValueError).
            kwargs: passed to the retriever (``tags``, ``metadata``).

        The retriever returns LangChain Documents.
        """
        from .retriever import make_retriever

        if search_type is None:
            search_type = "traversal" if self.semantics == "langchain" else "similarity"
        return make_retriever(self, search_type, dict(search_kwargs or {}), **kwargs)
