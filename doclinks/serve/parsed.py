"""The parsed-query search of ``doclinks serve --fields F`` (search mode ``parsed``).

The question is read by `doclinks.query.QueryParser` on the server's fields and model (its string values
linked to the ones the store holds), its constraints become the filter (ANDed with the request's own), and
`doclinks.query.GLiNERSelfQueryRetriever` searches with the words left: strict, or soft (constraints
relaxed in order while too few results come back). A question with nothing to parse is exactly a plain
search of the same inner search type.
"""

from __future__ import annotations

import threading
from typing import Any

from .results import search_json

__all__ = ["QueryParsing", "SEARCH_TYPES", "parsed_search"]

#: The inner search of a parsed search (the request's ``search_type``) -> the retriever's search_type.
SEARCH_TYPES = {"similarity": "similarity", "traversal": "traversal", "entity_seeded": "entity", "ppr": "ppr"}


class QueryParsing:
    """The fields (a `doclinks parse` fields file) and the query parser of one server.

    The parser links string values to those the store holds, so it is rebuilt when the store may have
    changed: after a write through this server (`changed`) or when its chunk count differs.

    Args:
        fields: the fields file (a JSON list; `doclinks.query.load_fields`).
        model: the server's loaded NER model.
        timezone: IANA time zone of "today" when a request gives none (default None: UTC).
        threshold: least span score kept (default 0.5).

    Raises:
        FileNotFoundError, ValueError, TypeError: the fields file is missing or malformed.
    """

    def __init__(self, fields: str, model: Any, timezone: str | None = None, threshold: float = 0.5) -> None:
        from ..query import load_fields

        self.fields = load_fields(fields, shared_labels=True)
        self.model = model
        self.timezone = timezone
        self.threshold = threshold
        self._writes = 0
        self._key: tuple[int, int] | None = None
        self._parser: Any = None
        self._lock = threading.Lock()

    def changed(self) -> None:
        """The store was written: link values to its values again before the next parse."""
        self._writes += 1

    def parser(self, store: Any) -> Any:
        """The `QueryParser` linked to `store`'s current values (built again when they may have changed)."""
        from ..query import QueryParser, ValueLinker

        key = (self._writes, len(store))
        with self._lock:
            if self._key != key:
                strings = [f.name for f in self.fields if f.type in ("string", "list[string]")]
                linker = ValueLinker.from_store(store, strings)
                self._parser = QueryParser(self.model, self.fields, linker=linker, threshold=self.threshold,
                                           timezone=self.timezone)  # fmt: skip
                self._key = key
            return self._parser

    def check_today(self, today: Any) -> None:
        """Raise ValueError/TypeError unless `today` is None or an ISO date."""
        from ..query.parser import reference_date

        if today is not None:
            if not isinstance(today, str):
                raise TypeError(f"expected an ISO date (YYYY-MM-DD), got {type(today).__name__}")
            reference_date(today, self.timezone)


def parsed_search(service: Any, store: Any, query: str, parsed: Any, *, search_type: str | None, k: int, depth: int,
                  adjacent_k: int, entity_k: int, filter: dict[str, Any] | None, soft: bool,
                  today: str | None) -> dict[str, Any]:  # fmt: skip
    """One parsed search on `store` (this thread's reader) with `parsed` (the question's parse): the usual
    results (mode ``"parsed"``) plus ``parsed`` (the whole parse), ``relaxed`` (soft mode's steps, in
    order), ``filter`` (the one the last search ran with), ``search_text`` and ``seeds``.

    `k` is the request's, or the count the question asks for ("top 3"), at most the server's ``max_k``.
    """
    from ..query.parsed import and_filters
    from ..query.retriever import GLiNERSelfQueryRetriever

    search_type = search_type or "traversal"
    kind = SEARCH_TYPES[search_type]
    kwargs: dict[str, Any] = {}
    if kind in ("traversal", "entity"):
        kwargs = {"depth": depth, "adjacent_k": adjacent_k}
    if kind in ("entity", "ppr"):  # the question's entities read by the server's model, as the plain modes do
        service._read_queries_with_model(store)
        kwargs["query_entities"] = True
        if kind == "entity":
            kwargs["entity_k"] = max(entity_k, 1)
    if parsed.limit:
        k = min(parsed.limit, service.limits.max_k)
    retriever = GLiNERSelfQueryRetriever(store=store, parser=service.parsing.parser(store), search_type=kind, k=k,
                                         search_kwargs=kwargs, mode="soft" if soft else "strict", today=today,
                                         base_filter=filter)  # fmt: skip
    found = retriever.search(query, parsed=parsed)
    out = search_json(query, search_type, k, found.documents)  # scored as the inner search scores
    out.update({"mode": "parsed", "search_type": search_type, "parsed": parsed.to_dict(), "relaxed": list(found.relaxed),
                "filter": and_filters(filter, found.filter), "search_text": found.search_text,
                "seeds": list(found.seeds)})  # fmt: skip
    return out
