"""Lists of values in one phrase: "french or italian" -> (["french", "italian"], "or")."""

from __future__ import annotations

import re

__all__ = ["split_values", "JOINERS"]

#: What joins two values: "or" (either will do) or "and" (both are named).
JOINERS = {"or": "or", "and": "and", "&": "and", "/": "or", ",": None, "nor": "or", "either": None, "both": None}
_SPLIT = re.compile(r"\s*,\s*(?:(or|and)\s+)?|\s+(or|and|nor|&)\s+|\s*/\s*", re.I)


def split_values(text: str) -> tuple[list[str], str | None]:
    """The values a phrase lists, and how they are joined: ``"or"``, ``"and"``, or None for one value.

    "french or italian" -> (["french", "italian"], "or"); "a, b and c" -> (["a", "b", "c"], "and");
    "either x or y" -> (["x", "y"], "or"); commas alone mean "or" (a list of options); "and" wins
    over "or" only when no "or" is written.
    """
    text = re.sub(r"^\s*(?:either|both)\s+", "", text.strip(), flags=re.I)
    joiners = set()
    parts, last = [], 0
    for m in _SPLIT.finditer(text):
        parts.append(text[last : m.start()])
        word = (m.group(1) or m.group(2) or ("/" if "/" in m.group(0) else ",")).lower()
        joiners.add(JOINERS.get(word))
        last = m.end()
    parts.append(text[last:])
    values = [p.strip() for p in parts if p.strip()]
    if len(values) < 2:
        return ([values[0]] if values else []), None
    return values, ("and" if "and" in joiners and "or" not in joiners else "or")
