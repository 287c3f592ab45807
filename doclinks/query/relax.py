"""Soft mode: when a filter returns too little, relax its constraints in order and say what was relaxed.

The order: lowest score first (the model's least sure span); a range is widened once (half its width
again on each open side: `Constraint.widened`) before it is dropped; a dropped string constraint's
values become entity seeds for an entity-seeded search (the query still names them, the filter no
longer requires them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .parsed import Constraint

__all__ = ["Relaxation", "relaxations"]


@dataclass(frozen=True)
class Relaxation:
    """One step: the constraints still required, the values now used as entity seeds, what changed."""

    constraints: tuple[Constraint, ...]
    seeds: tuple[str, ...] = ()
    change: str = ""
    steps: tuple[str, ...] = field(default=())


def describe(c: Constraint) -> str:
    return f"{c.field} {c.operator} {c.value!r}"


def relaxations(constraints: list[Constraint]) -> Iterator[Relaxation]:
    """The relaxed constraint sets, loosest last (see the module docstring); each step keeps the ones
    before it."""
    current = list(constraints)
    seeds: list[str] = []
    steps: list[str] = []
    for target in sorted(constraints, key=lambda c: c.score):
        i = next(j for j, c in enumerate(current) if c.start == target.start and c.field == target.field)
        wider = current[i].widened()
        if wider is not None:
            steps.append(f"widened {describe(current[i])} to {wider.value!r}")
            current[i] = wider
            yield Relaxation(tuple(current), tuple(seeds), steps[-1], tuple(steps))
        dropped = current.pop(i)
        if dropped.type in ("string", "list[string]") and dropped.operator in ("eq", "in"):
            values = dropped.value if isinstance(dropped.value, list) else [dropped.value]
            seeds.extend(str(v) for v in values)
            steps.append(f"dropped {describe(dropped)}; its values seed an entity search")
        else:
            steps.append(f"dropped {describe(dropped)}")
        yield Relaxation(tuple(current), tuple(seeds), steps[-1], tuple(steps))
