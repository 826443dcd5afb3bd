"""Build step only (the metadata is in pyproject.toml): the workflow itself (Snakefile,
workflow/, the rules' adapters scripts/*.py, envs/, the shipped appraisal checklists) is copied
into the wheel as reviewflow/_workflow/, so that a non-editable `pip install .` can run a review
folder (`reviewflow new-review`; reviewflow.deployment.workflow_root finds it). The repository
keeps its layout; an editable install uses the checkout itself."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# What the workflow reads of its own, relative to the repository root (reviewflow.deployment).
WORKFLOW_PARTS = ["Snakefile", "workflow", "envs", "config/appraisal"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildWithWorkflow(build_py):
    """build_py, then the workflow's files copied into reviewflow/_workflow/ of the build."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs the checkout's own files
        dest = Path(self.build_lib) / "reviewflow" / "_workflow"
        shutil.rmtree(dest, ignore_errors=True)
        for part in WORKFLOW_PARTS:
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, dest / part, ignore=IGNORED)
            else:
                (dest / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / part)
        (dest / "scripts").mkdir(parents=True, exist_ok=True)
        for adapter in sorted((ROOT / "scripts").glob("*.py")):
            shutil.copy2(adapter, dest / "scripts" / adapter.name)


setup(cmdclass={"build_py": BuildWithWorkflow})
