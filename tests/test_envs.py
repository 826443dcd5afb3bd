"""Each rule's conda env (envs/*.yaml) holds what its script imports, directly or through the
library, and nothing its rules do not need, pinned to the versions these tests run with."""

import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.import_closure import (
    PYPI_TO_CONDA,
    REPO,
    closure,
    distribution,
    env_dependencies,
    file_closure,
    imported_names,
    rule_packages,
    rules,
    snakefile_imports,
)

CONDA_TO_PYPI = {conda: pypi for pypi, conda in PYPI_TO_CONDA.items()}
RULES = rules()


def test_the_closure_follows_library_imports_transitively(tmp_path):
    # prisma.py -> reviewflow.prisma.outputs -> reviewflow.report.pages -> markdown_it
    # (the env once lacked it)
    found = file_closure(REPO / "scripts" / "prisma.py")
    assert {
        "reviewflow.prisma.outputs",
        "reviewflow.report.pages",
        "reviewflow.core.io",
    } <= found.library
    assert {"markdown_it", "matplotlib", "pandas", "yaml"} <= found.third_party
    assert "json" not in found.third_party  # the standard library is left out


def test_imported_names_reads_every_form_of_import():
    source = (
        "import a.b\nfrom c import d\nfrom . import e\nfrom .f import g\ndef h():\n    import i\n"
    )
    assert imported_names(source, "pkg.mod") == {
        "a.b",
        "c",
        "c.d",
        "pkg",
        "pkg.e",
        "pkg.f",
        "pkg.f.g",
        "i",
    }


def test_snakefile_imports_reads_multi_line_imports(tmp_path):
    rule_file = tmp_path / "x.smk"
    rule_file.write_text(
        "from reviewflow.core.rule_inputs import (\n    new_window,\n    stored_windows,\n)\n"
        "rule a:\n    run:\n        import pandas\n"
    )
    assert {"reviewflow.core.rule_inputs", "pandas"} <= snakefile_imports(rule_file)
    assert "pandas" in closure(snakefile_imports(rule_file)).third_party


def test_the_scripts_and_envs_rules_name_exist():
    # (that every rule has a conda env is checked by tests/test_project.py; the imports of a
    # `run:` block, which runs in snakemake's own process, by tests/test_parse_time.py)
    problems = [
        f"{r.rule_file}: rule {r.name}: {path} not found"
        for r in RULES
        for path in (r.script, r.env)
        if path and not Path(path).is_file()
    ]
    assert [r for r in RULES if r.script], "no rule with a script found: is the parser broken?"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_env_covers_the_import_closure_of_the_rule_script(rule):
    if not (rule.script and rule.env and rule.env.is_file()):
        pytest.skip("a rule without a script or without a conda env")
    missing = rule_packages(rule) - set(env_dependencies(rule.env))
    assert not missing, (
        f"rule {rule.name} ({rule.script.relative_to(REPO)}) imports {sorted(missing)}, "
        f"missing from {rule.env.relative_to(REPO)}"
    )


def test_envs_hold_only_what_their_rules_import():
    needed: dict[Path, set[str]] = {}
    for rule in RULES:
        if rule.script and rule.env:
            needed.setdefault(rule.env, set()).update(rule_packages(rule))
    problems = [
        f"{env.relative_to(REPO)}: {name} is imported by none of its rules' scripts"
        for env, packages in sorted(needed.items())
        for name in sorted(set(env_dependencies(env)) - packages - {"python"})
    ]
    unused = set((REPO / "envs").glob("*.yaml")) - set(needed)
    problems += [f"{env.relative_to(REPO)}: used by no rule" for env in sorted(unused)]
    assert not problems, "\n".join(problems)


def test_envs_are_pinned_to_the_versions_the_tests_run_with():
    python = f"={sys.version_info.major}.{sys.version_info.minor}"
    problems = []
    for env in sorted((REPO / "envs").glob("*.yaml")):
        for name, spec in env_dependencies(env).items():
            if name == "python":
                wanted = python
            else:
                wanted = "==" + version(CONDA_TO_PYPI.get(name, name))
            if spec != wanted:
                problems.append(f"{env.relative_to(REPO)}: {name} {spec!r}, tests run {wanted!r}")
    assert not problems, (
        "\n".join(problems) + "\n(update the pins: `.venv/bin/python -m tests.import_closure` "
        "lists what each rule needs)"
    )


def test_distribution_names_are_conda_forge_names():
    assert distribution("yaml") == "pyyaml"
    assert distribution("Bio") == "biopython"
    assert distribution("markdown_it") == "markdown-it-py"
    assert distribution("matplotlib") == "matplotlib-base"


def test_envs_pins_are_the_constraints_the_tests_install_with():
    """constraints.txt (pip -c in README's commands and .ci/run) and the envs pin one version."""
    pinned = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, number = line.partition("==")
            pinned[name.lower()] = number
    problems = []
    for env in sorted((REPO / "envs").glob("*.yaml")):
        for name, spec in env_dependencies(env).items():
            if name == "python":
                continue
            wanted = pinned.get(CONDA_TO_PYPI.get(name, name).lower())
            if spec != f"=={wanted}":
                problems.append(
                    f"{env.relative_to(REPO)}: {name} {spec!r}, constraints.txt {wanted}"
                )
    assert not problems, "\n".join(problems)
