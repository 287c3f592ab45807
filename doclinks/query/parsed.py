"""What a query parse gives: `Constraint`s with their spans, the filter, the limit, the residual text.

A `ParsedQuery` turns into doclinks' filter (`ParsedQuery.filter`, `doclinks.store.filters`) or into
LangChain's ``StructuredQuery`` (`ParsedQuery.to_structured_query`), so that it can stand in for the LLM
query constructor of LangChain's ``SelfQueryRetriever`` over any store LangChain translates to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

__all__ = ["Constraint", "Span", "ParsedQuery", "OPERATORS", "constraints_filter", "and_filters"]

#: A constraint's operators: the filter's comparisons, plus "between" (``[low, high]``, both inclusive) and
#: its complement "not_between".
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "between", "not_between")


@dataclass(frozen=True)
class Span:
    """A span the model found: character offsets into the query, its label and score, and for an unused
    span why it was not used."""

    start: int
    end: int
    text: str
    label: str
    score: float
    reason: str = ""


@dataclass(frozen=True)
class Constraint:
    """One condition on one field.

    Args:
        field: the metadata key.
        type: the field's type (`doclinks.query.fields.FIELD_TYPES`).
        operator: one of OPERATORS.
        value: typed: str, int, float, bool, an ISO date ``"YYYY-MM-DD"`` (date fields compare by day), a
            list for ``in``/``nin``, ``[low, high]`` for ``between``.
        start, end: the value's span in the query (the model's span), character offsets.
        phrase_start, phrase_end: the words it consumed, its cue words included ("not", "under", "after").
        score: the model's score of the span (the lowest, when spans were merged).
        label: the model's label.
        written: the value as the query writes it (before linking to the store's values).
        link: for a string value, how it linked (`doclinks.query.linking.Link.how`); None for other types.
    """

    field: str
    type: str
    operator: str
    value: Any
    start: int
    end: int
    phrase_start: int
    phrase_end: int
    score: float
    label: str
    written: Any = None
    link: str | None = None

    def to_filter(self) -> dict[str, Any]:
        """This constraint in doclinks' filter syntax (a date's upper bound becomes "before the next day",
        so that stored date-times of that day match)."""
        if self.operator == "not_between":
            return {"$not": replace(self, operator="between").to_filter()}
        op, value = self.operator, self.value
        if self.type == "date":
            op, value = _day_bounds(op, value)
        if op == "between":
            return {self.field: {"$gte": value[0], "$lte": value[1]}}
        if op == "both":  # a date range: [low, before]
            return {self.field: {"$gte": value[0], "$lt": value[1]}}
        return {self.field: {"$" + op: value}}

    def widened(self) -> Constraint | None:
        """The constraint with its range half as wide again on each open side (numbers and years; dates by
        days), or None when it has no range to widen (equality, strings, booleans)."""
        if self.type not in ("integer", "float", "date") or self.operator not in ("between", "gt", "gte", "lt", "lte"):
            return None
        if self.type == "date":
            to = date.fromisoformat
            if self.operator == "between":
                low, high = to(self.value[0]), to(self.value[1])
                days = timedelta(days=max(1, (high - low).days // 2))
                return replace(self, value=[(low - days).isoformat(), (high + days).isoformat()])
            days = timedelta(days=365)
            day = to(self.value)
            return replace(self, value=(day - days if self.operator in ("gt", "gte") else day + days).isoformat())
        if self.operator == "between":
            low, high = self.value
            # integers count inclusively: the 1990s (10 years) widen by 5 on each side
            pad = max((high - low + 1) // 2, 1) if self.type == "integer" else max((high - low) / 2, 1)
            return replace(self, value=[low - pad, high + pad])
        v = self.value
        pad = max(abs(v) * 0.5, 1)
        pad = int(pad) if self.type == "integer" else pad
        return replace(self, value=v - pad if self.operator in ("gt", "gte") else v + pad)


def _day_bounds(op: str, value: Any) -> tuple[str, Any]:
    nxt = lambda iso: (date.fromisoformat(iso) + timedelta(days=1)).isoformat()  # noqa: E731
    if op == "between":
        return "both", [value[0], nxt(value[1])]
    if op == "lte":
        return "lt", nxt(value)
    if op == "gt":
        return "gte", nxt(value)
    if op == "eq":
        return "both", [value, nxt(value)]
    return op, value


@dataclass
class ParsedQuery:
    """The parse of one query (`doclinks.query.parser.QueryParser.parse`).

    Attributes:
        query: the query as given.
        constraints: the conditions, in query order; all of them must hold (`filter`).
        unknown: string values the store does not hold (linked to nothing): reported, not filtered on;
            their words stay in `residual`.
        unused: spans that gave no constraint (no field, no value read from them), with the reason;
            their words stay in `residual`.
        limit: the number of results the query asks for ("top 3", "three westerns"), or None.
        limit_span: its (start, end) offsets, or None.
        residual: the query without the words the constraints and the limit consumed: the text for the
            vector search (the whole query when nothing was consumed).
        spans: every span the model found for a field's label, as it found them (before any merging).
        entities: spans of the entity labels (for entity-seeded search).
        entity_tags: the store's ``(kind, tag)`` pairs the query names (empty without a store's tags).
        today: the reference date relative dates were read against.
    """

    query: str
    constraints: list[Constraint] = field(default_factory=list)
    unknown: list[Constraint] = field(default_factory=list)
    unused: list[Span] = field(default_factory=list)
    limit: int | None = None
    limit_span: tuple[int, int] | None = None
    residual: str = ""
    spans: list[Span] = field(default_factory=list)
    entities: list[Span] = field(default_factory=list)
    entity_tags: list[tuple[str, str]] = field(default_factory=list)
    today: date | None = None

    @property
    def filter(self) -> dict[str, Any] | None:
        """The constraints as one doclinks filter (`doclinks.store.filters`); None when there are none."""
        return constraints_filter(self.constraints)

    @property
    def is_empty(self) -> bool:
        """Nothing to filter on and no limit: the query is a plain search."""
        return not self.constraints and self.limit is None

    @property
    def search_text(self) -> str:
        """The text the vector search embeds: the query as given when nothing was parsed (exactly a plain
        search), else `residual` (the query when nothing is left of it)."""
        return self.query if self.is_empty else (self.residual or self.query)

    def to_structured_query(self, translator: Any = None) -> Any:
        """LangChain's ``StructuredQuery`` (``langchain_core.structured_query``): `residual` as the query,
        the constraints as ``Comparison``s under an ``AND`` (None without constraints), `limit`. With a
        LangChain `translator` (e.g. ``ChromaTranslator()``), written with the comparators and operators it
        allows (`doclinks.query.structured.filter_to_expr`). Needs langchain-core."""
        from .structured import to_structured_query

        return to_structured_query(self, translator)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: every field, the filter, dates as ISO strings."""
        out = asdict(self)
        out["today"] = self.today.isoformat() if self.today else None
        out["entity_tags"] = [list(p) for p in self.entity_tags]
        out["filter"] = self.filter
        return out


def constraints_filter(constraints: list[Constraint]) -> dict[str, Any] | None:
    """Constraints ANDed into one doclinks filter; None for none."""
    parts = [c.to_filter() for c in constraints]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def and_filters(first: dict[str, Any] | None, second: dict[str, Any] | None) -> dict[str, Any] | None:
    """Two doclinks filters ANDed; either may be None (or empty)."""
    if not first or not second:
        return first or second or None
    return {"$and": [first, second]}
