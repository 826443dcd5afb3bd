"""Where the workflow's own files are, for a review folder that deploys it (standard library only:
a review folder's Snakefile imports this while snakemake reads it).

A review folder made by `reviewflow new-review` holds a Snakefile that uses the installed workflow
as a Snakemake module (the convention snakedeploy follows); it asks `workflow_snakefile()` for
the path, so nobody types it. In a checkout or an editable install the workflow is the
repository itself; a non-editable install carries a copy in ``reviewflow/_workflow/`` (setup.py
puts it there: Snakefile, workflow/, the rules' adapters scripts/*.py, envs/, config/appraisal/).
"""

from __future__ import annotations

from pathlib import Path

from reviewflow import __version__

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parents[1]  # <repo>/scripts/reviewflow -> <repo>
PACKAGED = PACKAGE / "_workflow"
# The workflow's onstart/onsuccess/onerror handlers (workflow/rules/runstate.smk puts them here):
# Snakemake runs a module's handlers only when it is the main Snakefile, so a review folder's
# Snakefile calls these itself.
HANDLERS: dict = {}


def is_workflow_root(folder: Path) -> bool:
    """True when `folder` holds the workflow's Snakefile and rule files."""
    return (folder / "Snakefile").is_file() and (folder / "workflow" / "rules").is_dir()


def workflow_root() -> Path:
    """The folder holding the workflow's Snakefile, workflow/, scripts/ and envs/: the checkout
    this library runs from (editable install), else the copy shipped in the package."""
    for folder in (CHECKOUT, PACKAGED):
        if is_workflow_root(folder):
            return folder
    raise FileNotFoundError(
        f"reviewflow {__version__}: the workflow's files are neither beside the library "
        f"({CHECKOUT}) nor in the package ({PACKAGED}); reinstall reviewflow "
        "(pip install reviewflow, or pip install . from its repository)"
    )


def workflow_snakefile() -> Path:
    """The installed workflow's Snakefile (what a review folder's Snakefile uses as a module)."""
    return workflow_root() / "Snakefile"


def reviewflow_version() -> str:
    """The version of reviewflow that makes a build (recorded in results/run_state.json and on
    the report's first page)."""
    return __version__


def run_handler(name: str, log) -> None:
    """Call the workflow's handler `name` (onstart, onsuccess, onerror), if it registered one."""
    handler = HANDLERS.get(name)
    if handler is not None:
        handler(log)
