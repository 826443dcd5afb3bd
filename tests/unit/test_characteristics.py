"""The characteristics table as the analysis file declares it: groups, n/N (%) with denominators
(reported, `reported_if`, subgroups `of`), continuous summaries with their range, named
conditions as flags, sensitivity columns, Markdown and .xlsx."""

from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from reviewflow.dataset.definitions import load_definitions
from reviewflow.extraction.codebook import load_codebook
from reviewflow.statistics.analysis_file import load_analysis
from reviewflow.statistics.characteristics import (
    characteristics_frame,
    characteristics_markdown,
    characteristics_table,
    write_characteristics_xlsx,
)
from reviewflow.statistics.sensitivity import subsets

from .statistics_cases import make_cases

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "analysis.schema.yaml"


def committed_analysis():
    codebook = load_codebook(
        REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
    )
    definitions = load_definitions(REPO / "config" / "definitions.yaml", codebook)
    return load_analysis(
        REPO / "config" / "analysis.yaml", codebook.columns, SCHEMA, None, definitions
    )


def cases():
    return make_cases(
        4,
        sex=["male", "male", "female", ""],
        age_years=[30, 40, 50, 60],
        treatment_glucocorticoid=[True, True, False, False],
        treatment_decompression=[False, True, True, False],
        path_fibrosis=[True, False, None, None],
        level_thoracic=[True, True, False, False],
        level_cervical=[False, True, False, False],
        mri_enhancement=["yes", "no", "not_reported", "yes"],
        first_author=["=cmd|' /C calc'!A0", "B", "C", "D"],
        possible_duplicate_of=["C03", "", "C01", ""],
        year=[2015, 2016, 2020, 2021],
    )


def table():
    return characteristics_frame(cases(), committed_analysis())


def test_rows_by_group_with_denominators_and_not_reported():
    frame = table().set_index("characteristic")
    groups = [g.name for g in committed_analysis().groups]
    assert list(dict.fromkeys(table()["domain"])) == groups
    male = frame.loc["Male sex"]
    assert (male["value"], male["n_reported"], male["not_reported"]) == ("2/3 (66.7%)", 3, 1)
    assert frame.loc["Fibrosis", "value"] == "1/2 (50.0%)"
    assert frame.loc["Fibrosis", "not_reported"] == 2
    age = frame.loc["Age at onset (years)"]
    assert age["value"] == "45.00 ± 12.91; range 30.00–60.00"
    assert age["statistic"] == "mean ± SD"
    # a category counted among the patients reporting it (not_reported is no value)
    assert frame.loc["Enhancement on MRI", "value"] == "2/3 (66.7%)"
    # reported_if: a named condition (any level recorded) is the denominator
    thoracic = frame.loc["Thoracic spine"]
    assert (thoracic["value"], thoracic["not_reported"]) == ("2/2 (100.0%)", 2)
    assert frame.loc["Cervical and thoracic", "value"] == "1/2 (50.0%)"


def test_subgroup_rows_have_no_not_reported_count_and_are_indented():
    frame = table().set_index("characteristic")
    glucocorticoid = frame.loc["Glucocorticoid (of treated)"]
    assert glucocorticoid["value"] == "2/3 (66.7%)"
    assert glucocorticoid["n_reported"] == 3 and pd.isna(glucocorticoid["not_reported"])
    assert frame.loc["Any treatment", "value"] == "3/4 (75.0%)"
    assert "  azathioprine" in frame.index


def test_a_continuous_row_can_be_converted_and_has_no_range_without_data():
    frame = table().set_index("characteristic")
    months = frame.loc["Onset to diagnosis (months)"]
    assert (months["value"], months["n_reported"], months["not_reported"]) == ("no data", 0, 4)


def test_sensitivity_columns_markdown_and_xlsx(tmp_path):
    analysis = committed_analysis()
    found = subsets(cases(), analysis.sensitivity[:1])
    frame = characteristics_table(cases(), analysis, found)
    male = frame.set_index("characteristic").loc["Male sex"]
    # C03 is a later report of C01: left out
    assert (male["value_without_duplicates"], male["n_reported_without_duplicates"]) == (
        "2/2 (100.0%)",
        2,
    )
    text = characteristics_markdown(frame, 4, analysis.settings, found)
    assert text.startswith("# Characteristics of the 4 patients")
    assert "| **Demographics** | Male sex | 2/3 (66.7%) | n/N (%) | 3 | 1 | 2/2 (100.0%) |" in text
    assert "| Without likely duplicate patients (n = 3) |" in text
    assert "left out, as later reports of a patient kept: C03 (2020; kept C01, 2015)" in text
    assert "- Demographics: Male sex: 2/3 (66.7%) → 2/2 (100.0%)" in text
    path = tmp_path / "characteristics.xlsx"
    write_characteristics_xlsx(frame, path, found, 4)
    sheet = load_workbook(path)["characteristics"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "domain",
        "characteristic",
        "value",
        "statistic",
        "n_reported",
        "not_reported",
        "n_reported_without_duplicates",
        "value_without_duplicates",
    ]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Male sex"][2:6] == ("2/3 (66.7%)", "n/N (%)", 3, 1)
    assert rows["Rituximab (of treated)"][5] is None
    assert sheet.freeze_panes == "A2"


def test_without_sensitivity_analyses_the_markdown_is_the_plain_table():
    text = characteristics_markdown(table(), 4, committed_analysis().settings)
    assert "| Domain | Characteristic | Value | Statistic | Reported | Not reported |" in text
    assert "Sensitivity" not in text


def test_no_declared_groups_gives_an_empty_table_that_says_so():
    analysis = committed_analysis()
    empty = analysis.__class__(**{**analysis.__dict__, "groups": ()})
    frame = characteristics_frame(cases(), empty)
    assert frame.empty
    text = characteristics_markdown(frame, 4, analysis.settings)
    assert "No characteristics table is declared" in text
    assert "| Domain |" not in text
