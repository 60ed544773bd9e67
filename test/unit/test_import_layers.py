"""The import graph of `pimsyn/` goes one way (docs/architecture.md, "Layers").

Walks every `import` statement of the package (module level and inside functions, since a
lazy import is still a dependency) and checks two things: a package only imports packages
of its own layer or below, and no module imports itself back through a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "pimsyn"

#: Layer of each top-level package (or top-level module); lower layers never import higher.
LAYERS = {
    "errors": 0, "options": 0, "files": 0,
    "model": 1,
    "frontend": 2, "ir": 2, "hw": 2, "search": 2,
    "passes": 3,
    "dse": 4,
    "backend": 5, "sim": 5,
    "api": 6,
    "tools": 7,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """pimsyn modules a file imports (absolute and relative imports, any nesting).

    `from pkg import name` depends on the module `pkg.name` when that is a module (a
    submodule import), else on `pkg` itself."""
    found: set[str] = set()
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {name for name in found if name == "pimsyn" or name.startswith("pimsyn.")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        # `from pimsyn.hw import x` may name a module (pimsyn.hw.x) or an object: keep modules
        edges[name] = {target for target in imports_of(path, set(modules)) if target in modules and target != name}
    return edges


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "pimsyn"


def layering_violations(edges: dict[str, set[str]]) -> list[str]:
    bad = []
    for source, targets in edges.items():
        if top(source) not in LAYERS:
            continue
        for target in targets:
            if top(target) in LAYERS and LAYERS[top(target)] > LAYERS[top(source)]:
                bad.append(f"{source} (layer {LAYERS[top(source)]}) imports {target} (layer {LAYERS[top(target)]})")
    return sorted(bad)


def package_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle among the top-level packages, or None."""
    pkg_edges: dict[str, set[str]] = {}
    for source, targets in edges.items():
        pkg_edges.setdefault(top(source), set()).update(top(t) for t in targets if top(t) != top(source))
    return find_cycle(pkg_edges)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_every_package_has_a_layer():
    packages = {p.name.removesuffix(".py") for p in ROOT.iterdir()
                if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.name != "__init__.py")}
    packages.discard("data")
    assert packages <= set(LAYERS), f"packages without a layer in this test: {sorted(packages - set(LAYERS))}"


def test_imports_go_down_the_layers():
    assert layering_violations(graph()) == []


def test_no_package_cycle():
    assert package_cycle(graph()) is None


def test_no_module_cycle():
    assert find_cycle(graph()) is None


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
])
def test_cycle_finder_finds_cycles(edges, expected):
    assert find_cycle(edges) == expected


def test_layering_check_flags_an_upward_import():
    assert layering_violations({"pimsyn.hw.x": {"pimsyn.dse.y"}}) == [
        "pimsyn.hw.x (layer 2) imports pimsyn.dse.y (layer 4)"
    ]
