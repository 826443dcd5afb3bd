"""Double extraction on hand-made workbooks: cells compared, agreement per field with known
values, adjudication rows checked (each problem located), agreed tables built, open
disagreements listed, a row dropped by adjudication."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewflow.core.errors import InputProblems
from reviewflow.extraction.adjudication import read_adjudication_rows
from reviewflow.extraction.double_extraction import (
    NO_ROW,
    agreed_sheets,
    agreement_table,
    compare,
    disagreement_table,
    read_adjudications,
    read_extractions,
)
from reviewflow.extraction.workbook import write_workbook
from tests.unit.test_workbook import CASE_1, CASE_2, CASE_3, CODEBOOK, STUDIES

HEADER = "sheet\tid\tfield\tvalue\treviewer\tnote\n"


def copies(tmp_path: Path, ben_cases) -> dict[str, str]:
    """ana's workbook (the three hand-made cases) and ben's (`ben_cases`)."""
    paths = {"ana": str(tmp_path / "cases_ana.xlsx"), "ben": str(tmp_path / "cases_ben.xlsx")}
    write_workbook(CODEBOOK, paths["ana"], {"cases": [CASE_1, CASE_2, CASE_3], "studies": STUDIES})
    write_workbook(CODEBOOK, paths["ben"], {"cases": ben_cases, "studies": STUDIES})
    return paths


def changed(case: list, index: int, value) -> list:
    case = list(case)
    case[index] = value
    return case


@pytest.fixture
def two_disagreements(tmp_path):
    """ben typed C01 Female (sex, column E) and C03 age 50 (column F)."""
    paths = copies(tmp_path, [changed(CASE_1, 4, "Female"), CASE_2, changed(CASE_3, 5, 50)])
    comparisons = compare(read_extractions(paths, CODEBOOK), CODEBOOK, paths)
    return paths, comparisons


def adjudication(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "adjudication.tsv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_cells_in_disagreement_with_both_values_and_cells(two_disagreements):
    paths, comparisons = two_disagreements
    table = disagreement_table(comparisons, {}, ["ana", "ben"])
    assert table[["id", "field", "value_ana", "value_ben", "status"]].values.tolist() == [
        ["C01", "sex", "Male", "Female", "open"],
        ["C03", "age", "ND", "50", "open"],
    ]
    assert table.loc[0, "cell_ben"] == f"{paths['ben']}:cases!E2"


def test_agreement_per_field_kappa_for_choices_exact_for_the_rest(two_disagreements):
    _, comparisons = two_disagreements
    table = agreement_table(comparisons, CODEBOOK, ["ana", "ben"]).set_index("field")
    # sex: ana Male Female ND, ben Female Female ND: p_o = 2/3, p_e = (1*0 + 1*2 + 1*1)/9 = 1/3
    assert table.loc["sex", "kappa"] == pytest.approx(0.5)
    assert table.loc["sex", "exact_agreement"] == pytest.approx(0.6667)
    assert table.loc["age", "measure"] == "exact_agreement"
    assert table.loc["age", "agreed"] == 2 and table.loc["age", "rows"] == 3
    assert pd.isna(table.loc["age", "kappa"])
    assert table.loc["first_author", "exact_agreement"] == 1


def test_open_disagreements_stop_the_build_with_the_list(two_disagreements):
    paths, comparisons = two_disagreements
    with pytest.raises(InputProblems) as error:
        agreed_sheets(comparisons, {}, CODEBOOK, ["ana", "ben"])
    assert error.value.problems == [
        f"cases C01 sex: ana 'Male' ({paths['ana']}:cases!E2); ben 'Female' "
        f"({paths['ben']}:cases!E2): the extractors disagree: settle it in the adjudication file",
        f"cases C03 age: ana 'ND' ({paths['ana']}:cases!F4); ben '50' "
        f"({paths['ben']}:cases!F4): the extractors disagree: settle it in the adjudication file",
    ]


def test_adjudicated_cells_build_the_agreed_tables(tmp_path, two_disagreements):
    paths, comparisons = two_disagreements
    path = adjudication(tmp_path, "cases\tC01\tsex\tMale\tcarla\t\ncases\tC03\tage\t51\tcarla\tx\n")
    settled = read_adjudications(path, comparisons, CODEBOOK)
    sheets = agreed_sheets(comparisons, settled, CODEBOOK, ["ana", "ben"])
    cases = sheets["cases"].to_frame()
    assert list(cases["sex"]) == ["Male", "Female", "ND"]
    assert list(cases["age"]) == ["37", "46", "51"]
    assert cases.loc[2, "age_cell"] == f"{path}:3 on {paths['ana']}:cases!F4"
    assert cases.loc[1, "age_cell"] == f"{paths['ana']}:cases!F3"
    status = disagreement_table(comparisons, settled, ["ana", "ben"])["status"]
    assert list(status) == ["adjudicated", "adjudicated"]


def test_every_bad_adjudication_row_is_located(tmp_path, two_disagreements):
    _, comparisons = two_disagreements
    path = adjudication(
        tmp_path,
        "cases\tC01\tsex\tMle\tcarla\t\n"  # not an allowed value
        "cases\tC02\tsex\tFemale\tcarla\t\n"  # both agree
        "cases\tC03\tage\t51\t\t\n"  # no reviewer
        "cases\tC03\tage\t52\tdan\t\n"  # settled twice
        "patients\tC01\tsex\tMale\tcarla\t\n"  # unknown sheet
        "cases\tC09\tsex\tMale\tcarla\t\n",  # unknown row
    )
    with pytest.raises(InputProblems) as error:
        read_adjudications(path, comparisons, CODEBOOK)
    assert error.value.problems == [
        f"{path}:4: '': reviewer is empty: columns sheet, id, field, value, reviewer, note "
        "(tab-separated), reviewer filled in",
        f"{path}:5: cases / C03 / age: settled twice (also {path}:4): one row per disagreement "
        "(delete one)",
        f"{path}:2: 'Mle': sex is not an allowed value: one of Male, Female, ND",
        f"{path}:3: cases C02 sex: the extractors agree on 'Female', nothing to settle: delete "
        "the row (or correct both workbooks)",
        f"{path}:6: 'patients': unknown sheet: one of cases, studies",
        f"{path}:7: 'C09': no row C09 in sheet cases of any extractor: an id listed in "
        "results/extraction/disagreements.tsv",
    ]


def test_a_row_one_extractor_lacks_is_dropped_by_a_blank_id(tmp_path):
    paths = copies(tmp_path, [CASE_1, CASE_2])  # ben has no C03
    comparisons = compare(read_extractions(paths, CODEBOOK), CODEBOOK, paths)
    missing = [c for c in comparisons if c.id == "C03"]
    assert all(c.cells["ben"] == NO_ROW for c in missing) and len(missing) == 21
    disagreeing = [c for c in missing if not c.agreed]
    assert len(disagreeing) == 21  # ana filled every field of C03
    path = adjudication(tmp_path, "cases\tC03\tcase_id\t\tcarla\tnot a patient of S02\n")
    settled = read_adjudications(path, comparisons, CODEBOOK)
    sheets = agreed_sheets(comparisons, settled, CODEBOOK, ["ana", "ben"])
    assert [row["case_id"] for row in sheets["cases"].rows] == ["C01", "C02"]
    table = disagreement_table(comparisons, settled, ["ana", "ben"])
    assert set(table["status"]) == {"adjudicated", "row_dropped"}


def test_problems_of_every_copy_are_reported_at_once(tmp_path):
    paths = copies(tmp_path, [changed(CASE_1, 4, "Mle"), CASE_2, CASE_3])
    paths["cy"] = str(tmp_path / "cases_cy.xlsx")
    with pytest.raises(InputProblems) as error:
        read_extractions(paths, CODEBOOK)
    assert error.value.problems == [
        f"{paths['ben']}: cases!E2: 'Mle': sex is not an allowed value: one of Male, Female, ND",
        f"{paths['cy']}: missing: extractor cy's copy of the extraction workbook (copy "
        "results/templates/cases_template.xlsx or the single workbook there)",
    ]


CELL_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\t"
    ),
    max_size=20,
).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELL_TEXT, CELL_TEXT, CELL_TEXT), min_size=1, max_size=5))
def test_adjudication_rows_read_back_as_written(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("adj") / "a.tsv"
    lines = ["a\tb\tc"] + ["\t".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems: list[str] = []
    read = read_adjudication_rows(path, ("a", "b", "c"), (), problems)
    expected = [r for r in rows if any(r)]
    assert problems == []
    assert [tuple(row.values.values()) for row in read] == expected
