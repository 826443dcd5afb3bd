"""Outcome analyses end to end: both reviews build the ones their analysis file declares (JSON
contract, Markdown and HTML page, Kaplan-Meier figure); a patient without follow-up is in the
usable-n table with the reason; an event value the outcome field does not allow stops the run
with a located error."""

import json
import shutil

import pytest

from .conftest import REPO, run_snakemake

pytestmark = pytest.mark.e2e

SNAKEFILE = str(REPO / "Snakefile")
JAW_REVIEW = REPO / "tests" / "data" / "reviews" / "jaw_schwannoma"
OUT = "results/statistics/outcomes"
JAW = ["recurrence_free", "recurrence_by_treatment", "size_by_recurrence", "recurrence_predictors"]


def test_second_review_builds_its_outcome_analyses(tmp_path):
    review = shutil.copytree(JAW_REVIEW, tmp_path / "jaw")
    targets = [f"{OUT}/{name}.{ext}" for name in JAW for ext in ("json", "md", "html")]
    targets += [f"{OUT}/recurrence_free.png", f"{OUT}/recurrence_free.svg"]
    targets.append("results/statistics/outcomes_usable_n.html")
    run_snakemake(review, "-s", SNAKEFILE, *targets)
    survival = json.loads((review / OUT / "recurrence_free.json").read_text())
    assert survival["kind"] == "survival"
    assert survival["columns"]["time"] == {
        "column": "follow_up_months",
        "unit": "months",
        "shown_in": "years",
        "factor": pytest.approx(1 / 12),
    }
    assert survival["columns"]["event"]["values"] == ["yes"]
    # C04: no follow-up and no recurrence status; C11: follow-up but no status.
    assert survival["excluded"] == [
        {
            "case_id": "C04",
            "reasons": [
                "time not reported (follow_up_months)",
                "event status not reported (recurrence)",
            ],
        },
        {"case_id": "C11", "reasons": ["event status not reported (recurrence)"]},
    ]
    assert survival["n_used"] == 10 and len(survival["included"]) == 10
    estimates = survival["estimates"]
    assert {m["group"] for m in estimates["median"]} == {"Enucleation", "Curettage or resection"}
    assert estimates["log_rank"]["df"] == 1
    recurred = [r for r in estimates["table"] if r["events"]]
    assert [(r["group"], r["time"]) for r in recurred] == [
        ("Enucleation", 1.5),  # C03: 18 months
        ("Curettage or resection", 2.5),  # C07: 30 months
    ]
    page = (review / OUT / "recurrence_free.html").read_text()
    assert "time not reported (follow_up_months)" in page and "<table>" in page
    assert (review / OUT / "recurrence_free.png").stat().st_size > 10_000
    usable = (review / "results/statistics/outcomes_usable_n.tsv").read_text().splitlines()
    assert usable[0].split("\t") == [
        "analysis", "kind", "n_total", "n_used", "n_left_out", "case_id", "reasons",
    ]  # fmt: skip
    assert (
        "recurrence_free\tsurvival\t12\t10\t2\tC04\ttime not reported (follow_up_months); "
        "event status not reported (recurrence)"
    ) in usable

    by_treatment = json.loads((review / OUT / "recurrence_by_treatment.json").read_text())
    rows = {r["group"]: r for r in by_treatment["estimates"]["table"]}
    assert rows["Enucleation"] == {"group": "Enucleation", "no": 4, "yes": 1}
    assert by_treatment["n_used"] == 10
    firth = json.loads((review / OUT / "recurrence_predictors.json").read_text())
    model = firth["estimates"]["multivariable"]["enucleation_and_age"]
    assert [r["term"] for r in model["rows"]] == [
        "(intercept)",
        "treatment_enucleation",
        "age_years",
    ]
    assert any("fewer than 10" in w for w in model["warnings"])


def test_an_event_value_the_field_does_not_allow_is_a_located_error(tmp_path):
    review = shutil.copytree(JAW_REVIEW, tmp_path / "jaw")
    analysis = review / "config" / "analysis.yaml"
    text = analysis.read_text()
    analysis.write_text(text.replace('values: ["yes"]}', 'values: ["relapse"]}', 1))
    target = f"{OUT}/recurrence_free.json"
    proc = run_snakemake(review, "-s", SNAKEFILE, target, check=False)
    assert proc.returncode != 0
    log = (review / "results/logs/statistics/statistics.log").read_text()
    assert (
        "config/analysis.yaml: outcomes.recurrence_free.event.values[0]: 'relapse': not a value "
        "of recurrence in extraction/codebook.yaml: one of yes, no"
    ) in log
    assert not (review / target).exists()


def test_first_review_computes_its_outcomes_by_treatment(workflow_dir):
    names = ["recurrence_by_rituximab", "improvement_by_treatment", "age_by_recurrence"]
    names.append("recurrence_predictors")
    run_snakemake(workflow_dir, *[f"{OUT}/{name}.html" for name in names])
    rituximab = json.loads((workflow_dir / OUT / "recurrence_by_rituximab.json").read_text())
    assert rituximab["n_total"] == 55 and rituximab["n_used"] == 51
    assert [e["reasons"] for e in rituximab["excluded"]] == [
        ["outcome not reported (outcome_recurrence)"]
    ] * 4
    estimates = rituximab["estimates"]
    assert estimates["table"] == [
        {"group": "true", "true": 1, "false": 10},
        {"group": "false", "true": 5, "false": 35},
    ]
    assert estimates["p"] == pytest.approx(1.0)
    assert estimates["ci_lower"] < estimates["odds_ratio"] < estimates["ci_upper"]
    # the outcome pages are made by the one job of the report's pages, with the usable-n page
    assert all((workflow_dir / OUT / f"{name}.html").is_file() for name in names)
    assert (workflow_dir / "results/statistics/outcomes_usable_n.html").is_file()
