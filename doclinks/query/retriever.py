"""`GLiNERSelfQueryRetriever`: LangChain's self-query retriever with GLiNER in place of the LLM.

Parse the question (`QueryParser`), filter the store with its constraints, search with the words left
(similarity, traversal, entity-seeded traversal or PageRank), in strict mode (the filter must hold)
or soft mode (too few results: constraints relaxed in order, `doclinks.query.relax`). A question with
nothing to parse is a plain search of the whole question. Needs langchain-core.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from ..store.results import to_langchain
from .fields import check_fields
from .linking import ValueLinker
from .parsed import ParsedQuery, and_filters, constraints_filter
from .parser import QueryParser
from .relax import relaxations

__all__ = ["GLiNERSelfQueryRetriever", "SelfQueryResult", "SEARCHES"]

#: search_type -> the store's method.
SEARCHES = {
    "similarity": "similarity_search",
    "traversal": "traversal_search",
    "entity": "traversal_search",
    "ppr": "ppr_search",
}


@dataclass
class SelfQueryResult:
    """A search's documents and how they were found: the parse, the filter used, the text searched, the
    relaxation steps (soft mode; empty when the filter held), the entity seeds."""

    documents: list
    parsed: ParsedQuery
    filter: dict | None
    search_text: str
    k: int
    relaxed: list[str] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)


class GLiNERSelfQueryRetriever(BaseRetriever):
    """A self-query retriever over a doclinks store, without an LLM.

    Attributes:
        store: the doclinks `GraphStore`.
        parser: the `QueryParser` (`from_store` builds one linked to the store's values).
        search_type: ``"similarity"`` (default), ``"traversal"``, ``"entity"`` (traversal seeded by the
            entities the query names, and by relaxed values) or ``"ppr"``.
        k: results (default 4).
        search_kwargs: more keyword arguments of the store's search (default none).
        mode: ``"strict"`` (default: the filter must hold; fewer results is the answer) or ``"soft"``.
        min_results: in soft mode, relax while fewer results than this (default: `k`).
        enable_limit: let the query's own count ("top 3") set k (default False, as LangChain's).
        today: the reference date for relative dates (default None: the clock, in the parser's time zone).
        base_filter: a filter every search also applies, ANDed with the parse's (default None); it is
            never relaxed (a filter in `search_kwargs` is replaced by the parse's, as in LangChain).
        document_contents: what the documents are (LangChain's argument; kept for its call shape, the
            parser does not read it).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    parser: Any
    search_type: str = "similarity"
    k: int = 4
    search_kwargs: dict = Field(default_factory=dict)
    mode: str = "strict"
    min_results: int | None = None
    enable_limit: bool = False
    today: Any = None
    base_filter: dict | None = None
    document_contents: str = ""

    def model_post_init(self, context: Any) -> None:
        if self.search_type not in SEARCHES:
            raise ValueError(f"search_type must be one of {list(SEARCHES)}, got {self.search_type!r}")
        if self.mode not in ("strict", "soft"):
            raise ValueError(f"mode must be 'strict' or 'soft', got {self.mode!r}")
        if not isinstance(self.k, int) or self.k < 1:
            raise ValueError(f"k must be an int >= 1, got {self.k!r}")

    @classmethod
    def from_store(
        cls,
        store: Any,
        model: Any,
        metadata_field_info: list,
        document_contents: str = "",
        *,
        entity_labels: Any = (),
        threshold: float = 0.5,
        timezone: str | None = None,
        link_values: bool = True,
        **kwargs: Any,
    ) -> GLiNERSelfQueryRetriever:
        """LangChain's ``SelfQueryRetriever.from_llm`` shape with a GLiNER `model` instead of an LLM: the
        fields (`FieldSpec`s, dicts or ``AttributeInfo``s), string values linked to those `store` holds
        (`link_values`, default True)."""
        fields = check_fields(metadata_field_info, shared_labels=link_values)
        linker = None
        if link_values:
            strings = [f.name for f in fields if f.type in ("string", "list[string]")]
            linker = ValueLinker.from_store(store, strings)
        parser = QueryParser(model, fields, linker=linker, entity_labels=entity_labels, threshold=threshold,
                             timezone=timezone, tags=store.tags() if entity_labels else None)  # fmt: skip
        return cls(store=store, parser=parser, document_contents=document_contents, **kwargs)

    # ------------------------------------------------------------------ searching
    def search(self, query: str, parsed: ParsedQuery | None = None) -> SelfQueryResult:
        """Parse `query` (unless `parsed` is given), then search; the documents are doclinks Documents."""
        parsed = parsed if parsed is not None else self.parser.parse(query, today=self.today)
        k = parsed.limit if self.enable_limit and parsed.limit else self.k
        text = parsed.search_text
        entities = [e.text for e in parsed.entities]
        constraints = list(parsed.constraints)
        docs = self._run(text, k, constraints_filter(constraints), entities)
        result = SelfQueryResult(docs, parsed, constraints_filter(constraints), text, k)
        if self.mode == "soft" and constraints:
            want = min(self.min_results or k, k)
            for step in relaxations(constraints):
                if len(result.documents) >= want:
                    break
                flt = constraints_filter(list(step.constraints))
                result = SelfQueryResult(self._run(text, k, flt, entities + list(step.seeds)), parsed, flt, text, k,
                                         list(step.steps), list(step.seeds))  # fmt: skip
        return result

    def _run(self, text: str, k: int, filter: dict | None, seeds: list[str]) -> list:
        method = getattr(self.store, SEARCHES[self.search_type])
        kwargs = dict(self.search_kwargs)
        filter = and_filters(self.base_filter, filter)
        if filter is not None:
            kwargs["filter"] = filter
        search_type = self.search_type
        if seeds and search_type == "similarity":
            search_type = "entity"  # a relaxed value still names what the user wants: seed with it
            method = self.store.traversal_search
            kwargs.setdefault("depth", 0)
        if search_type in ("entity", "ppr"):
            kinds = sorted({kind for kind, _ in self.store.tags() if kind.startswith("entity:")})
            if search_type == "entity":
                kwargs.setdefault("entity_k", k)
            if kinds and seeds:
                kwargs["query_links"] = [(kinds[0], s) for s in seeds]  # matched across kinds too
            kwargs.setdefault("query_entities", False)
        return method(text, k=k, **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        result = self.search(query)
        out = [to_langchain(d) for d in result.documents]
        if result.relaxed:
            for d in out:
                d.metadata["_relaxed"] = list(result.relaxed)
        return out

    async def _aget_relevant_documents(self, query: str, *, run_manager: Any) -> list[LCDocument]:
        return await asyncio.to_thread(self._get_relevant_documents, query, run_manager=run_manager)
