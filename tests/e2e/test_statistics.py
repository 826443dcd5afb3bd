"""The statistics stage end to end: snakemake in a temporary copy of the workflow, on a
hand-made results/dataset/cases.csv (the dataset rules are not allowed to run)."""

import csv

import pytest

from tests.unit.statistics_cases import raw_cases

from .conftest import run_snakemake

RULES = ["statistics"]  # the whole stage is one job
FIGURES = ["levels", "symptoms", "treatments_outcomes", "case_overview"]
OUTPUTS = [
    "results/statistics/summary.tsv",
    "results/statistics/reconciliation.tsv",
    "results/statistics/reconciliation.md",
    "results/statistics/characteristics.md",
    "results/statistics/characteristics.xlsx",
    *[f"results/figures/{name}.{ext}" for name in FIGURES for ext in ("svg", "png")],
]


def place_dataset(workdir):
    """Four patients: three died (the article's 'three died' then matches)."""
    raw = raw_cases(
        4,
        sex=["male", "female", "male", "female"],
        age_years=[40, 50, 60, 70],
        level_thoracic="true",
        outcome_improved=["true", "true", "false", "false"],
        outcome_death=["true", "true", "true", "false"],
        outcome_no_improvement="false",
        outcome_recurrence="false",
        outcome_lost_to_follow_up="false",
    )
    raw["treatment_glucocorticoid"] = "true"
    raw.loc[0, "treatment_azathioprine"] = "true"
    path = workdir / "results" / "dataset" / "cases.csv"
    path.parent.mkdir(parents=True)
    raw.to_csv(path, index=False)
    extraction = workdir / "results" / "extraction" / "cases.tsv"  # the raw values, as typed
    extraction.parent.mkdir(parents=True)
    treatments = ["Glucocorticoids Andazathioprine"] + ["Glucocorticoid"] * 3
    lines = ["case_id\ttreatment"] + [f"C0{i}\t{t}" for i, t in enumerate(treatments, 1)]
    extraction.write_text("\n".join(lines) + "\n")
    quality = workdir / "results" / "appraisal" / "study_quality.tsv"  # no appraisal (C5)
    quality.parent.mkdir(parents=True)
    rows = [f"{study}\tnot_appraised\tnot appraised" for study in sorted(set(raw["study_id"]))]
    quality.write_text("\n".join(["study_id\tjudgement\treason", *rows]) + "\n")


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["item"]: row for row in csv.DictReader(handle, delimiter="\t")}


@pytest.mark.e2e
def test_statistics_stage_builds_every_output(workflow_dir):
    place_dataset(workflow_dir)
    run_snakemake(workflow_dir, *OUTPUTS, "--allowed-rules", *RULES)
    for output in OUTPUTS:
        assert (workflow_dir / output).stat().st_size > 0, output
    summary = read_tsv(workflow_dir / "results/statistics/summary.tsv")
    assert summary["n_cases"]["n"] == "4"
    assert summary["age"]["text"] == "55.00 ± 12.91"
    assert summary["improved"]["text"] == "2/4 (50.0%)"
    reconciliation = read_tsv(workflow_dir / "results/statistics/reconciliation.tsv")
    assert reconciliation["died"]["status"] == "match"
    assert reconciliation["n_cases"]["status"] == "differs"
    assert reconciliation["n_cases"]["recomputed"] == "4"
    assert reconciliation["other_organ_involvement"]["status"] == "not_derivable"
    assert "lost to follow-up" in reconciliation["lost_to_follow_up"]["note"]
    naive = "naive text count (a drug counted only where a word begins with its name)"
    assert naive in reconciliation["treatment_immunosuppressant"]["note"]
    assert (
        "C01 'Glucocorticoids Andazathioprine' -> 0/4"
        in reconciliation["treatment_immunosuppressant"]["note"]
    )
    markdown = (workflow_dir / "results/statistics/reconciliation.md").read_text()
    assert "## Section 4.6" in markdown
    assert (workflow_dir / "results/logs/statistics/statistics.log").read_text()


@pytest.mark.e2e
def test_a_bad_reported_results_file_stops_the_run_with_its_problems(workflow_dir):
    place_dataset(workflow_dir)
    reported = workflow_dir / "config" / "reported_results.yaml"
    text = reported.read_text()
    text = text.replace("    value: 150\n", "    value: a hundred and fifty\n")
    text = text.replace("  csf_protein_median:", "  csf_protein_medain:")
    reported.write_text(text)
    # the declared figures are computed first: the file is read before anything is written
    target = "results/statistics/summary.tsv"
    proc = run_snakemake(workflow_dir, target, "--allowed-rules", "statistics", check=False)
    assert proc.returncode != 0
    log = (workflow_dir / "results/logs/statistics/statistics.log").read_text()
    assert "2 problems, nothing was written" in log
    assert "item 'csf_cells_max': value: 'a hundred and fifty' is not of type 'number'" in log
    assert "item 'csf_protein_medain': no compute" in log
    assert "did you mean csf_protein_median?" in log
    assert not (workflow_dir / target).exists()
