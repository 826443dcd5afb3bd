"""End to end (issue 12): a built review met with bad inputs. Each step names the input it breaks
and the exact message the console ends with; a failed build is never reported as a good one,
and a workbook saved again without a change, or the folder copied elsewhere, rebuilds nothing."""

import base64
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import run_snakemake

RULE = "=" * 78
STALE_MARK = "Out of date: the build of"


def console_end(proc, lines: int) -> list[str]:
    """The last lines of the console, without snakemake's own closing lines."""
    text = (proc.stdout + proc.stderr).splitlines()
    end = next(i for i in range(len(text) - 1, -1, -1) if text[i] == RULE)
    return text[end - lines + 1 : end + 1]


def bannered_pages(review: Path) -> list[str]:
    """The HTML pages under results/ that carry the out-of-date banner."""
    return [
        str(page.relative_to(review))
        for page in (review / "results").rglob("*.html")
        if page.name != "report.html" and STALE_MARK in page.read_text(encoding="utf-8")
    ]


def report_pages(report: Path) -> dict[str, str]:
    """The HTML pages embedded in a `snakemake --report` file (base64 data URIs), by file name."""
    text = report.read_text(encoding="utf-8")
    found = re.finditer(
        r"data:text/html;[^,\"]*?filename=([^;,\"]+);base64,([A-Za-z0-9+/=]+)", text
    )
    return {m.group(1): base64.b64decode(m.group(2)).decode("utf-8") for m in found}


def planned_jobs(proc) -> set[str]:
    """The rules a dry run would run (its "Job stats" table)."""
    lines = proc.stdout.splitlines()
    start = lines.index("Job stats:") + 3
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("total"))
    return {line.split()[0] for line in lines[start:end]}


def parse_error(proc) -> list[str]:
    return (proc.stdout + proc.stderr).strip().splitlines()[-2:]


@pytest.mark.e2e
def test_bad_inputs_against_a_built_review(workflow_dir):
    run_snakemake(workflow_dir)
    state_file = workflow_dir / "results" / "run_state.json"
    assert json.loads(state_file.read_text())["state"] == "succeeded"
    run_snakemake(workflow_dir, "--report", "results/report.html")

    # the built folder copied elsewhere (a colleague's copy, a moved folder): nothing to rebuild;
    # the workflow's own files are its inputs by paths relative to the folder
    elsewhere = shutil.copytree(
        workflow_dir, workflow_dir.parent / "moved" / "review", symlinks=True
    )
    assert "Nothing to be done" in run_snakemake(elsewhere, "--dry-run").stdout
    shutil.rmtree(elsewhere)

    # extraction/cases.xlsx saved again without a change: nothing to rebuild
    workbook = workflow_dir / "extraction" / "cases.xlsx"
    before = workbook.read_bytes()
    time.sleep(1.1)
    load_workbook(workbook).save(workbook)
    assert workbook.read_bytes() != before
    assert "Nothing to be done" in run_snakemake(workflow_dir, "--dry-run").stdout

    # a build that fails in a rule banners the pages it did not remake (here also those made from
    # the workbook saved again); once fixed, a green build leaves no page bannered, nor the report
    reported = workflow_dir / "config" / "reported_results.yaml"
    declared = reported.read_text(encoding="utf-8")
    reported.write_text(
        declared.replace("{column: sex, equals: male}", "{column: sexe, equals: male}", 1)
    )
    assert run_snakemake(workflow_dir, check=False).returncode != 0
    assert bannered_pages(workflow_dir) != []
    reported.write_text(declared, encoding="utf-8")
    run_snakemake(workflow_dir)
    assert bannered_pages(workflow_dir) == []
    run_snakemake(workflow_dir, "--report", "results/report.html")
    embedded = report_pages(workflow_dir / "results" / "report.html")
    assert "cases.html" in embedded and len(embedded) > 10
    assert [name for name, page in embedded.items() if STALE_MARK in page] == []

    # a patient's cell edited: what follows the extraction re-runs, never the search, the
    # deduplication, the screening or the appraisal (the studies sheet is the same; issue 21),
    # nor the PRISMA diagram (the same patients of the same studies)
    book = load_workbook(workbook)
    book["cases"]["F2"] = 38
    book.save(workbook)
    jobs = planned_jobs(run_snakemake(workflow_dir, "--dry-run"))
    assert {"dataset_harmonise", "statistics"} <= jobs
    assert "living" in jobs  # What's new compares the patients with version 1
    assert not jobs & {"search", "dedup", "screening", "appraisal"}
    assert "prisma" not in jobs
    # a patient's study id edited, or a patient added: the diagram counts them again
    book["cases"]["B2"] = "S02"
    book.save(workbook)
    assert "prisma" in planned_jobs(run_snakemake(workflow_dir, "--dry-run"))
    book["cases"]["B2"] = "S01"
    book["cases"]["A57"] = "C56"
    book.save(workbook)
    assert "prisma" in planned_jobs(run_snakemake(workflow_dir, "--dry-run"))
    book["cases"]["A57"] = None
    book.save(workbook)
    assert "prisma" not in planned_jobs(run_snakemake(workflow_dir, "--dry-run"))
    # a study's cell edited: deduplication and screening (they match the included studies) too
    book["studies"]["D2"] = "A title of the first study"
    book.save(workbook)
    assert {"dedup", "screening", "appraisal", "prisma"} <= planned_jobs(
        run_snakemake(workflow_dir, "--dry-run")
    )
    workbook.write_bytes(before)
    assert "Nothing to be done" in run_snakemake(workflow_dir, "--dry-run").stdout

    # config/config.yaml: a second normality_alpha, then a typo: located, at parse time
    config = workflow_dir / "config" / "config.yaml"
    original = config.read_text(encoding="utf-8")
    lines = original.splitlines()
    at = next(n for n, line in enumerate(lines, 1) if line.startswith("  normality_alpha:"))
    second = "  normality_alpha: 0.5\n  normality_alpha:"
    config.write_text(original.replace("  normality_alpha:", second))
    proc = run_snakemake(workflow_dir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert parse_error(proc) == [
        "The configuration cannot be used: 1 problem:",
        f"  config/config.yaml:{at + 1}:3: key 'normality_alpha' given twice (first at line "
        f"{at}): each key may appear once in a mapping",
    ]
    config.write_text(original.replace("  overlap_days:", "  overlap_day:"))
    proc = run_snakemake(workflow_dir, "--dry-run", check=False)
    typo = next(n for n, line in enumerate(lines, 1) if line.startswith("  overlap_days:"))
    assert parse_error(proc)[-1] == (
        f"  config/config.yaml:{typo}: search.overlap_day: unknown key (did you mean "
        "overlap_days?); allowed here: csv_columns, exports, overlap_days, pubmed, windows_dir"
    )
    config.write_text(original)

    # extraction/codebook.yaml deleted from the built tree: named, not "Nothing to be done"
    codebook = workflow_dir / "extraction" / "codebook.yaml"
    kept = codebook.read_bytes()
    codebook.unlink()
    proc = run_snakemake(workflow_dir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert parse_error(proc) == [
        "A file the review is made from is missing: 1 problem:",
        "  extraction/codebook.yaml: missing (read by dataset_harmonise, extraction_template, "
        "living, statistics): restore it (git checkout -- "
        "extraction/codebook.yaml) or correct its path in config/config.yaml",
    ]
    codebook.write_bytes(kept)

    # a bad workbook cell: the build fails, its console ends with the located problem
    book = load_workbook(workbook)
    header = [cell.value for cell in book["cases"][1]]
    book["cases"].cell(row=2, column=header.index("sex") + 1).value = "Mle"
    book.save(workbook)
    proc = run_snakemake(workflow_dir, check=False)
    assert proc.returncode != 0
    assert console_end(proc, 5) == [
        RULE,
        "The build stopped on problems in the review's files:",
        "extraction/cases.xlsx: 1 problem, nothing was written:",
        "  cases!E2: 'Mle': sex is not an allowed value: one of Male, Female, ND",
        RULE,
    ]
    state = json.loads(state_file.read_text())
    assert state["state"] == "failed"
    # the job that read the workbook left nothing (Snakemake removes a failed job's files); a page
    # that the jobs after it would have rewritten says it is out of date
    assert not (workflow_dir / "results" / "dataset" / "cases.csv").exists()
    page = (workflow_dir / "results" / "statistics" / "summary.html").read_text(encoding="utf-8")
    assert "Out of date: the build of" in page
    proc = run_snakemake(workflow_dir, "--report", "results/report.html", check=False)
    assert proc.returncode != 0
    assert parse_error(proc) == [
        "No report made: 1 problem:",
        f"  results/run_state.json: the last build failed ({state['finished_utc']}): fix what "
        "it reported and run snakemake --cores 4 again",
    ]
