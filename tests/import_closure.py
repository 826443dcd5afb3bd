"""Which third-party packages a rule needs: the import closure of its script over the library.

A rule's script (scripts/<rule>.py) imports library modules (scripts/reviewflow/...), which
import others; every import statement of every module reached counts, the ones inside functions
too (they run when the rule runs). The standard library is left out. Import names are mapped to
the distributions installed in the running interpreter (importlib.metadata), then to their
conda-forge names. Used by tests/test_envs.py and tests/test_parse_time.py; prints the table of
every rule when run:

    .venv/bin/python -m tests.import_closure
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
LIBRARY = "reviewflow"
# Modules of the workflow's own that the Snakefile puts on sys.path (parse-time helpers).
WORKFLOW_LIB = REPO / "workflow" / "lib"
RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))
# conda-forge names of distributions whose name there differs from PyPI's (lower case)
PYPI_TO_CONDA = {"matplotlib": "matplotlib-base"}
IMPORT_LINE = re.compile(r"^\s*(?:import|from)\s+[\w.]+")


def imported_names(source: str, module: str | None = None) -> set[str]:
    """Every module name `source` imports (absolute; `from a import b` gives `a` and `a.b`).
    `module` is the dotted name of the source's module, to resolve relative imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = (module or "").split(".")[: -node.level]
                base = ".".join([*package, *([node.module] if node.module else [])])
            if base:
                names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return names


def library_file(name: str) -> Path | None:
    """The file of library module `name` (reviewflow.x or reviewflow.x.y, or a module of
    workflow/lib), None if not one."""
    root = SCRIPTS if name.split(".")[0] == LIBRARY else WORKFLOW_LIB
    path = root.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_name(path: Path) -> str:
    root = WORKFLOW_LIB if path.is_relative_to(WORKFLOW_LIB) else SCRIPTS
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@dataclass(frozen=True)
class Closure:
    third_party: frozenset[str]  # top-level import names outside the standard library
    library: frozenset[str]  # library (and workflow/lib) modules reached (dotted names)


def closure(names: set[str]) -> Closure:
    """Everything that importing `names` imports, transitively through the library."""
    third_party: set[str] = set()
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        top = name.split(".")[0]
        if top == "__future__" or top in sys.stdlib_module_names:
            continue
        if top != LIBRARY and library_file(top) is None:
            third_party.add(top)
            continue
        parts = name.split(".")
        # a package's __init__ runs before any of its modules
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            path = library_file(prefix)
            if path is None or prefix in seen:
                continue
            seen.add(prefix)
            todo.extend(imported_names(path.read_text(encoding="utf-8"), module_name(path)))
    return Closure(frozenset(third_party), frozenset(seen))


@cache
def file_closure(path: Path) -> Closure:
    """The closure of a Python script (scripts/<rule>.py)."""
    return closure(imported_names(path.read_text(encoding="utf-8")))


def snakefile_imports(path: Path) -> set[str]:
    """The module names a Snakefile or rule file imports (its import statements, wherever they
    are: at the top level, in functions or in `run:` blocks)."""
    statements, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if IMPORT_LINE.match(lines[i]):
            statement = lines[i].strip()
            while statement.count("(") > statement.count(")") or statement.endswith("\\"):
                i += 1
                statement = statement.rstrip("\\") + " " + lines[i].strip()
            statements.append(statement)
        i += 1
    return imported_names("\n".join(statements))


@cache
def installed_distributions() -> dict[str, list[str]]:
    return packages_distributions()


def distribution(import_name: str) -> str:
    """The conda-forge name of the installed distribution that provides `import_name`."""
    dists = installed_distributions().get(import_name)
    if not dists:
        raise LookupError(f"no installed distribution provides the module {import_name!r}")
    pypi = dists[0].lower().replace("_", "-")
    return PYPI_TO_CONDA.get(pypi, pypi)


@dataclass(frozen=True)
class Rule:
    name: str
    rule_file: str
    script: Path | None  # scripts/<rule>.py
    env: Path | None  # envs/<stage>.yaml


def rules() -> list[Rule]:
    """Every rule of workflow/rules/*.smk with its script and conda env (as written there)."""
    found = []
    for path in RULE_FILES:
        text = path.read_text(encoding="utf-8")
        starts = list(re.finditer(r"^\s*rule (\w+):", text, flags=re.M))
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            body = text[match.end() : end]
            script = re.search(r"^\s+script:\s*\n?\s*\"([^\"]+)\"", body, flags=re.M)
            conda = re.search(r"^\s+conda:\s*\n?\s*\"([^\"]+)\"", body, flags=re.M)
            found.append(
                Rule(
                    name=match.group(1),
                    rule_file=path.name,
                    script=(path.parent / script.group(1)).resolve() if script else None,
                    env=(path.parent / conda.group(1)).resolve() if conda else None,
                )
            )
    return found


@cache
def env_dependencies(env: Path) -> dict[str, str]:
    """conda-forge name -> version spec of a conda env file (its pip section too)."""
    deps = {}
    for entry in yaml.safe_load(env.read_text(encoding="utf-8"))["dependencies"]:
        entries = entry["pip"] if isinstance(entry, dict) else [entry]
        for item in entries:
            match = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", str(item))
            deps[match.group(1).lower()] = match.group(2).replace(" ", "")
    return deps


def rule_packages(rule: Rule) -> set[str]:
    """The conda-forge names of the distributions a rule's script needs."""
    return {distribution(name) for name in file_closure(rule.script).third_party}


def table() -> str:
    """Markdown table: rule, env, packages its script's closure needs."""
    lines = ["| rule | env | packages (import closure) |", "| --- | --- | --- |"]
    for rule in rules():
        env = rule.env.relative_to(REPO).as_posix() if rule.env else "-"
        packages = ", ".join(sorted(rule_packages(rule))) if rule.script else "(no script)"
        lines.append(f"| {rule.name} | {env} | {packages} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
