"""Outcome analyses against reference values published for standard datasets (the source of each
is given where it is used), the usable-n reasons, and the located checks of the `outcomes`
section of the analysis file."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from reviewflow.core.errors import InputProblems
from reviewflow.extraction.codebook import Column
from reviewflow.statistics.analysis_file import Settings
from reviewflow.statistics.outcomes.analyse import analyse
from reviewflow.statistics.outcomes.compare import fisher, numbers
from reviewflow.statistics.outcomes.declared import GroupSpec, Outcome, load_outcomes
from reviewflow.statistics.outcomes.firth import firth_model
from reviewflow.statistics.outcomes.km_figure import at_risk, write_km_figure
from reviewflow.statistics.outcomes.page import outcome_markdown, usable_table
from reviewflow.statistics.outcomes.survival import kaplan_meier

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "analysis.schema.yaml"

# Freireich et al. (1963) 6-MP leukaemia remission data (weeks; 0 = censored), as given by
# Gehan (1965) and in Kleinbaum & Klein, Survival Analysis: A Self-Learning Text (3rd ed., 2012),
# chapter 1 (the "remission data").
MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_EVENTS = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PLACEBO_TIMES = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


def remission() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": MP_TIMES + PLACEBO_TIMES,
            "event": [bool(e) for e in MP_EVENTS] + [True] * 21,
            "group": ["6-MP"] * 21 + ["placebo"] * 21,
        }
    )


def test_kaplan_meier_and_log_rank_match_the_remission_data_of_kleinbaum_and_klein():
    result = kaplan_meier(remission(), ["6-MP", "placebo"])
    mp = {r["time"]: r for r in result["table"] if r["group"] == "6-MP"}
    # Kleinbaum & Klein (2012), chapter 2, the KM table of group 1 (6-MP): S(t) at each failure.
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}
    for time, survival in published.items():
        assert mp[time]["survival"] == pytest.approx(survival, abs=5e-5)
    assert (mp[6]["at_risk"], mp[6]["events"], mp[6]["censored"]) == (21, 3, 1)
    assert (mp[9]["events"], mp[9]["censored"], mp[9]["survival"]) == (0, 1, mp[7]["survival"])
    # Same chapter: medians 23 weeks (6-MP) and 8 weeks (placebo); log-rank chi-square 16.79.
    medians = {m["group"]: m for m in result["median"]}
    assert (medians["6-MP"]["median"], medians["placebo"]["median"]) == (23, 8)
    assert result["log_rank"]["statistic"] == pytest.approx(16.79, abs=0.005)
    assert result["log_rank"]["df"] == 1
    assert result["log_rank"]["p"] == pytest.approx(4.17e-5, rel=0.01)
    # Log-log intervals: cross-checked by hand in R 4.2 (survival 3.4,
    # survfit(Surv(t, e) ~ g, conf.type = "log-log")): 6-MP at 6 weeks 0.620-0.952, at 23 weeks
    # 0.188-0.680; median 6-MP 23 (13, NA), placebo 8 (4, 11).
    assert (mp[6]["ci_lower"], mp[6]["ci_upper"]) == pytest.approx((0.620, 0.952), abs=5e-4)
    assert (mp[23]["ci_lower"], mp[23]["ci_upper"]) == pytest.approx((0.188, 0.680), abs=5e-4)
    assert (medians["6-MP"]["ci_lower"], medians["6-MP"]["ci_upper"]) == (13, None)
    assert (medians["placebo"]["ci_lower"], medians["placebo"]["ci_upper"]) == (4, 11)
    last = [r for r in result["table"] if r["group"] == "placebo"][-1]
    assert (last["survival"], last["ci_lower"], last["ci_upper"]) == (0.0, None, None)


def test_one_group_gives_no_log_rank_and_an_all_censored_group_stays_at_one():
    frame = pd.DataFrame({"time": [1.0, 2.0, 3.0], "event": [False] * 3, "group": "a"})
    result = kaplan_meier(frame, [])
    assert result["log_rank"] is None
    assert [r["survival"] for r in result["table"]] == [1.0, 1.0, 1.0]
    assert result["median"][0]["median"] is None


def test_fisher_2x2_is_the_lady_tasting_tea():
    # Fisher (1935), The Design of Experiments, ch. 2: 3 of 4 cups right each way; two-sided
    # p = 34/70 = 0.4857 (also Agresti 2002, Categorical Data Analysis, p. 91).
    table = pd.DataFrame([[3, 1], [1, 3]], index=["milk", "tea"], columns=["milk", "tea"])
    result = fisher(table)
    assert result["p"] == pytest.approx(0.4857, abs=5e-5)
    # Conditional ML odds ratio and exact interval as R's fisher.test prints them for this table
    # (R documentation example TeaTasting; run by hand in R 4.2: 6.408309, 0.2117329-621.9337).
    assert result["odds_ratio"] == pytest.approx(6.408309, rel=1e-5)
    assert result["ci_lower"] == pytest.approx(0.2117329, rel=1e-3)
    assert result["ci_upper"] == pytest.approx(621.9337, rel=0.01)
    assert result["table"][0] == {"group": "milk", "milk": 3, "tea": 1}


def test_fisher_r_by_c_is_agresti_job_satisfaction():
    # Agresti (2002) Categorical Data Analysis, p. 57 (job satisfaction by income), the
    # example of R's fisher.test documentation: p = 0.7827. Our p is Monte Carlo (100,000 tables,
    # fixed seed): within 0.005 of it (its standard error is 0.0013), the same at every run.
    job = pd.DataFrame([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]])
    result = fisher(job)
    assert result["p"] == pytest.approx(0.7827, abs=0.005)
    assert fisher(job)["p"] == result["p"]
    assert "Monte Carlo" in result["test"]
    assert result["effect"]["name"] == "Cramer's V"


def test_numbers_follow_the_normality_rule():
    quantiles = scipy_stats.norm.ppf((np.arange(1, 31) - 0.5) / 30)  # a normal sample's shape
    normal = pd.Series(np.concatenate([10 + quantiles, 12 + quantiles]))
    groups = pd.Series(["a"] * 30 + ["b"] * 30)
    welch = numbers(normal, groups, ["a", "b"], Settings())
    assert welch["test"].startswith("Welch")
    effect = welch["effect"]
    assert effect["ci_lower"] < effect["value"] < effect["ci_upper"] < 0
    assert [g["n"] for g in welch["groups"]] == [30, 30]
    # The same numbers with the rule median_iqr: Mann-Whitney with the Hodges-Lehmann shift.
    ranked = numbers(normal, groups, ["a", "b"], Settings(normality_rule="median_iqr"))
    assert ranked["test"].startswith("Mann-Whitney")
    # A pure shift of 2: every estimate of the Hodges-Lehmann shift is exactly -2.
    first = pd.Series([1.0, 3.0, 4.0, 8.0, 20.0, 21.0, 30.0, 31.0])
    shifted = pd.concat([first, first + 2], ignore_index=True)
    labels = pd.Series(["x"] * 8 + ["y"] * 8)
    hl = numbers(shifted, labels, ["x", "y"], Settings(normality_rule="median_iqr"))["effect"]
    assert hl["value"] == -2.0
    assert hl["ci_lower"] < -2.0 < hl["ci_upper"]


def sex2() -> pd.DataFrame:
    patterns = pd.read_csv(REPO / "tests/data/reference/sex2_patterns.tsv", sep="\t", comment="#")
    return patterns.loc[patterns.index.repeat(patterns["count"])].reset_index(drop=True)


def test_firth_regression_matches_logistf_on_sex2():
    data = sex2()
    assert len(data) == 239
    terms = ["age", "oc", "vic", "vicl", "vis", "dia"]
    result = firth_model(data, "case", terms)
    rows = {r["term"]: r for r in result["rows"]}
    # Coefficients: logistf's own tests (tests/testthat/test-basic.R of the R package logistf,
    # Heinze et al.): logistf(case ~ age + oc + vic + vicl + vis + dia, data = sex2).
    published = {
        "(intercept)": 0.12025404, "age": -1.10598130, "oc": -0.06881673, "vic": 2.26887464,
        "vicl": -2.11140816, "vis": -0.78831694, "dia": 3.09601263,
    }  # fmt: skip
    for term, coef in published.items():
        assert rows[term]["coef"] == pytest.approx(coef, abs=1e-3)
    # Profile penalised-likelihood 95% CIs and likelihood-ratio p of the same logistf fit, as
    # printed (2 decimals, p 3) in the logistf test snapshot of the R package parameters
    # (easystats; tests/testthat/_snaps/windows/model_parameters.logistf.md).
    printed = {"(intercept)": (-0.82, 1.07, 0.802), "age": (-1.97, -0.31, 0.006),
               "oc": (-0.94, 0.79, 0.875), "vic": (1.27, 3.44, None), "vicl": (-3.26, -1.12, None),
               "vis": (-1.61, 0.02, 0.054), "dia": (0.77, 8.03, 0.005)}  # fmt: skip
    for term, (low, high, p) in printed.items():
        assert round(rows[term]["ci_lower"], 2) == low
        assert round(rows[term]["ci_upper"], 2) == high
        assert round(rows[term]["p"], 3) == p if p is not None else rows[term]["p"] < 0.001
    assert result["rows"][0]["term"] == "(intercept)"
    assert result["events"] == 130 and result["n"] == 239
    assert result["warnings"] == []  # 109 non-events / 6 predictors: more than 10 per variable


def test_firth_warns_below_ten_events_per_variable_and_stays_finite_under_separation():
    frame = pd.DataFrame({"y": [0, 0, 0, 1, 1, 1], "x": [0, 0, 0, 1, 1, 1]})
    result = firth_model(frame, "y", ["x"])
    assert any("fewer than 10" in w for w in result["warnings"])
    x = next(r for r in result["rows"] if r["term"] == "x")
    # firthmodels' own example (its README): complete separation, coefficient 3.8918 (finite).
    assert x["coef"] == pytest.approx(3.89181893, abs=1e-4)
    constant = firth_model(frame.assign(x=1), "y", ["x"])
    assert constant["rows"] == []
    assert "x takes one value only among these patients: no model" in constant["warnings"]


# ------------------------------------------------------------------ usable n, contract, checks

COLUMNS = (
    Column("case_id", "string", ""),
    Column("follow_up_months", "number", "", unit="months"),
    Column("recurrence", "string", "", enum=("yes", "no")),
    Column("enucleation", "boolean", ""),
    Column("age_years", "number", ""),
)


def jaw_like() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["C01", "C02", "C03", "C04", "C05", "C06"],
            "follow_up_months": [24.0, 36.0, 18.0, None, 12.0, 6.0],
            "recurrence": ["no", "no", "yes", None, "no", "yes"],
            "enucleation": pd.array([True, False, True, False, None, False], dtype="boolean"),
            "age_years": [34.0, 51.0, 47.0, 29.0, 62.0, 40.0],
        }
    )


def test_survival_leaves_out_who_lacks_time_status_or_group_and_says_why(tmp_path):
    outcome = Outcome(
        name="rfs",
        kind="survival",
        title="Recurrence-free",
        time_column="follow_up_months",
        unit="months",
        show_in="years",
        event_column="recurrence",
        event_values=("yes",),
        group=GroupSpec(column="enucleation", label="Enucleation"),
    )
    result = analyse(outcome, jaw_like(), "case_id", Settings(), {}, {})
    assert result["n_used"] == 4 and result["n_total"] == 6
    assert result["included"] == ["C01", "C02", "C03", "C06"]
    assert result["excluded"] == [
        {
            "case_id": "C04",
            "reasons": [
                "time not reported (follow_up_months)",
                "event status not reported (recurrence)",
            ],
        },
        {"case_id": "C05", "reasons": ["group not reported (enucleation)"]},
    ]
    table = result["estimates"]["table"]
    assert {r["group"] for r in table} == {"true", "false"}
    assert [r["time"] for r in table if r["group"] == "true"] == [1.5, 2.0]  # months -> years
    assert result["columns"]["time"]["factor"] == pytest.approx(1 / 12)
    assert set(table[0]) == {
        "group", "time", "at_risk", "events", "censored", "survival", "ci_lower", "ci_upper",
    }  # fmt: skip
    page = outcome_markdown(result)
    assert "| C04 | time not reported (follow_up_months); event status not reported" in page
    every = usable_table([result, {**result, "name": "all", "n_used": 6, "excluded": []}])
    assert every.to_dict("records")[1] == {
        "analysis": "rfs", "kind": "survival", "n_total": 6, "n_used": 4, "n_left_out": 2,
        "case_id": "C05", "reasons": "group not reported (enucleation)",
    }  # fmt: skip
    assert every.iloc[2]["case_id"] == "" and every.iloc[2]["n_left_out"] == 0
    assert "4 of 6 patients used; 2 left out." in page
    paths = write_km_figure(result, tmp_path)
    assert [p.suffix for p in paths] == [".svg", ".png"]
    assert all(p.stat().st_size > 0 for p in paths)
    rows = [r for r in table if r["group"] == "false"]
    assert (at_risk(rows, 0), at_risk(rows, 1.0), at_risk(rows, 10)) == (2, 1, 0)


def test_group_conditions_leave_out_patients_in_none_or_several_groups():
    outcome = Outcome(
        name="by",
        kind="compare",
        title="t",
        outcome_column="recurrence",
        group=GroupSpec(
            conditions={
                "old": {"column": "age_years", "in": [47.0, 51.0, 62.0]},
                "enucleated": {"is_true": "enucleation"},
            }
        ),
    )
    result = analyse(outcome, jaw_like(), "case_id", Settings(), {}, {})
    reasons = {e["case_id"]: e["reasons"] for e in result["excluded"]}
    assert reasons["C03"] == ["in more than one group (old, enucleated)"]
    assert reasons["C06"] == ["in no declared group (old, enucleated)"]
    assert reasons["C04"] == [
        "outcome not reported (recurrence)",
        "in no declared group (old, enucleated)",
    ]


ANALYSIS = """
settings:
  normality_rule: shapiro_wilk
  decimals: {continuous: 2, percent: 1}
characteristics:
  groups: [{name: G, rows: [{label: Age, summary: age_years}]}]
figures: {}
outcomes:
"""


def write_analysis(tmp_path, outcomes: str) -> Path:
    path = tmp_path / "analysis.yaml"
    path.write_text(ANALYSIS + outcomes)
    return path


GOOD_OUTCOMES = """
  rfs:
    kind: survival
    time: {column: follow_up_months, unit: months, show_in: years}
    event: {column: recurrence, values: ["yes"]}
    group: {column: enucleation}
  predictors:
    kind: firth
    outcome: {column: recurrence, values: ["yes"]}
    predictors: [enucleation, age_years]
    models: {both: [enucleation, age_years]}
"""


def test_outcome_declarations_load(tmp_path):
    path = write_analysis(tmp_path, GOOD_OUTCOMES)
    _, outcomes = load_outcomes(path, COLUMNS, SCHEMA)
    assert [o.name for o in outcomes] == ["rfs", "predictors"]
    assert outcomes[0].time_factor == pytest.approx(1 / 12)
    assert outcomes[1].models == {"both": ("enucleation", "age_years")}


def test_bad_outcome_declarations_are_located_errors(tmp_path):
    path = write_analysis(
        tmp_path,
        """
  rfs:
    kind: survival
    time: {column: follow_up_months, unit: weeks}
    event: {column: recurrence, values: ["relapse"]}
    group: {column: enucleatoin}
  compare_it:
    kind: compare
    outcome: {column: recurrence}
    predictors: [age_years]
  fit:
    kind: firth
    outcome: {column: recurrence}
    predictors: [recurrence]
  grouped:
    kind: compare
    outcome: {column: age_years}
    group: {conditions: {a: {is_true: enucleation}, b: {is_false: enucleation}}, levels: [a, b]}
""",
    )
    with pytest.raises(InputProblems) as caught:
        load_outcomes(path, COLUMNS, SCHEMA, "extraction/codebook.yaml")
    text = str(caught.value)
    assert (
        f"{path}: outcomes.rfs.event.values[0]: 'relapse': not a value of recurrence in "
        "extraction/codebook.yaml: one of yes, no"
    ) in text
    unit = "outcomes.rfs.time.unit: 'weeks': the codebook gives follow_up_months in months"
    assert f"{path}: {unit}" in text
    assert "outcomes.rfs.group.column: 'enucleatoin': no such dataset column" in text
    assert "did you mean enucleation?" in text
    assert "outcomes.compare_it: a compare analysis needs `group`" in text
    assert "outcomes.compare_it.predictors: not a key of a compare analysis" in text
    assert "outcomes.fit.outcome: recurrence is a category column: give `values`" in text
    predictor = "outcomes.fit.predictors[0]: 'recurrence' is a category column"
    assert f"{predictor}: must be a flag or a number" in text
    assert "outcomes.grouped.group.levels: levels are a column's values" in text


def test_the_schema_refuses_an_unknown_kind(tmp_path):
    path = write_analysis(tmp_path, "  x: {kind: cox}\n")
    with pytest.raises(InputProblems, match=r"outcomes\.x\.kind: 'cox' is not allowed"):
        load_outcomes(path, COLUMNS, SCHEMA)
