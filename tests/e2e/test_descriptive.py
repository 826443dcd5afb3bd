"""The descriptive table, the characteristics table with its sensitivity columns and a declared
figure, end to end: snakemake in a temporary copy of the workflow, on a hand-made
results/dataset/cases.csv with a pair of possible duplicates and an appraisal table."""

import csv

import pytest

from tests.unit.statistics_cases import raw_cases

from .conftest import run_snakemake

RULES = ["statistics"]  # the whole stage is one job
OUTPUTS = [
    "results/statistics/descriptive.tsv",
    "results/statistics/descriptive.md",
    "results/statistics/descriptive.xlsx",
    "results/statistics/characteristics.md",
    "results/figures/levels.svg",
]


def place_dataset(workdir, appraisal: bool = True):
    """Five patients; C05 may duplicate C01 (published later); study S02 judged `exclude`."""
    raw = raw_cases(
        5,
        sex=["male", "female", "male", "female", "male"],
        age_years=[40, 50, 60, 70, 41],
        year=["2015", "2018", "2019", "2020", "2021"],
        level_thoracic="true",
        serum_igg4=["elevated", "normal", "elevated", "not_reported", "elevated"],
        possible_duplicate_of=["C05", "", "", "", "C01"],
    )
    path = workdir / "results" / "dataset" / "cases.csv"
    path.parent.mkdir(parents=True)
    raw.to_csv(path, index=False)
    # the raw values, as typed (read by the summary of the same job)
    extraction = workdir / "results" / "extraction" / "cases.tsv"
    extraction.parent.mkdir(parents=True)
    lines = ["case_id\ttreatment"] + [f"C0{i}\tGlucocorticoid" for i in range(1, 6)]
    extraction.write_text("\n".join(lines) + "\n")
    if appraisal:
        quality = workdir / "results" / "appraisal" / "study_quality.tsv"
        quality.parent.mkdir(parents=True)
        rows = ["study_id\tjudgement\treason", "S01\tinclude\t", "S02\texclude\tno diagnosis"]
        rows += [f"S0{i}\tinclude\t" for i in range(3, 6)]
        quality.write_text("\n".join(rows) + "\n")


@pytest.mark.e2e
def test_descriptive_and_characteristics_with_sensitivity_columns(workflow_dir):
    place_dataset(workflow_dir)
    run_snakemake(workflow_dir, *OUTPUTS, "--allowed-rules", *RULES)
    with open(workflow_dir / OUTPUTS[0], encoding="utf-8", newline="") as handle:
        rows = {(r["variable"], r["category"]): r for r in csv.DictReader(handle, delimiter="\t")}
    age = rows[("age_years", "")]
    assert (age["statistic"], age["value"], age["n_reported"], age["not_reported"]) == (
        "mean_sd",
        "52.20 ± 12.81",
        "5",
        "0",
    )
    assert age["value_without_duplicates"] == "55.00 ± 12.91"  # C05 (2021) left out
    assert age["value_without_low_quality"] == "52.75 ± 14.73"  # C02 (S02, exclude) left out
    elevated = rows[("serum_igg4", "elevated")]
    assert (elevated["value"], elevated["n_reported"], elevated["not_reported"]) == (
        "3 (75.0%)",
        "4",
        "1",
    )
    assert ("serum_igg4", "not_reported") not in rows
    assert ("case_id", "") not in rows and ("workbook_row", "") not in rows
    characteristics = (workflow_dir / "results/statistics/characteristics.md").read_text()
    assert "Without likely duplicate patients (n = 4)" in characteristics
    assert "Without studies judged low quality (n = 4)" in characteristics
    assert "C05 (2021; kept C01, 2015)" in characteristics
    assert "left out 1 patients of 1 studies judged exclude (S02)" in characteristics
    assert "Spinal levels involved (n = 5;" in (workflow_dir / OUTPUTS[-1]).read_text()


@pytest.mark.e2e
def test_a_bad_analysis_file_stops_the_run_with_every_problem_located(workflow_dir):
    place_dataset(workflow_dir)  # the appraisal stage's study_quality.tsv is an input
    analysis = workflow_dir / "config" / "analysis.yaml"
    text = analysis.read_text()
    text = text.replace("count: sex, value: male}", "count: sex, value: man}")
    text = text.replace("summary: age_years}", "summary: age_yaers}")
    analysis.write_text(text)
    target = "results/statistics/characteristics.md"
    proc = run_snakemake(workflow_dir, target, "--allowed-rules", "statistics", check=False)
    assert proc.returncode != 0
    log = (workflow_dir / "results/logs/statistics/statistics.log").read_text()
    assert (
        "config/analysis.yaml: characteristics.groups[0].rows[0].value: 'man': not a value of "
        "sex: one of male, female" in log
    )
    assert (
        "config/analysis.yaml: characteristics.groups[0].rows[2].summary: 'age_yaers': no such "
        "dataset column or named condition (did you mean age_years?)" in log
    )
    assert not (workflow_dir / target).exists()
