"""Reading results/dataset/cases.csv: columns and types from the codebook; every bad cell at
once."""

import dataclasses

import pandas as pd
import pytest

from reviewflow.core.errors import InputProblems
from reviewflow.dataset.cases import parse_cases, read_cases
from reviewflow.extraction.codebook import Column

from .statistics_cases import CODEBOOK, raw_cases


def test_types_come_from_the_codebook(tmp_path):
    raw = raw_cases(
        3,
        sex=["male", "female", ""],
        age_years=["37", "46.5", ""],
        level_cervical=["true", "false", "true"],
        level_thoracic="true",
        path_fibrosis=["true", "false", ""],
        igg4_cells_hpf_qualifier=["less_than", "", "exact"],  # every qualifier the codebook has
        workbook_row=["2", "3", "4"],
    )
    path = tmp_path / "cases.csv"
    raw.to_csv(path, index=False)
    cases = read_cases(path, CODEBOOK)
    assert cases["age_years"].tolist()[:2] == [37.0, 46.5] and pd.isna(cases["age_years"][2])
    assert cases["path_fibrosis"].dtype == "boolean"
    assert cases["path_fibrosis"].isna().tolist() == [False, False, True]
    assert pd.isna(cases["sex"][2]) and pd.isna(cases["igg4_cells_hpf_qualifier"][1])
    assert cases["igg4_cells_hpf_qualifier"][0] == "less_than"
    assert cases["year"].tolist() == [2020, 2020, 2020] and cases["year"].dtype == "Int64"
    assert cases["workbook_row"].tolist() == [2, 3, 4]


def test_every_bad_cell_is_reported_with_line_column_and_value():
    raw = raw_cases(
        3,
        sex=["male", "Mle", "female"],
        age_years=["37", "3,260", "forty"],
        level_thoracic=["true", "yes", "false"],
        serum_igg4=["normal", "high", "not_reported"],
        year=["2020", "2020.0", "2020"],
    )
    raw.loc[2, "case_id"] = "C01"
    with pytest.raises(InputProblems) as error:
        parse_cases(raw, CODEBOOK, "results/dataset/cases.csv")
    assert error.value.problems == [
        "column case_id: 'C01' is used by more than one row",
        "line 3, column year: '2020.0': must be a whole number, or empty when not reported",
        "line 3, column sex: 'Mle': must be one of male, female, (empty)",
        "line 3, column age_years: '3,260': must be a number with '.' as decimal separator, or "
        "empty when not reported",
        "line 4, column age_years: 'forty': must be a number with '.' as decimal separator, or "
        "empty when not reported",
        "line 3, column level_thoracic: 'yes': must be true, false, or empty when not reported",
        "line 3, column serum_igg4: 'high': must be one of normal, elevated, not_reported, (empty)",
    ]
    assert str(error.value).startswith("results/dataset/cases.csv: 7 problems, nothing was")


def test_a_column_added_to_the_codebook_is_read_and_typed():
    index = Column("csf_igg4_index", "number", "CSF IgG4 index.", "csf_igg4_index")
    codebook = dataclasses.replace(CODEBOOK, columns=(*CODEBOOK.columns, index))
    cases = parse_cases(raw_cases(2, csf_igg4_index=["0.7", ""]), codebook)
    assert cases["csf_igg4_index"].tolist()[0] == 0.7 and pd.isna(cases["csf_igg4_index"][1])
    with pytest.raises(InputProblems, match=r"missing column\(s\) csf_igg4_index \(required by"):
        parse_cases(raw_cases(2), codebook)


def test_missing_columns_are_named():
    raw = raw_cases(2).drop(columns=["csf_protein_mg_dl", "main_gait"])
    with pytest.raises(InputProblems, match="missing column.*csf_protein_mg_dl, main_gait"):
        parse_cases(raw, CODEBOOK)


def test_a_codebook_without_its_vocabulary_has_no_columns_to_read():
    with pytest.raises(InputProblems, match="load the codebook with its vocabulary"):
        parse_cases(raw_cases(1), dataclasses.replace(CODEBOOK, columns=()))


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputProblems, match="cannot read the dataset"):
        read_cases(tmp_path / "absent.csv", CODEBOOK)
