"""LangChain's ``StructuredQuery`` both ways: a `ParsedQuery` (or any doclinks filter) into one, and one
into doclinks' filter syntax (`DoclinksTranslator`, a LangChain ``Visitor``), so that the parser can
feed any store LangChain translates to and LangChain's query constructors can feed doclinks' stores.

Needs langchain-core (the ``langchain`` extra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.structured_query import (
    Comparator,
    Comparison,
    Operation,
    Operator,
    StructuredQuery,
    Visitor,
)

__all__ = ["to_structured_query", "filter_to_expr", "DoclinksTranslator"]

_OPS = {
    "$eq": Comparator.EQ,
    "$ne": Comparator.NE,
    "$gt": Comparator.GT,
    "$gte": Comparator.GTE,
    "$lt": Comparator.LT,
    "$lte": Comparator.LTE,
    "$in": Comparator.IN,
    "$nin": Comparator.NIN,
}


def to_structured_query(parsed: Any, translator: Visitor | None = None) -> StructuredQuery:
    """`parsed` (a `ParsedQuery`) as a ``StructuredQuery``: its residual text, its filter, its limit. With
    a `translator`, only the comparators and operators it allows are used (`filter_to_expr`)."""
    allowed_c = getattr(translator, "allowed_comparators", None)
    allowed_o = getattr(translator, "allowed_operators", None)
    expr = filter_to_expr(parsed.filter, allowed_c, allowed_o) if parsed.filter else None
    return StructuredQuery(query=parsed.residual, filter=expr, limit=parsed.limit)


def filter_to_expr(
    filter: Mapping[str, Any],
    allowed_comparators: Sequence[Comparator] | None = None,
    allowed_operators: Sequence[Operator] | None = None,
) -> Comparison | Operation:
    """A doclinks filter as LangChain ``Comparison``/``Operation``s. Where a comparator or operator is not
    allowed, the same condition is written with others: ``in`` as an OR of ``eq``, ``nin`` as an AND of
    ``ne``, a ``not`` pushed down onto the comparisons (De Morgan; ``not eq`` is ``ne``, ``not gte`` is
    ``lt``...). Note that stores differ on ``ne`` for a record without the key.

    Raises:
        ValueError: the condition cannot be written with what is allowed.
    """
    ok_c = set(allowed_comparators) if allowed_comparators is not None else set(Comparator)
    ok_o = set(allowed_operators) if allowed_operators is not None else set(Operator)
    return _expr(filter, ok_c, ok_o, negate=False)


_NEGATED = {
    Comparator.EQ: Comparator.NE,
    Comparator.NE: Comparator.EQ,
    Comparator.GT: Comparator.LTE,
    Comparator.GTE: Comparator.LT,
    Comparator.LT: Comparator.GTE,
    Comparator.LTE: Comparator.GT,
    Comparator.IN: Comparator.NIN,
    Comparator.NIN: Comparator.IN,
}


def _join(op: Operator, parts: list, ok_o: set) -> Any:
    if len(parts) == 1:
        return parts[0]
    if op not in ok_o:
        raise ValueError(f"this translator does not allow {op.value!r}, which the filter needs")
    return Operation(operator=op, arguments=parts)


def _expr(f: Mapping[str, Any], ok_c: set, ok_o: set, negate: bool) -> Any:
    # negate: write NOT(f); with NOT allowed it stays an Operation, else De Morgan down to the comparisons.
    if negate and Operator.NOT in ok_o:
        return Operation(operator=Operator.NOT, arguments=[_expr(f, ok_c, ok_o, False)])
    parts = []
    for key, spec in f.items():
        if key in ("$and", "$or"):
            op = Operator.AND if (key == "$and") != negate else Operator.OR
            parts.append(_join(op, [_expr(sub, ok_c, ok_o, negate) for sub in spec], ok_o))
        elif key == "$not":
            parts.append(_expr(spec, ok_c, ok_o, not negate))
        elif isinstance(spec, Mapping):
            for op_name, value in spec.items():
                if op_name == "$not":
                    parts.append(_expr({key: value}, ok_c, ok_o, not negate))
                else:
                    parts.append(_comparison(_OPS[op_name], key, value, ok_c, ok_o, negate))
        else:
            parts.append(_comparison(Comparator.EQ, key, spec, ok_c, ok_o, negate))
    # the parts of one dict are ANDed; negated, they are ORed (De Morgan)
    return _join(Operator.OR if negate else Operator.AND, parts, ok_o)


def _comparison(c: Comparator, key: str, value: Any, ok_c: set, ok_o: set, negate: bool) -> Any:
    if negate:
        c = _NEGATED[c]
    if c in ok_c:
        return Comparison(comparator=c, attribute=key, value=value)
    if c in (Comparator.IN, Comparator.NIN):
        single = Comparator.EQ if c == Comparator.IN else Comparator.NE
        if single in ok_c:
            return _join(
                Operator.OR if c == Comparator.IN else Operator.AND,
                [Comparison(comparator=single, attribute=key, value=v) for v in value],
                ok_o,
            )
    raise ValueError(f"this translator does not allow {c.value!r}, which the filter needs for {key!r}")


class DoclinksTranslator(Visitor):
    """LangChain's ``StructuredQuery`` into doclinks' filter syntax (`doclinks.store.filters`): every
    comparator but ``like`` (``contain`` is equality, which on a list value matches an item), every
    operator. ``visit_structured_query`` gives ``(query, {"filter": ...})`` as LangChain's translators do
    (plus ``"k"`` for a limit)."""

    allowed_comparators = (
        Comparator.EQ,
        Comparator.NE,
        Comparator.GT,
        Comparator.GTE,
        Comparator.LT,
        Comparator.LTE,
        Comparator.IN,
        Comparator.NIN,
        Comparator.CONTAIN,
    )
    allowed_operators = (Operator.AND, Operator.OR, Operator.NOT)

    def visit_operation(self, operation: Operation) -> dict[str, Any]:
        self._validate_func(operation.operator)
        args = [a.accept(self) for a in operation.arguments]
        if operation.operator == Operator.NOT:
            if len(args) != 1:
                raise ValueError(f"'not' takes one argument, got {len(args)}")
            return {"$not": args[0]}
        return {"$" + operation.operator.value: args}

    def visit_comparison(self, comparison: Comparison) -> dict[str, Any]:
        self._validate_func(comparison.comparator)
        value = comparison.value
        if isinstance(value, Mapping) and value.get("type") in ("date", "datetime"):
            value = value.get("date") or value.get("datetime")  # LangChain's written form of a date
        op = "eq" if comparison.comparator == Comparator.CONTAIN else comparison.comparator.value
        if op in ("in", "nin") and not isinstance(value, (list, tuple)):
            value = [value]
        return {comparison.attribute: {"$" + op: value}}

    def visit_structured_query(self, structured_query: StructuredQuery) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {}
        if structured_query.filter is not None:
            kwargs["filter"] = structured_query.filter.accept(self)
        if structured_query.limit is not None:
            kwargs["k"] = structured_query.limit
        return structured_query.query, kwargs
