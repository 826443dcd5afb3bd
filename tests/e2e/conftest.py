"""End-to-end helpers: copy the workflow's committed inputs to a temporary directory and run
snakemake there, so that a test never writes into the repository."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What a fresh clone holds that the workflow reads (results/ and .snakemake/ are never copied).
WORKFLOW_PARTS = [
    "Snakefile", "workflow", "scripts", "config", "extraction", "resources", "envs", "versions",
]  # fmt: skip


def copy_workflow(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(
                src, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run snakemake in `workdir` with this interpreter; returns the completed process."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--directory", str(workdir), *args]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


@pytest.fixture
def workflow_dir(tmp_path: Path) -> Path:
    """A private copy of the workflow and its committed inputs."""
    return copy_workflow(tmp_path / "review")
