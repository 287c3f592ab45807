"""The package's import graph: no cycle, and no library module importing the command line.

Every module of `doclinks` is parsed with `ast` (nothing is imported): each ``import`` and
``from ... import`` at any depth counts, inside functions and ``if TYPE_CHECKING:`` blocks too,
since a cycle through a type-only or deferred import is still a boundary in the wrong place.
An edge goes to the module named: ``from .x import y`` to ``x``'s module, or to ``x.y`` when
that is a module itself. A package's ``__init__`` is an edge target only when named, not
implied by importing a module inside it (a package re-exporting its parts is not a cycle).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "doclinks"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that the module `name` (file `path`) imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets = []
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                targets.append(sub if sub in modules else source)
        else:
            continue
        for target in targets:
            # `import doclinks.a.b` names the deepest module of the package it reaches.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@functools.cache
def import_graph() -> dict[str, set[str]]:
    modules = package_modules()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as ``[a, b, ..., a]``, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_the_graph_is_read():
    graph = import_graph()
    assert "doclinks.store.graph_store" in graph
    assert "doclinks.store.backends.base" in graph["doclinks.store.graph_store"]


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_library_does_not_import_the_command_line():
    """Library code sits below `doclinks.cli`; only the command line (and ``python -m doclinks``,
    its entry point) imports it."""
    offenders = {
        name: sorted(t for t in targets if t == "doclinks.cli" or t.startswith("doclinks.cli."))
        for name, targets in import_graph().items()
        if not (name == "doclinks.cli" or name.startswith("doclinks.cli.") or name == "doclinks.__main__")
    }
    offenders = {name: targets for name, targets in offenders.items() if targets}
    assert not offenders, f"library modules importing the command line: {offenders}"
