"""What a query may constrain: `FieldSpec`, the doclinks counterpart of LangChain's ``AttributeInfo``.

A field is a metadata key of the store, its description, its type and the GLiNER labels whose spans
give its values. Fields load from JSON (`load_fields`): a list of objects with the keys of
`FieldSpec`, the shape of LangChain's ``metadata_field_info``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["FieldSpec", "FIELD_TYPES", "load_fields", "check_fields"]

#: The field types, with the aliases LangChain's AttributeInfo examples use.
FIELD_TYPES = ("string", "integer", "float", "date", "boolean", "list[string]")
_ALIASES = {
    "str": "string",
    "int": "integer",
    "number": "float",
    "bool": "boolean",
    "list[str]": "list[string]",
    "list": "list[string]",
    "array": "list[string]",
    "datetime": "date",
    "timestamp": "date",
}


@dataclass(frozen=True)
class FieldSpec:
    """One filterable metadata field.

    Args:
        name: the metadata key.
        description: what it holds, in words (LangChain's ``description``).
        type: one of FIELD_TYPES (default ``"string"``; "int", "str", "bool", "list[str]", ... accepted).
        labels: the GLiNER labels whose spans are this field's values (default: the description when it
            is short, at most 4 words, else the name with ``_`` as spaces).
        years: for an integer field, whether it holds years, so that "the nineties" reads as 1990..1999
            (default None: when the name contains "year"). Date fields always read periods.
        units: for a number field, words that name its unit ("stars", "minutes", "$"): a number written
            with one of them goes to this field, whatever label the model gave it (default none).
    """

    name: str
    description: str = ""
    type: str = "string"
    labels: tuple[str, ...] = field(default=())
    years: bool | None = None
    units: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", (self.units,) if isinstance(self.units, str) else tuple(self.units))
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a field needs a non-empty name, got {self.name!r}")
        kind = _ALIASES.get(str(self.type).lower().replace(" ", ""), str(self.type).lower().replace(" ", ""))
        if kind not in FIELD_TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r}; use one of {', '.join(FIELD_TYPES)}")
        object.__setattr__(self, "type", kind)
        labels = (self.labels,) if isinstance(self.labels, str) else tuple(self.labels)
        if not labels:
            short = self.description.strip() and len(self.description.split()) <= 4
            labels = (self.description.strip() if short else self.name.replace("_", " "),)
        for label in labels:
            if not isinstance(label, str) or not label.strip():
                raise ValueError(f"field {self.name!r}: labels must be non-empty strings, got {label!r}")
        object.__setattr__(self, "labels", tuple(dict.fromkeys(l.strip() for l in labels)))

    @property
    def holds_periods(self) -> bool:
        """Whether values are read as years/dates ("the nineties", "last year")."""
        if self.type == "date":
            return True
        return self.type == "integer" and (self.years if self.years is not None else "year" in self.name.lower())

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["labels"] = list(self.labels)
        out["units"] = list(self.units)
        return out

    @classmethod
    def from_attribute_info(cls, info: Any, labels: Sequence[str] = ()) -> FieldSpec:
        """From a LangChain ``AttributeInfo`` (or a dict with name, description, type)."""

        def get(key: str, default: Any = None) -> Any:
            return info.get(key, default) if isinstance(info, Mapping) else getattr(info, key, default)

        return cls(
            get("name"), get("description") or "", get("type") or "string", tuple(labels or get("labels", ()) or ())
        )


def check_fields(
    fields: Iterable[FieldSpec | Mapping[str, Any] | Any], *, shared_labels: bool = False
) -> list[FieldSpec]:
    """Fields as `FieldSpec`s (dicts and AttributeInfos converted), checked: names unique, and no label
    shared by two fields (the model's span would not say which field it is) unless `shared_labels`:
    string fields whose values are linked to a store's may share a label ("person" for director and
    cast), the value then says which field it is.

    Raises:
        ValueError: no fields, a duplicate name, or a label two fields share (case-insensitive).
    """
    out = [f if isinstance(f, FieldSpec) else FieldSpec.from_attribute_info(f) for f in fields]
    if not out:
        raise ValueError("no fields: a query parser needs at least one field")
    names: set[str] = set()
    owner: dict[str, tuple[str, str]] = {}
    for f in out:
        if f.name in names:
            raise ValueError(f"field {f.name!r} is described twice")
        names.add(f.name)
        for label in f.labels:
            key = label.lower()
            if key in owner:
                strings = {owner[key][1], f.type} <= {"string", "list[string]"}
                if not (shared_labels and strings):
                    raise ValueError(
                        f"label {label!r} belongs to two fields, {owner[key][0]!r} and {f.name!r}: "
                        "give each field its own labels (string fields may share one when their "
                        "values are linked to a store's)"
                    )
            owner.setdefault(key, (f.name, f.type))
    return out


def load_fields(source: str | os.PathLike | Sequence[Any], *, shared_labels: bool = False) -> list[FieldSpec]:
    """Fields from a JSON file (a list of objects, or ``{"fields": [...]}``) or from a list of dicts."""
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, encoding="utf-8") as fh:
                data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{os.fspath(source)}: not valid JSON ({exc})") from None
        if isinstance(data, dict):
            data = data.get("fields")
        if not isinstance(data, list):
            raise ValueError(f'{os.fspath(source)}: expected a list of fields (or {{"fields": [...]}})')
        source = data
    fields = []
    for i, item in enumerate(source):
        if isinstance(item, Mapping):
            unknown = set(item) - {"name", "description", "type", "labels", "years", "units"}
            if unknown:
                raise ValueError(f"field {i}: unknown keys {sorted(unknown)}")
            item = FieldSpec(
                **{**item, "labels": tuple(item.get("labels") or ()), "units": tuple(item.get("units") or ())}
            )
        fields.append(item)
    return check_fields(fields, shared_labels=shared_labels)
