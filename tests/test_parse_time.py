"""Snakemake parses the workflow before any rule's conda env exists: the Snakefile and the rule
files may import only the standard library, snakemake and what snakemake itself requires
(PyYAML, jsonschema, ...), directly or through the library and workflow/lib. Checked statically
(fast) and by a real `snakemake -n` in a virtualenv holding only snakemake (created once, then
reused from a cache folder)."""

import os
import re
import subprocess
import sys
import venv
from importlib.metadata import requires, version
from pathlib import Path

import pytest

from tests.e2e.conftest import copy_workflow
from tests.import_closure import (
    REPO,
    RULE_FILES,
    closure,
    installed_distributions,
    snakefile_imports,
)

# What the rules' envs provide and the parse must not need (a sample, for the venv's check).
HEAVY = ["pandas", "openpyxl", "Bio", "matplotlib", "scipy", "rispy", "markdown_it"]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "reviewflow"


def snakemake_and_its_requirements() -> set[str]:
    """Distributions (lower case) installed wherever snakemake is: itself and what it requires."""
    names = {"snakemake"}
    for requirement in requires("snakemake") or []:
        if "extra ==" not in requirement:
            names.add(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-"))
    return names


def parse_time_outsiders(import_names: frozenset[str]) -> list[str]:
    """The imported top-level names that snakemake's installation does not provide."""
    allowed = snakemake_and_its_requirements()
    return sorted(
        name
        for name in import_names
        if not {d.lower().replace("_", "-") for d in installed_distributions().get(name, [])}
        & allowed
    )


@pytest.mark.parametrize("path", [REPO / "Snakefile", *RULE_FILES], ids=lambda p: p.name)
def test_rule_files_import_only_the_standard_library_and_snakemake_with_its_requirements(path):
    found = closure(snakefile_imports(path))
    outsiders = parse_time_outsiders(found.third_party)
    assert not outsiders, (
        f"{path.relative_to(REPO)} needs {outsiders} when snakemake parses it (through "
        f"{sorted(found.library)}); move that into a rule script or into a stdlib-only module "
        "(reviewflow.core.rule_inputs, reviewflow.core.version_index, workflow/lib/buildcheck.py)"
    )


def test_parse_time_check_refuses_what_snakemake_does_not_bring():
    assert parse_time_outsiders(frozenset({"yaml", "jsonschema", "snakemake"})) == []
    assert parse_time_outsiders(frozenset({"pandas", "Bio", "yaml"})) == ["Bio", "pandas"]


def snakemake_only_venv() -> Path:
    """The python of a virtualenv holding only snakemake (this run's version), made once under
    ~/.cache/reviewflow/; skips the test when pip cannot install it (offline, no wheels)."""
    snakemake_version = version("snakemake")
    python_version = f"{sys.version_info.major}{sys.version_info.minor}"
    home = CACHE / f"snakemake-only-{snakemake_version}-py{python_version}"
    python = home / "bin" / "python"
    if not (home / "complete").is_file():
        venv.create(home, clear=True, with_pip=True)
        proc = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"snakemake=={snakemake_version}"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if proc.returncode != 0:
            pytest.skip(f"could not install snakemake into {home}: {proc.stderr[-2000:]}")
        (home / "complete").write_text(snakemake_version + "\n")
    return python


@pytest.mark.venv
def test_dry_run_with_only_snakemake_installed(tmp_path):
    python = snakemake_only_venv()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    probe = "import importlib.util as u, sys; print([m for m in sys.argv[1:] if u.find_spec(m)])"
    held = subprocess.run(
        [str(python), "-c", probe, *HEAVY], capture_output=True, text=True, env=env, check=True
    )
    assert held.stdout.strip() == "[]", f"the venv is not bare: it holds {held.stdout}"
    workdir = copy_workflow(tmp_path / "review")
    proc = subprocess.run(
        [str(python), "-m", "snakemake", "-n", "--cores", "1", "--directory", str(workdir)],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, f"snakemake -n failed:\n{proc.stdout}\n{proc.stderr}"
    assert "This was a dry-run" in proc.stdout + proc.stderr
