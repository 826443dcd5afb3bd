"""The third hand-made review's committed workbook holds exactly the cells of its readable rows
file (tests/data/reviews/sinonasal_glomangiopericytoma.rows.yaml), so the rows a reader sees
are the cells the e2e test reads."""

from tests.third_review import WORKBOOK, cells_of, expected_cells, read_rows


def test_committed_workbook_holds_the_rows_file_cells():
    assert cells_of(WORKBOOK) == expected_cells(read_rows())


def test_rows_file_has_sixteen_patients_in_five_series_and_one_number_in_a_text_field():
    sheets = read_rows()
    cases = [dict(zip(sheets["cases"]["columns"], r, strict=True)) for r in sheets["cases"]["rows"]]
    assert len(cases) == 16
    assert len({c["study_id"] for c in cases}) == 5
    typed_as_text = (  # fields whose cells are text in the workbook
        "source",
        "site",
        "tumour_size",
        "ki67",
        "follow_up_outcome",
        "treatment",
        "symptom_months",
    )
    numbers = [
        (c["case_id"], f) for c in cases for f in typed_as_text if isinstance(c[f], int | float)
    ]
    assert numbers == [("P04", "ki67")]
