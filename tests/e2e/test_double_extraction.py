"""End to end: double extraction. Two extractors' copies of the workbook that differ in two cells
stop the build with both disagreements listed (and written to disagreements.tsv); once the
adjudication file settles them, the dataset is built from the agreed values and adjudications,
and the methods text says what was done."""

import shutil

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from tests.e2e.conftest import run_snakemake
from tests.reviewer_files import reviewer_files

TARGETS = ["results/dataset/cases.csv", "results/appraisal/methods.md"]


def declare_extractors(workdir, names) -> None:
    path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["extraction"]["extractors"] = names
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.e2e
def test_two_extractors_disagree_then_adjudication_builds_the_dataset(workflow_dir):
    extraction = workflow_dir / "extraction"
    declare_extractors(workflow_dir, ["ana", "ben"])
    shutil.copy(extraction / "cases.xlsx", extraction / "cases_ana.xlsx")
    book = load_workbook(extraction / "cases.xlsx")
    book["cases"]["E12"] = "Male"  # C11 Female in ana's copy
    book["cases"]["F2"] = 73  # C01 37 in ana's copy
    book.save(extraction / "cases_ben.xlsx")
    (extraction / "cases.xlsx").unlink()  # double extraction never reads the single workbook

    proc = run_snakemake(workflow_dir, *TARGETS, check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "2 problems, nothing was written" in output
    assert "cases C01 age: ana '37' (extraction/cases_ana.xlsx:cases!F2); ben '73'" in output
    assert "cases C11 sex: ana 'Female'" in output and "ben 'Male'" in output
    assert not (workflow_dir / "results" / "extraction" / "cases.tsv").exists()
    results = workflow_dir / "results" / "extraction"
    disagreements = pd.read_csv(results / "disagreements.tsv", sep="\t", dtype=str)
    assert list(
        zip(disagreements["id"], disagreements["field"], disagreements["status"], strict=True)
    ) == [
        ("C01", "age", "open"),
        ("C11", "sex", "open"),
    ]
    assert disagreements.loc[0, "cell_ben"] == "extraction/cases_ben.xlsx:cases!F2"
    agreement = pd.read_csv(results / "agreement.tsv", sep="\t").set_index("field")
    assert agreement.loc["sex", "measure"] == "cohen_kappa"
    assert 0 < agreement.loc["sex", "kappa"] < 1
    assert agreement.loc["age", "agreed"] == 54 and agreement.loc["age", "rows"] == 55
    assert agreement.loc["time", "exact_agreement"] == 1

    (extraction / "adjudication.tsv").write_text(
        "sheet\tid\tfield\tvalue\treviewer\tnote\n"
        "cases\tC01\tage\t37\tcarla\tTable 1 prints 37\n"
        "cases\tC11\tsex\tFemale\tcarla\tthe text says 'she'\n",
        encoding="utf-8",
    )
    run_snakemake(workflow_dir, *TARGETS, "results/extraction/disagreements.html")
    page = (results / "disagreements.html").read_text(encoding="utf-8")
    assert "adjudicated" in page and "carla" in page
    cases = pd.read_csv(
        workflow_dir / "results" / "dataset" / "cases.csv", dtype=str, keep_default_na=False
    )
    assert len(cases) == 55
    assert cases.loc[0, "age_years"] == "37"
    assert cases.set_index("case_id").loc["C11", "sex"] == "female"
    raw = pd.read_csv(results / "cases.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert raw.loc[0, "age_cell"] == (
        "extraction/adjudication.tsv:2 on extraction/cases_ana.xlsx:cases!F2"
    )
    assert raw.loc[1, "age_cell"] == "extraction/cases_ana.xlsx:cases!F3"
    methods = (workflow_dir / "results" / "appraisal" / "methods.md").read_text()
    assert "independently by 2 extractors (ana, ben)" in methods
    assert "2 cells in disagreement: 2 settled by adjudication" in methods


@pytest.mark.e2e
def test_switching_to_double_extraction_rebuilds_the_dataset_in_the_same_build(workflow_dir):
    """Issue 24 item 3: a review built by single extraction switches to double extraction with an
    adjudication; the plan of the next full build rebuilds the dataset from the agreed table
    (once, the single workbook's reader, still a target through workbook_digest.txt, stood for
    the raw table: cases.tsv got the adjudicated 36, cases.csv kept 37 until a second run)."""
    run_snakemake(workflow_dir, "results/dataset/cases.csv")
    extraction = workflow_dir / "extraction"
    declare_extractors(workflow_dir, ["ana", "ben"])
    (extraction / "cases.xlsx").rename(extraction / "cases_ana.xlsx")
    book = load_workbook(extraction / "cases_ana.xlsx")
    book["cases"]["F2"] = 73  # C01 37 in ana's copy
    book.save(extraction / "cases_ben.xlsx")
    (extraction / "adjudication.tsv").write_text(
        "sheet\tid\tfield\tvalue\treviewer\tnote\ncases\tC01\tage\t36\tcarla\tthe text\n",
        encoding="utf-8",
    )
    plan = run_snakemake(workflow_dir, "--dry-run").stdout
    assert "rule extraction_agreed:" in plan and "rule dataset_harmonise:" in plan
    run_snakemake(workflow_dir, *TARGETS)
    raw = pd.read_csv(workflow_dir / "results/extraction/cases.tsv", sep="\t", dtype=str)
    cases = pd.read_csv(workflow_dir / "results/dataset/cases.csv", dtype=str)
    assert raw.loc[0, "age"] == cases.loc[0, "age_years"] == "36"


@pytest.mark.e2e
def test_extractors_listed_while_the_single_workbook_exists_is_refused(workflow_dir):
    """Issue 24 item 3: extraction.extractors listed and extraction/cases.xlsx still there: one
    located message at parse time (main: Snakemake's AmbiguousRuleException); nothing changed."""
    extraction = workflow_dir / "extraction"
    declare_extractors(workflow_dir, ["ana", "ben"])
    shutil.copy(extraction / "cases.xlsx", extraction / "cases_ana.xlsx")
    shutil.copy(extraction / "cases.xlsx", extraction / "cases_ben.xlsx")
    config = (workflow_dir / "config" / "config.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(config, 1) if text.startswith("  extractors:"))
    before = reviewer_files(workflow_dir)
    proc = run_snakemake(workflow_dir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert "AmbiguousRuleException" not in proc.stdout + proc.stderr
    assert (proc.stdout + proc.stderr).strip().splitlines()[-2:] == [
        "The extraction cannot be used: 1 problem:",
        f"  config/config.yaml:{line}: extraction.extractors lists ana, ben (double extraction, "
        "from their copies of the workbook) while extraction/cases.xlsx (extraction.workbook, "
        "single extraction) still exists: the two ways of extracting cannot both be active: "
        "move extraction/cases.xlsx out of the way (e.g. rename it to keep it) for double "
        "extraction, or empty extraction.extractors for single extraction",
    ]
    assert reviewer_files(workflow_dir) == before
