"""Which field a span's value belongs to, when its label does not say it alone.

Two string fields may share a label (director and cast both read "person" spans): the store's values
decide (the field where the value links best: exact, folded, part, fuzzy; the first field when it links
nowhere). A number written with a field's unit ("4 stars", "$5", "90 minutes") belongs to that field,
whatever number label the model gave it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .fields import FieldSpec
from .linking import ValueLinker
from .lists import split_values
from .negation import strip_negation
from .parsed import Span
from .values import value_phrase

__all__ = ["route"]

_RANK = {"exact": 0, "folded": 1, "part": 2, "fuzzy": 3}
_NUMERIC = ("integer", "float")


def route(
    query: str, span: Span, specs: Sequence[FieldSpec], fields: Sequence[FieldSpec], linker: ValueLinker | None
) -> FieldSpec:
    """The field of `span`, among the `specs` its label names (and, for numbers, all `fields`)."""
    spec = specs[0]
    if len(specs) > 1 and linker is not None:
        values, _ = split_values(strip_negation(span.text)[1])
        if values:
            ranked = [(_RANK.get(linker.link(s.name, values[0]).how, 9), i) for i, s in enumerate(specs)]
            spec = specs[min(ranked)[1]]
    if spec.type in _NUMERIC or any(f.units for f in fields if f.type in _NUMERIC):
        left, right, _ = value_phrase(query, span.start, span.end)
        phrase = query[left:right].lower()
        if re.search(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|hundred)\b", phrase):
            for f in fields:
                if f.type in _NUMERIC and any(_names_unit(phrase, u) for u in f.units):
                    return f
    return spec


def _names_unit(phrase: str, unit: str) -> bool:
    unit = unit.lower()
    if not unit[:1].isalnum():
        return unit in phrase  # "$", "€"
    return re.search(rf"\b{re.escape(unit)}\b", phrase) is not None
