"""The library's layout (ARCHITECTURE.md): one package per stage plus `core`, no import cycles
between modules or between packages, `core` depending on no stage, and one owner for each
shared concept."""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[1] / "scripts" / "reviewflow"
PACKAGES = {
    "core",
    "search",
    "dedup",
    "screening",
    "extraction",
    "appraisal",
    "dataset",
    "statistics",
    "prisma",
    "report",
    "living",
}
TOP_LEVEL_MODULES = {"__init__", "cli", "new_review", "deployment", "review_check"}  # commands
# shared concept -> the module that owns it (defined there, and nowhere else)
OWNERS = {
    "RECORD_COLUMNS": "reviewflow.core.records",
    "normalise_doi": "reviewflow.core.records",
    "STUDY_COLUMNS": "reviewflow.core.studies",
    "read_studies": "reviewflow.core.studies",
    "read_first_version": "reviewflow.core.first_version",
    "read_yaml": "reviewflow.core.yamlfile",
    "InputProblems": "reviewflow.core.errors",
    "atomic_write": "reviewflow.core.io",
    "markdown_text": "reviewflow.core.markup",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(LIBRARY.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_modules() -> dict[str, Path]:
    return {module_name(p): p for p in LIBRARY.rglob("*.py") if "starter" not in p.parts}


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The library modules `path` imports, wherever the import statement is (inside a function
    too: a deferred import still makes a cycle), except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    modules = library_modules()
    return {name: imports_of(path, set(modules)) - {name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target, [*path, target])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in PACKAGES) else ""


def package_graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for module, targets in import_graph().items():
        for target in targets:
            a, b = package_of(module), package_of(target)
            if a and b and a != b:
                graph[a].add(b)
    return graph


def test_find_cycle_finds_a_known_cycle_and_none_in_a_chain():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_between_library_modules():
    assert find_cycle(import_graph()) is None


def test_no_import_cycle_between_packages_and_core_depends_on_no_stage():
    graph = package_graph()
    assert find_cycle(graph) is None
    assert graph.get("core", set()) == set()


def test_every_module_lives_in_a_stage_package_or_core():
    top = {p.stem for p in LIBRARY.glob("*.py")}
    assert top == TOP_LEVEL_MODULES
    packages = {p.parent.name for p in LIBRARY.glob("*/__init__.py")}
    assert packages == PACKAGES
    for package in PACKAGES:  # each says what it holds
        assert ast.get_docstring(ast.parse((LIBRARY / package / "__init__.py").read_text()))


@pytest.mark.parametrize("name", sorted(OWNERS))
def test_each_shared_concept_has_one_owner(name):
    defined_in = []
    for module, path in library_modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = (
                [node.name]
                if isinstance(node, ast.FunctionDef | ast.ClassDef)
                else [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
                + (
                    [node.target.id]
                    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    else []
                )
            )
            if name in targets:
                defined_in.append(module)
    assert defined_in == [OWNERS[name]]


ADAPTERS = sorted((LIBRARY.parent).glob("*.py"))
# its errors are the network's: it handles them itself (nothing stored, folder removed)
OWN_ERROR_HANDLING = {"search_fetch_pubmed.py"}


def test_no_adapter_hides_a_standard_library_module():
    """scripts/ is on the path of a plain checkout's jobs: scripts/statistics.py would be imported
    for the standard library's statistics (frictionless imports it)."""
    assert [p.name for p in ADAPTERS if p.stem in sys.stdlib_module_names] == []


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda p: p.name)
def test_every_adapter_has_one_style(adapter):
    """A flat script over the `snakemake` object: its log started first, the work inside the
    shared problem handling, no `main` of its own."""
    tree = ast.parse(adapter.read_text(encoding="utf-8"))
    statements = [node for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom)]
    calls = [ast.unparse(node) for node in statements if isinstance(node, ast.Expr)]
    assert any(call.startswith("start_rule_log(snakemake.log[0]") for call in calls)
    assert "main" not in {node.name for node in statements if isinstance(node, ast.FunctionDef)}
    if adapter.name not in OWN_ERROR_HANDLING:
        withs = [
            ast.unparse(node.items[0].context_expr)
            for node in ast.walk(tree)
            if isinstance(node, ast.With)
        ]
        assert "stop_on_input_problems()" in withs
