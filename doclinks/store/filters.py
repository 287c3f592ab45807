"""Metadata filters: how metadata values become index tokens, and how a filter becomes a condition.

Every backend indexes ``(metadata key, value token)`` pairs (`metadata_tokens`). A filter dict is
checked and compiled once (`compile_filter`) into a small condition tree (`Match`, `Compare`,
`AllOf`, `AnyOf`, `Not`) that each backend answers with its own index: SQL over its ``chunk_meta``
table (`doclinks.store.filter_sql`), set algebra over the in-memory index, or `matches` on a
chunk's tokens; so filters mean the same in every store.

The filter language (MongoDB's, as LangChain's stores speak it)::

    {"lang": "en"}                                # equality (a list value: one item equal)
    {"year": {"$gte": 1990, "$lt": 2000}}         # $eq $ne $gt $gte $lt $lte $in $nin $not
    {"$or": [{"genre": "comedy"}, {"genre": {"$in": ["drama", "war"]}}]}   # $and $or $not

Several keys (or operators) in one dict must all match. On a list value, ``$eq``, ``$in`` and the
comparisons match when one item does; ``$ne``, ``$nin`` and ``$not`` are their complements, so they
also match chunks without the key. Comparisons compare numbers with numbers and strings with
strings (by code point, so ISO dates compare as dates); strings over INDEX_TEXT_BYTES are not
compared.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

__all__ = [
    "INDEX_TEXT_BYTES",
    "index_text",
    "metadata_tokens",
    "compile_filter",
    "matches",
    "Match",
    "Compare",
    "AllOf",
    "AnyOf",
    "Not",
    "Condition",
    "FIELD_OPERATORS",
    "LOGICAL_OPERATORS",
]

#: Longest text (UTF-8 bytes) indexed as itself; longer keys, values and tags are indexed by a digest,
#: because a PostgreSQL btree entry holds at most ~2.7 KB. All stores use the same rule: same answers.
INDEX_TEXT_BYTES = 1000

#: Operators on one metadata key, and those that combine filters.
FIELD_OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$not")
LOGICAL_OPERATORS = ("$and", "$or", "$not")


def index_text(text: str) -> str:
    """`text` as indexes hold it: itself, or ``"sha256:<hex>"`` of it when longer than INDEX_TEXT_BYTES."""
    data = text.encode("utf-8")
    if len(data) <= INDEX_TEXT_BYTES:
        return text
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _scalar_token(value: Any) -> str | None:
    """Token of a filterable scalar; None for values a filter cannot match."""
    # bool before int: True is an int in Python but a different JSON value.
    if isinstance(value, bool):
        return "b:1" if value else "b:0"
    if isinstance(value, (int, float)):
        # 1 and 1.0 are the same JSON number, so they get the same token.
        return "n:" + repr(float(value))
    if isinstance(value, str):
        indexed = index_text(value)
        return ("s:" if indexed == value else "h:") + indexed
    if value is None:
        return "z:"
    return None


def metadata_tokens(metadata: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """(key, token) pairs a filter can match: scalars, and scalar items of lists."""
    out: set[tuple[str, str]] = set()
    for key, value in metadata.items():
        if not isinstance(key, str):
            continue
        key = index_text(key)
        for item in value if isinstance(value, list) else [value]:
            token = _scalar_token(item)
            if token is not None:
                out.add((key, token))
    return frozenset(out)


# ---------------------------------------------------------------------------------------- conditions
@dataclass(frozen=True)
class Match:
    """The chunk holds, under `key`, a value whose token is one of `tokens` (none: matches nothing)."""

    key: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Compare:
    """The chunk holds, under `key`, a number (`value` a float) or string (`value` a str) ``op`` `value`;
    `op` is one of ``"gt" "gte" "lt" "lte"``."""

    key: str
    op: str
    value: float | str


@dataclass(frozen=True)
class AllOf:
    """Every part matches."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part matches."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The part does not match."""

    part: Condition


Condition = Match | Compare | AllOf | AnyOf | Not

_COMPARE = {"$gt": "gt", "$gte": "gte", "$lt": "lt", "$lte": "lte"}


def _check_scalar(key: str, value: Any, what: str = "filter value") -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} for {key!r} must be finite, got {value}")
    token = _scalar_token(value)
    if token is None:
        raise TypeError(f"{what} for {key!r} must be a str, int, float, bool or None, got {type(value).__name__}")
    return token


def _field(key: str, spec: Any) -> Condition:
    """The condition of ``{key: spec}``: a scalar (equality) or a dict of field operators."""
    if not isinstance(spec, Mapping):
        return Match(index_text(key), (_check_scalar(key, spec),))
    if not spec:
        raise ValueError(f"filter for {key!r} is an empty operator dict")
    parts: list[Condition] = []
    for op, value in spec.items():
        if op not in FIELD_OPERATORS:
            raise ValueError(f"unknown filter operator {op!r} for {key!r}; use one of {', '.join(FIELD_OPERATORS)}")
        name = f"{op} value"
        if op in ("$eq", "$ne"):
            cond: Condition = Match(index_text(key), (_check_scalar(key, value, name),))
            parts.append(cond if op == "$eq" else Not(cond))
        elif op in ("$in", "$nin"):
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"{op} value for {key!r} must be a list, got {type(value).__name__}")
            tokens = tuple(dict.fromkeys(_check_scalar(key, v, f"{op} item") for v in value))
            cond = Match(index_text(key), tokens)
            parts.append(cond if op == "$in" else Not(cond))
        elif op in _COMPARE:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise TypeError(f"{op} value for {key!r} must be a number or a str, got {type(value).__name__}")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{op} value for {key!r} must be finite, got {value}")
            if isinstance(value, str) and index_text(value) != value:
                raise ValueError(f"{op} value for {key!r} is longer than {INDEX_TEXT_BYTES} bytes")
            parts.append(Compare(index_text(key), _COMPARE[op], value if isinstance(value, str) else float(value)))
        else:  # $not
            parts.append(Not(_field(key, value)))
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _compile(filter: Any, where: str) -> Condition | None:
    if not isinstance(filter, Mapping):
        raise TypeError(f"{where} must be a dict of metadata key to value, got {type(filter).__name__}")
    parts: list[Condition] = []
    for key, spec in filter.items():
        if not isinstance(key, str):
            raise TypeError(f"filter keys must be str, got {type(key).__name__}: {key!r}")
        if key in ("$and", "$or"):
            if not isinstance(spec, (list, tuple)) or not spec:
                raise ValueError(f"{key} takes a non-empty list of filters, got {spec!r:.80}")
            compiled = [_compile(f, f"each filter of {key}") for f in spec]
            subs = [s for s in compiled if s is not None]
            if key == "$and":
                parts.extend(subs)
            elif len(subs) < len(spec):
                return None  # an empty filter matches everything, so the $or does
            else:
                parts.append(subs[0] if len(subs) == 1 else AnyOf(tuple(subs)))
        elif key == "$not":
            sub = _compile(spec, "the filter of $not")
            parts.append(Not(sub) if sub is not None else AnyOf(()))
        elif key.startswith("$"):
            raise ValueError(f"unknown filter operator {key!r}; combine filters with $and, $or or $not")
        else:
            parts.append(_field(key, spec))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def compile_filter(filter: Mapping[str, Any] | None) -> Condition | None:
    """Check a metadata filter (see the module docstring) and compile it; None (or {}) -> None, no filter.

    Raises:
        TypeError: the filter is not a dict, a key is not a str, a value is not a JSON scalar,
            ``$in``/``$nin`` is not given a list, or a comparison is not given a number or string.
        ValueError: an unknown operator, an empty ``$and``/``$or`` list or operator dict, or a
            float value that is NaN or infinite.
    """
    return None if filter is None else _compile(filter, "filter")


# ---------------------------------------------------------------------------------------- evaluation
def compare_token(token: str, op: str, value: float | str) -> bool:
    """Whether the value of `token` (`metadata_tokens`) is ``op`` `value` (a `Compare`)."""
    if isinstance(value, str):
        if not token.startswith("s:"):
            return False
        left: Any = token[2:]
    else:
        if not token.startswith("n:"):
            return False
        left = float(token[2:])
    return {"gt": left > value, "gte": left >= value, "lt": left < value, "lte": left <= value}[op]


def matches(condition: Condition | None, tokens: Iterable[tuple[str, str]]) -> bool:
    """Whether a chunk with the (key, token) pairs `tokens` matches `condition` (None: always)."""
    held = tokens if isinstance(tokens, (set, frozenset)) else frozenset(tokens)
    return condition is None or _matches(condition, held)


def _matches(c: Condition, held: AbstractSet[tuple[str, str]]) -> bool:
    if isinstance(c, Match):
        return any((c.key, t) in held for t in c.tokens)
    if isinstance(c, Compare):
        return any(k == c.key and compare_token(t, c.op, c.value) for k, t in held)
    if isinstance(c, AllOf):
        return all(_matches(p, held) for p in c.parts)
    if isinstance(c, AnyOf):
        return any(_matches(p, held) for p in c.parts)
    return not _matches(c.part, held)
