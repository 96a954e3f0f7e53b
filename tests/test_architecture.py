"""The architecture as the build enforces it (ARCHITECTURE.md): no import cycle, no private
name borrowed across modules, no module too long to read, and contracts that name every
package. `lint-imports` (in CI) checks the layers themselves."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.domain.imports import ModuleExpression

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "labelling"
MAX_LINES = 600


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("labelling", cache_dir=None)


@pytest.fixture(scope="module")
def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def cycles(graph: grimp.ImportGraph, modules: set[str], group=lambda name: name) -> list:
    """The import cycles among `modules`, each as the sorted groups in it; `group` names the
    unit compared (a module itself, or the package it belongs to)."""
    groups = {group(m) for m in modules}
    edges: dict[str, set[str]] = {g: set() for g in groups}
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported in modules and group(imported) != group(module):
                edges[group(module)].add(group(imported))
    return [sorted(c) for c in _strongly_connected(edges) if len(c) > 1]


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components, iteratively (a deep import chain must not hit the stack limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def ours(graph: grimp.ImportGraph) -> set[str]:
    # The factory (`labelling` itself) wires every package together by design.
    return {m for m in graph.modules if m.startswith("labelling.")}


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_the_cycle_finder_finds_a_planted_cycle():
    planted = grimp.ImportGraph()
    for name in ("pkg.a.x", "pkg.a.y", "pkg.b.z", "pkg.c.w"):
        planted.add_module(name)
    planted.add_import(importer="pkg.a.x", imported="pkg.b.z")
    planted.add_import(importer="pkg.b.z", imported="pkg.a.y")
    planted.add_import(importer="pkg.c.w", imported="pkg.a.x")
    modules = set(planted.modules)
    assert cycles(planted, modules, package_of) == [["pkg.a", "pkg.b"]]
    assert cycles(planted, modules) == []  # x -> z -> y is no cycle between modules
    planted.add_import(importer="pkg.a.y", imported="pkg.a.x")
    assert cycles(planted, modules) == [["pkg.a.x", "pkg.a.y", "pkg.b.z"]]


def test_no_package_imports_another_that_imports_it_back(graph):
    assert cycles(graph, ours(graph), package_of) == []


def test_no_module_imports_another_that_imports_it_back(graph):
    assert cycles(graph, ours(graph)) == []


@pytest.mark.parametrize(
    ("package", "may_import"),
    [
        ("labelling.criteria", set()),
        ("labelling.db", set()),
        ("labelling.core", {"labelling.db", "labelling.extensions"}),
        ("labelling.jobs", {"labelling.core", "labelling.db", "labelling.extensions"}),
    ],
)
def test_the_ground_imports_no_feature(graph, package, may_import):
    reached = {
        package_of(imported)
        for module in ours(graph)
        if package_of(module) == package
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("labelling.")
    }
    assert reached - {package} <= may_import


def test_the_criteria_engine_needs_only_the_standard_library_and_yaml(graph):
    """marshmallow validates framework files in criteria.schemas, and nowhere else."""
    for module in ours(graph):
        if not module.startswith("labelling.criteria"):
            continue
        external = {
            m
            for m in graph.find_modules_directly_imported_by(module)
            if not m.startswith("labelling") and m not in sys.stdlib_module_names
        }
        allowed = {"yaml"} | ({"marshmallow"} if module == "labelling.criteria.schemas" else set())
        assert external <= allowed, (module, external)


def _modules_and_imports():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        yield name, path, ast.parse(path.read_text(), str(path))


def test_no_module_imports_a_private_name_of_another():
    known = {name for name, _path, _tree in _modules_and_imports()}
    borrowed = []
    for name, _path, tree in _modules_and_imports():
        modules = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("labelling"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in known:
                        modules[alias.asname or alias.name] = full
                    elif alias.name.startswith("_") and node.module != name:
                        borrowed.append(f"{name}:{node.lineno} {full}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                borrowed.append(f"{name}:{node.lineno} {modules[node.value.id]}.{node.attr}")
    assert borrowed == []


def test_no_module_is_too_long_to_read():
    long = {
        name: length
        for name, path, _tree in _modules_and_imports()
        if (length := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def _layer_names(contracts) -> set[str]:
    names = set()
    for layer in contracts["layers"]["layers"]:
        separator = "|" if "|" in layer else ":"
        names |= {part.strip() for part in layer.split(separator)}
    return names


def test_the_layers_name_every_package_and_top_level_module(graph, contracts):
    assert _layer_names(contracts) == {package_of(m) for m in ours(graph)}


def test_every_page_module_is_protected(graph, contracts):
    """A module of pages or forms added later is covered by the web contract too."""
    expressions = [ModuleExpression(e) for e in contracts["web-on-top"]["protected_modules"]]
    protected = set()
    for expression in expressions:
        if expression.has_wildcard_expression():
            protected |= set(graph.find_matching_modules(expression.expression))
        else:
            protected.add(expression.expression)
    pages = {
        module
        for module in ours(graph)
        if module.rsplit(".", 1)[-1].endswith(("views", "blueprint")) or module.endswith(".forms")
    }
    assert pages - protected == set()


def test_no_contract_ignores_an_import(contracts):
    assert [c["id"] for c in contracts.values() if c.get("ignore_imports")] == []
