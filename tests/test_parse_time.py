"""Snakemake parses the workflow before any rule's conda env exists: the Snakefile and the rule
files may import only the standard library, snakemake and PyYAML (a snakemake dependency),
directly or through the library. Checked statically (fast) and by a real `snakemake -n` in a
virtualenv holding only snakemake (created once, then reused from a cache folder)."""

import os
import subprocess
import sys
import venv
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.e2e.conftest import copy_workflow
from tests.import_closure import REPO, RULE_FILES, closure, snakefile_imports

PARSE_TIME_ALLOWED = {"snakemake", "yaml"}
# What the rules' envs provide and the parse must not need (a sample, for the venv's check).
HEAVY = ["pandas", "openpyxl", "Bio", "matplotlib", "scipy", "rispy", "markdown_it"]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "reviewflow"


@pytest.mark.parametrize("path", [REPO / "Snakefile", *RULE_FILES], ids=lambda p: p.name)
def test_rule_files_import_only_the_standard_library_snakemake_and_yaml(path):
    found = closure(snakefile_imports(path))
    assert found.third_party <= PARSE_TIME_ALLOWED, (
        f"{path.relative_to(REPO)} needs {sorted(found.third_party - PARSE_TIME_ALLOWED)} when "
        f"snakemake parses it (through {sorted(found.library)}); move that into a rule script "
        "or into the stdlib-only reviewflow.rule_inputs"
    )


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
