"""End to end: critical appraisal. The committed review has no appraisal: every study is
not_appraised and the methods say so. Two declared appraisers fill in their generated workbooks;
an answer outside the drop-down stops the build, located; a conflict leaves its study
not_appraised until the adjudication file settles it; then the appraisal table, the figure,
study_quality.tsv and the report pages (one job, rule appraisal) follow the declared rule, and
the characteristics table's low-quality sensitivity column leaves out the patient of the study
judged exclude."""

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from tests.e2e.conftest import run_snakemake

APPRAISAL = "results/appraisal"
TARGETS = [
    f"{APPRAISAL}/appraisal.tsv",
    f"{APPRAISAL}/study_quality.tsv",
    f"{APPRAISAL}/traffic_light.png",
    f"{APPRAISAL}/methods.md",
    "results/statistics/characteristics.md",
]


def read_tsv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def fill(template, target, answers: dict[str, list[str]]) -> None:
    """Answer the studies of `answers` (study_id -> 8 answers) in a copy of the template."""
    book = load_workbook(template)
    sheet = book["appraisal"]
    for row in range(2, sheet.max_row + 1):
        study = sheet.cell(row=row, column=1).value
        for offset, answer in enumerate(answers.get(study, [])):
            sheet.cell(row=row, column=5 + offset).value = answer
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


@pytest.mark.e2e
def test_no_appraisal_then_two_appraisers_conflict_adjudication_judgements(workflow_dir):
    run_snakemake(workflow_dir, *TARGETS, "results/templates/appraisal_template.xlsx")
    results = workflow_dir / APPRAISAL
    quality = read_tsv(results / "study_quality.tsv")
    assert len(quality) == 50 and set(quality["judgement"]) == {"not_appraised"}
    assert "none of the 50 included studies is appraised" in (results / "methods.md").read_text()
    characteristics = (workflow_dir / "results/statistics/characteristics.md").read_text()
    assert "no appraisal exists (all 50 studies not_appraised): every patient" in characteristics

    config_path = workflow_dir / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["appraisal"]["appraisers"] = ["ana", "ben"]
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    run_snakemake(workflow_dir, "results/templates/appraisal_ana.xlsx")
    template = workflow_dir / "results" / "templates" / "appraisal_ana.xlsx"
    sheet = load_workbook(template)["appraisal"]
    assert [c.value for c in sheet[1]][:5] == ["study_id", "first_author", "year", "title", "Q1"]
    assert sheet.max_row == 51 and sheet["A2"].value == "S01"
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.formula1]
    assert '"Yes,No,Unclear,Not applicable"' in lists

    yes, poor = ["Yes"] * 8, ["No"] * 4 + ["Yes"] * 4
    ana = {"S01": yes, "S02": ["No", "Unclear"] + ["Yes"] * 6, "S03": poor}
    ben = {"S01": yes, "S02": ["No", "Yes"] + ["Yes"] * 6, "S03": ["Maybe"] + poor[1:]}
    folder = workflow_dir / "extraction" / "appraisal"
    fill(template, folder / "ana.xlsx", ana)
    fill(template, folder / "ben.xlsx", ben)
    proc = run_snakemake(workflow_dir, *TARGETS, check=False)
    assert proc.returncode != 0
    assert (
        "extraction/appraisal/ben.xlsx: appraisal!E4: 'Maybe': Q1 is not an allowed value: "
        "one of Yes, No, Unclear, Not applicable" in proc.stdout + proc.stderr
    )

    ben["S03"] = poor
    fill(template, folder / "ben.xlsx", ben)
    run_snakemake(workflow_dir, *TARGETS)
    table = read_tsv(results / "appraisal.tsv").set_index("study_id")
    assert table.loc["S01", "status"] == "appraised" and table.loc["S01", "judgement"] == "include"
    assert table.loc["S02", "status"] == "in_conflict"
    assert table.loc["S02", "judgement"] == "not_appraised"
    assert table.loc["S04", "status"] == "not_appraised"
    conflicts = read_tsv(results / "conflicts.tsv")
    assert list(
        zip(conflicts["study_id"], conflicts["item"], conflicts["status"], strict=True)
    ) == [("S02", "Q2", "open")]

    (folder / "adjudication.tsv").write_text(
        "study_id\titem\tanswer\treviewer\tnote\nS02\tQ2\tUnclear\tcarla\tno timeline given\n"
    )
    run_snakemake(workflow_dir, *TARGETS)
    quality = read_tsv(results / "study_quality.tsv").set_index("study_id")
    assert quality.loc["S02", "judgement"] == "include_with_caution"
    assert quality.loc["S02", "reason"].startswith("2 of 8 items No or Unclear (Q1 No, Q2 Unclear)")
    assert quality.loc["S01", "judgement"] == "include"
    assert (quality["judgement"] == "not_appraised").sum() == 47
    table = read_tsv(results / "appraisal.tsv").set_index("study_id")
    assert table.loc["S02", "adjudicated"] == "Q2"
    agreement = read_tsv(results / "agreement.tsv").set_index("item")
    assert agreement.loc["Q2", "studies"] == "3" and agreement.loc["Q2", "agreed"] == "2"
    assert agreement.loc["all", "agreed"] == "23"
    methods = (results / "methods.md").read_text()
    assert "3 of 50 included studies are appraised" in methods
    assert "Judgements: include 1, include_with_caution 1, exclude 1." in methods
    assert quality.loc["S03", "judgement"] == "exclude"
    characteristics = (workflow_dir / "results/statistics/characteristics.md").read_text()
    assert "Without studies judged low quality (n = 54)" in characteristics
    assert "left out 1 patients of 1 studies judged exclude (S03)" in characteristics
    assert "1 answer differed between appraisers; 1 was settled by adjudication" in methods
    # the same job wrote the report pages of the tables and the methods
    assert "include_with_caution" in (results / "appraisal.html").read_text()
    assert "carla" in (results / "conflicts.html").read_text()
    assert "3 of 50 included studies are appraised" in (results / "methods.html").read_text()
    assert (results / "traffic_light.png").stat().st_size > 10_000
