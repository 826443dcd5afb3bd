"""Reading results/dataset/cases.csv: typed values, and every bad cell reported at once."""

import pandas as pd
import pytest

from reviewflow.cases_reader import levels_code, parse_cases, read_cases
from reviewflow.errors import InputProblems

from .statistics_cases import raw_cases


def test_types_booleans_numbers_and_not_reported(tmp_path):
    raw = raw_cases(
        3,
        sex=["male", "female", ""],
        age_years=["37", "46.5", ""],
        level_cervical=["true", "false", "true"],
        level_thoracic="true",
        path_fibrosis=["true", "false", ""],
    )
    path = tmp_path / "cases.csv"
    raw.to_csv(path, index=False)
    cases = read_cases(path)
    assert cases["age_years"].tolist()[:2] == [37.0, 46.5] and pd.isna(cases["age_years"][2])
    assert cases["path_fibrosis"].dtype == "boolean"
    assert cases["path_fibrosis"].isna().tolist() == [False, False, True]
    assert pd.isna(cases["sex"][2])
    assert cases["year"].tolist() == [2020, 2020, 2020]
    assert [levels_code(row) for _, row in cases.iterrows()] == ["C T", "T", "C T"]


def test_every_bad_cell_is_reported_with_line_column_and_value():
    raw = raw_cases(
        3,
        sex=["male", "Mle", "female"],
        age_years=["37", "3,260", "forty"],
        level_thoracic=["true", "yes", "false"],
        serum_igg4=["normal", "high", "not_reported"],
    )
    raw.loc[2, "case_id"] = "C01"
    with pytest.raises(InputProblems) as error:
        parse_cases(raw, "results/dataset/cases.csv")
    message = str(error.value)
    assert message.startswith("results/dataset/cases.csv: 6 problems, nothing was written")
    assert "line 3, column sex: 'Mle': must be one of male, female, (empty)" in message
    assert "line 3, column age_years: '3,260': must be a number" in message
    assert "line 4, column age_years: 'forty'" in message
    assert "line 3, column level_thoracic: 'yes': must be true, false, or empty" in message
    assert "line 3, column serum_igg4: 'high'" in message
    assert "'C01' is used by more than one row" in message


def test_missing_columns_are_named():
    raw = raw_cases(2).drop(columns=["csf_protein_mg_dl", "main_gait"])
    with pytest.raises(InputProblems, match="missing column.*csf_protein_mg_dl, main_gait"):
        parse_cases(raw)


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputProblems, match="cannot read the dataset"):
        read_cases(tmp_path / "absent.csv")


def test_raw_treatment_text_is_joined_from_the_extraction_table(tmp_path):
    from reviewflow.cases_reader import attach_raw_treatment
    from reviewflow.cases_reader import parse_cases as parse

    cases = parse(raw_cases(2))
    raw = tmp_path / "cases.tsv"
    raw.write_text("case_id\ttreatment\nC02\tBiopsy\nC01\tGlucocorticoids Andazathioprine\n")
    joined, warning = attach_raw_treatment(cases, raw, "treatment")
    assert warning == ""
    assert joined["treatment_raw"].tolist() == ["Glucocorticoids Andazathioprine", "Biopsy"]
    _, warning = attach_raw_treatment(cases, raw, "Treatment")
    assert "no column Treatment" in warning
    raw.write_text("case_id\ttreatment\nC01\tBiopsy\n")
    unchanged, warning = attach_raw_treatment(cases, raw, "treatment")
    assert "no row for C02" in warning and "treatment_raw" not in unchanged.columns
    _, warning = attach_raw_treatment(cases, tmp_path / "absent.tsv", "treatment")
    assert "cannot read the raw table" in warning
