"""The e2e harness itself: the workflow copy is complete and snakemake runs in it."""

import pytest

from tests.e2e.conftest import run_snakemake


@pytest.mark.e2e
def test_workflow_copy_lints_and_dry_runs(workflow_dir):
    assert (workflow_dir / "Snakefile").is_file()
    assert (workflow_dir / "config" / "config.yaml").is_file()
    run_snakemake(workflow_dir, "--dry-run")
