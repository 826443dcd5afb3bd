"""The characteristics table: domains, n/N (%) with denominators, continuous summaries, .xlsx."""

from openpyxl import load_workbook

from reviewflow.characteristics import (
    LAYOUT,
    characteristics_frame,
    characteristics_markdown,
    write_characteristics_xlsx,
)
from reviewflow.recompute import compute_items

from .statistics_cases import make_cases, project_declared


def table():
    cases = make_cases(
        4,
        sex=["male", "male", "female", ""],
        age_years=[30, 40, 50, 60],
        treatment_glucocorticoid=[True, True, False, False],
        treatment_decompression=[False, True, True, False],
        path_fibrosis=[True, False, None, None],
        first_author=["=cmd|' /C calc'!A0", "B", "C", "D"],
    )
    return characteristics_frame(compute_items(cases, project_declared()), 4)


def test_rows_by_domain_with_denominators_and_not_reported():
    frame = table().set_index("characteristic")
    assert list(dict.fromkeys(table()["domain"])) == list(dict.fromkeys(d for d, *_ in LAYOUT))
    male = frame.loc["Male sex"]
    assert (male["value"], male["n_reported"], male["not_reported"]) == ("2/3 (66.7%)", 3, 1)
    assert frame.loc["Fibrosis", "value"] == "1/2 (50.0%)"
    assert frame.loc["Fibrosis", "not_reported"] == 2
    age = frame.loc["Age at onset (years)"]
    assert age["value"] == "45.00 ± 12.91; range 30.00–60.00"
    assert age["statistic"] == "mean ± SD"
    glucocorticoid = frame.loc["Glucocorticoid (of treated)"]
    assert glucocorticoid["value"] == "2/3 (66.7%)"
    assert glucocorticoid["n_reported"] == 3 and "<NA>" in str(glucocorticoid["not_reported"])


def test_markdown_and_xlsx(tmp_path):
    frame = table()
    text = characteristics_markdown(frame, 4)
    assert text.startswith("# Characteristics of the 4 patients")
    assert "| **Demographics** | Male sex | 2/3 (66.7%) | n/N (%) | 3 | 1 |" in text
    path = tmp_path / "characteristics.xlsx"
    write_characteristics_xlsx(frame, path)
    sheet = load_workbook(path)["characteristics"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "domain",
        "characteristic",
        "value",
        "statistic",
        "n_reported",
        "not_reported",
    ]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Male sex"][2:] == ("2/3 (66.7%)", "n/N (%)", 3, 1)
    assert rows["Rituximab (of treated)"][5] is None
    assert sheet.freeze_panes == "A2"
