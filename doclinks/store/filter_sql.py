"""A compiled filter (`doclinks.store.filters.Condition`) as one SQL predicate, for the SQL backends.

Each leaf becomes ``<column> IN (SELECT chunk FROM chunk_meta WHERE key = ? AND ...)``: a range of
the ``(key, value, chunk)`` primary key of the ``chunk_meta`` table both databases keep, and the
leaves combine with AND, OR and NOT. Values are always parameters, never spliced into the SQL.
Numbers are compared by casting the ``n:`` tokens of that key (``n:<repr of the float>``); strings
by comparing ``s:`` tokens byte-wise (code point order, as Python compares str).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .filters import AllOf, AnyOf, Compare, Condition, Match, Not

__all__ = ["SQLDialect", "SQLITE", "POSTGRES", "condition_sql"]

_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True)
class SQLDialect:
    """What differs between the databases.

    Args:
        param: the parameter placeholder (``?`` or ``%s``).
        any_of: predicate "value is one of the list parameter" (the parameter is what `list_param` gives).
        real: the floating-point type to cast to.
        binary: what makes a text comparison byte-wise (PostgreSQL's default collation is not).
        json_list: send lists as JSON text (SQLite's json_each) rather than as an array.
    """

    param: str
    any_of: str
    real: str
    binary: str
    json_list: bool

    def list_param(self, values: tuple[str, ...]) -> object:
        return json.dumps(list(values)) if self.json_list else list(values)


SQLITE = SQLDialect("?", "value IN (SELECT value FROM json_each(?))", "REAL", "", True)
POSTGRES = SQLDialect("%s", "value = ANY(%s::text[])", "double precision", ' COLLATE "C"', False)


def condition_sql(condition: Condition, column: str, meta_table: str, dialect: SQLDialect) -> tuple[str, list]:
    """The SQL predicate (and its parameters, in order) that holds when the chunk whose key is in
    `column` matches `condition`; `meta_table` is the (quoted) ``chunk_meta`` table."""
    params: list = []
    text = _sql(condition, column, meta_table, dialect, params)
    return text, params


def _sql(c: Condition, column: str, meta: str, d: SQLDialect, params: list) -> str:
    p = d.param
    if isinstance(c, Match):
        if not c.tokens:
            return "(1 = 0)"
        params.append(c.key)
        if len(c.tokens) == 1:
            params.append(c.tokens[0])
            return f"{column} IN (SELECT chunk FROM {meta} WHERE key = {p} AND value = {p})"
        params.append(d.list_param(c.tokens))
        return f"{column} IN (SELECT chunk FROM {meta} WHERE key = {p} AND {d.any_of})"
    if isinstance(c, Compare):
        params.append(c.key)
        if isinstance(c.value, str):
            params.append("s:" + c.value)
            test = f"substr(value, 1, 2) = 's:' AND value{d.binary} {_OPS[c.op]} {p}{d.binary}"
        else:
            params.append(c.value)
            test = f"substr(value, 1, 2) = 'n:' AND CAST(substr(value, 3) AS {d.real}) {_OPS[c.op]} {p}"
        return f"{column} IN (SELECT chunk FROM {meta} WHERE key = {p} AND {test})"
    if isinstance(c, (AllOf, AnyOf)):
        if not c.parts:
            return "(1 = 1)" if isinstance(c, AllOf) else "(1 = 0)"
        joiner = " AND " if isinstance(c, AllOf) else " OR "
        return "(" + joiner.join(_sql(part, column, meta, d, params) for part in c.parts) + ")"
    assert isinstance(c, Not)
    return f"NOT ({_sql(c.part, column, meta, d, params)})"
