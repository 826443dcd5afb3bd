"""The descriptive table: one row per statistic of every dataset column, chosen by the declared
rule, with missing counts, categories in the codebook's order and flags; hand-made frames with
known answers."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from reviewflow.core.errors import InputProblems
from reviewflow.extraction.codebook import Column
from reviewflow.statistics.analysis_file import Settings
from reviewflow.statistics.descriptive import (
    COLUMNS,
    described_columns,
    descriptive_frame,
    descriptive_markdown,
    descriptive_table,
    typed,
    with_unit,
    write_descriptive_xlsx,
)
from reviewflow.statistics.sensitivity import Subset

SETTINGS = Settings(not_reported_values=("not_reported",))
CODEBOOK = (
    Column("case_id", "string", "Patient id."),
    Column("note", "string", "Free text."),
    Column("age", "number", "Age.", unit="years"),
    Column("weeks", "number", "Onset to diagnosis."),
    Column("grade", "string", "Grade.", enum=("low", "high", "not_reported")),
    Column("treated", "boolean", "Treated."),
    Column("row", "integer", "Workbook row."),
)
# age: symmetric (Shapiro-Wilk does not reject); weeks: one far outlier (it rejects).
CASES = pd.DataFrame(
    {
        "case_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "note": ["a", "b", "c", "d", "e", "f"],
        "age": [30.0, 40.0, 50.0, 60.0, 45.0, None],
        "weeks": [1.0, 2.0, 2.0, 3.0, 2.0, 500.0],
        "grade": ["high", "low", "high", "not_reported", "", "high"],
        "treated": pd.array([True, False, True, None, True, None], dtype="boolean"),
        "row": [2, 3, 4, 5, 6, 7],
    }
)


def table(settings=SETTINGS, cases=CASES):
    columns = described_columns(CODEBOOK, skip=["row"], primary_key="case_id")
    return descriptive_frame(cases, columns, settings).set_index(["variable", "category"])


def test_identifiers_free_text_and_skipped_columns_are_left_out():
    columns = described_columns(CODEBOOK, skip=["row"], primary_key="case_id")
    assert [c.name for c in columns] == ["age", "weeks", "grade", "treated"]
    assert list(descriptive_frame(CASES, columns, SETTINGS).columns) == COLUMNS


def test_shapiro_wilk_chooses_mean_sd_for_normal_and_median_iqr_for_skewed_values():
    frame = table()
    age = frame.loc[("age", "")]
    assert (age["statistic"], age["value"]) == ("mean_sd", "45.00 ± 11.18")
    assert (age["n_reported"], age["n_total"], age["not_reported"]) == (5, 6, 1)
    assert age["label"] == "Age (years)"
    weeks = frame.loc[("weeks", "")]
    # weibull quartiles of 1, 2, 2, 2, 3, 500: Q1 = 1.75, Q3 = 127.25
    assert (weeks["statistic"], weeks["value"]) == ("median_iqr", "2.00 (1.75, 127.25)")


def test_a_declared_rule_other_than_shapiro_wilk_always_chooses_its_summary():
    frame = table(Settings(normality_rule="median_iqr"))
    assert frame.loc[("age", ""), "value"] == "45.00 (35.00, 55.00)"
    frame = table(Settings(normality_rule="mean_sd", continuous_decimals=1))
    assert frame.loc[("weeks", ""), "value"] == "85.0 ± 203.3"


def test_categories_in_enum_order_over_the_patients_reporting_them():
    frame = table()
    grade = frame.loc["grade"]
    assert list(grade.index) == ["low", "high"]  # not_reported is not a category
    assert grade.loc["low", "value"] == "1 (25.0%)"
    assert grade.loc["high", "value"] == "3 (75.0%)"
    assert set(grade["n_reported"]) == {4} and set(grade["not_reported"]) == {2}


def test_flags_count_true_among_reported():
    treated = table().loc[("treated", "")]
    assert (treated["statistic"], treated["value"]) == ("n_percent", "3 (75.0%)")
    assert (treated["n_reported"], treated["not_reported"]) == (4, 2)


def test_a_column_nobody_reports():
    cases = CASES.assign(age=None, treated=pd.array([None] * 6, dtype="boolean"))
    frame = table(cases=cases)
    assert frame.loc[("age", ""), "value"] == "no data"
    assert frame.loc[("treated", ""), "value"] == "0 (none reported)"
    assert frame.loc[("treated", ""), "not_reported"] == 6


def test_text_columns_are_typed_by_the_codebook_and_bad_cells_all_reported():
    raw = pd.DataFrame(
        {
            "case_id": ["C1", "C2", "C3"],
            "age": ["30", "", "old"],
            "grade": ["low", "medium", ""],
            "treated": ["true", "yes", ""],
        }
    )
    with pytest.raises(InputProblems) as caught:
        typed(raw, CODEBOOK, "cases.csv")
    problems = caught.value.problems
    assert "line 4, column age: 'old': must be a number, or empty when not reported" in problems
    assert any(p.startswith("line 3, column grade: 'medium': must be one of low") for p in problems)
    assert any(p.startswith("line 3, column treated: 'yes'") for p in problems)
    assert "missing column note (declared in the codebook)" in problems
    good = typed(raw.iloc[:1].assign(note="x", weeks="", row="2"), CODEBOOK)
    assert good["treated"].dtype == "boolean" and good["age"].iloc[0] == 30.0


def test_sensitivity_columns_markdown_and_xlsx(tmp_path):
    columns = described_columns(CODEBOOK, skip=["row"], primary_key="case_id")
    keep = pd.Series([True, True, True, True, True, False])
    found = [Subset("without_c6", "Without C6", keep, "left out C6")]
    frame = descriptive_table(CASES, columns, SETTINGS, found)
    row = frame.set_index(["variable", "category"]).loc[("grade", "high")]
    assert (row["value"], row["value_without_c6"], row["n_reported_without_c6"]) == (
        "3 (75.0%)",
        "2 (66.7%)",
        3,
    )
    text = descriptive_markdown(frame, len(CASES), SETTINGS, found)
    assert "| Grade | low | 4 | 2 | n (%) | 1 (25.0%) | 1 (33.3%) |" in text
    assert "|  | high |  |  | n (%) | 3 (75.0%) | 2 (66.7%) |" in text
    assert "Without C6 (n = 5)" in text
    assert "- Grade: high: 3 (75.0%) → 2 (66.7%)" in text
    assert "p ≥ 0.05" in text
    path = tmp_path / "descriptive.xlsx"
    write_descriptive_xlsx(frame, path, found, len(CASES))
    book = load_workbook(path)
    header = [c.value for c in book["descriptive"][1]]
    assert header == [*COLUMNS, "n_reported_without_c6", "value_without_c6"]
    assert [c.value for c in book["sensitivity"][2]] == [
        "without_c6",
        "Without C6",
        5,
        6,
        "left out C6",
    ]


@pytest.mark.parametrize(
    "label, unit, shown",
    [
        ("Age", "years", "Age (years)"),
        ("Age (years)", "years", "Age (years)"),  # never "Age (years) (years)"
        ("Age (Years)", "years", "Age (Years)"),
        ("Age (yrs)", "years", "Age (yrs)"),
        ("Age in years", "years", "Age in years"),
        ("Follow-up (months)", "m", "Follow-up (months)"),
        ("Size (cm) (low)", "cm", "Size (cm) (low)"),  # a bound's part after the unit
        ("Size, cm", "cm", "Size, cm"),
        ("CSF protein (mg/dl)", "mg/dL", "CSF protein (mg/dl)"),
        ("IgG4+ cells (low)", "cells/HPF", "IgG4+ cells (low) (cells/HPF)"),
        ("Dose (mg)", "mg/dL", "Dose (mg) (mg/dL)"),  # another unit: kept apart
        ("Size", None, "Size"),
    ],
)
def test_a_label_carries_its_unit_once(label, unit, shown):
    assert with_unit(label, unit) == shown
    column = Column("x", "number", "X.", unit=unit, label=label)
    assert descriptive_frame(
        pd.DataFrame({"x": [1.0, 2.0]}), [column], SETTINGS
    ).label.tolist() == [shown]
