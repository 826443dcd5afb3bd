"""The extraction workbook: template, validating reader (each bad-input class with its exact
message, all problems at once), raw tables, and the committed workbook against Table 1."""

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reviewflow.core.errors import InputProblems
from reviewflow.core.io import write_table
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.raw import read_raw_table
from reviewflow.extraction.workbook import read_workbook, write_workbook

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = load_codebook(REPO / "extraction" / "codebook.yaml")
SEED = "seed/000_a8792ea4be516f4d.txt"

CASE_1 = ["C01", "S01", 2009, "Chan et al.", "Male", 37, "2w", "Limb weakness",
          "Limb weakness, gait disorder", "ND", "ND", "ND", None, "T", "Y", "ND", "Fibrosis",
          310, 70, "Decompression surgery", "ND"]  # fmt: skip
CASE_2 = ["C02", "S01", 2009, None, "Female", 46, "2d", "Doraslgia", "Doraslgia", "Increase",
          11.2, "Increase", "3,260", "C T", "Y", "Linear nodular", "Nd", "120\u2013130", "27%",
          "Glucocorticoids Andazathioprine", "Improved Recurrence"]  # fmt: skip
CASE_3 = ["C03", "S02", 2010, "Choi et al.", "ND", "ND", "ND", "ND", "ND", "ND", "Normal",
          "Normal", "ND", "B C T L S", "N", "ND", "ND", ">10", ">40", "Biopsy", "ND"]  # fmt: skip
STUDIES = [["S01", "Chan", 2009, None, None, None, None],
           ["S02", "Choi", 2010, "A title", "A journal", "10.1000/xyz.1", "12345678"]]  # fmt: skip


def make_workbook(tmp_path: Path, mutate=None, cases=None) -> Path:
    """A valid hand-made workbook (3 cases, 2 studies), optionally changed by `mutate(book)`."""
    path = tmp_path / "cases.xlsx"
    rows = {"cases": cases or [CASE_1, CASE_2, CASE_3], "studies": STUDIES}
    write_workbook(CODEBOOK, path, rows)
    if mutate is not None:
        book = load_workbook(path)
        mutate(book)
        book.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputProblems) as error:
        read_workbook(path, CODEBOOK)
    assert str(path) in str(error.value) and "nothing was written" in str(error.value)
    return error.value.problems


# --- valid input ----------------------------------------------------------------------------


def test_valid_workbook_gives_raw_text_and_cell_addresses(tmp_path):
    sheets = read_workbook(make_workbook(tmp_path), CODEBOOK)
    cases, studies = sheets["cases"], sheets["studies"]
    assert [r["case_id"] for r in cases.rows] == ["C01", "C02", "C03"]
    second = cases.rows[1]
    assert second["source"] == "" and second["age"] == "46" and second["csf_cell_count"] == "11.2"
    assert second["csf_protein_mg_dl"] == "3,260" and second["igg4_cells"] == "120\u2013130"
    assert second["igg4_igg_ratio"] == "27%" and second["pathology"] == "Nd"
    assert cases.rows[0]["csf_protein_mg_dl"] == ""
    assert cases.cells[1]["sex"] == "cases!E3"
    assert cases.cells[2]["outcome"] == "cases!U4"
    assert studies.rows[1]["doi"] == "10.1000/xyz.1" and studies.rows[0]["doi"] == ""


def test_numbers_stored_as_text_read_as_typed(tmp_path):
    def as_text(book):
        sheet = book["cases"]
        for address, text in {"C2": "2009", "F2": "37", "K3": "11.2", "R2": "310"}.items():
            sheet[address].value = text
            sheet[address].data_type = "s"

    numbers = read_workbook(make_workbook(tmp_path / "a"), CODEBOOK)["cases"].rows
    texts = read_workbook(make_workbook(tmp_path / "b", as_text), CODEBOOK)["cases"].rows
    assert texts == numbers


def test_empty_rows_between_cases_are_skipped(tmp_path):
    def blank_row(book):
        book["cases"].insert_rows(3)

    rows = read_workbook(make_workbook(tmp_path, blank_row), CODEBOOK)["cases"].rows
    assert [r["case_id"] for r in rows] == ["C01", "C02", "C03"]


def test_raw_table_round_trip_undoes_formula_guard(tmp_path):
    sheets = read_workbook(make_workbook(tmp_path), CODEBOOK)
    cases = sheets["cases"]
    cases.rows[0]["main_symptoms"] = "-weakness"  # a value a spreadsheet would run as formula
    path = tmp_path / "cases.tsv"
    write_table(cases.to_frame(), path)
    assert "'-weakness" in path.read_text(encoding="utf-8")
    back = read_raw_table(path, "cases")
    assert back.rows == cases.rows and back.cells == cases.cells


# --- each bad-input class, with its exact message -------------------------------------------


def test_wrong_values_are_reported_with_cell_value_problem_and_allowed(tmp_path):
    def typos(book):
        sheet = book["cases"]
        sheet["E2"] = "Mle"
        sheet["F3"] = "3 7"
        sheet["G2"] = "2 weeks"
        sheet["N2"] = "T-L"
        sheet["R2"] = "about 10"
        sheet["S2"] = "140"
        sheet["A4"] = "C01"
        sheet["B4"] = "S09"
        sheet["U2"] = None

    assert problems_of(make_workbook(tmp_path, typos)) == [
        "cases!E2: 'Mle': sex is not an allowed value: one of Male, Female, ND",
        "cases!G2: '2 weeks': time has an unknown unit 'weeks': a number followed by d (days) "
        "or w (weeks), e.g. 2d or 48w, or ND",
        "cases!N2: 'T-L': involved_area has unknown area code(s) 'T-L': codes B (brain), "
        "C (cervical), T (thoracic), L (lumbar), S (sacral) separated by single spaces, each at "
        "most once, or ND",
        "cases!R2: 'about 10': igg4_cells is not a number, range or bound: a number (11.2), a "
        "range (120–130, 15-45) or a bound (>10) from 0 to 100000, or ND",
        "cases!S2: '140': igg4_igg_ratio is outside the possible range: a number (11.2), a range "
        "(120–130, 15-45) or a bound (>10), optionally with % from 0 to 100, or ND",
        "cases!U2: '': outcome is empty: text as written in the report",
        "cases!F3: '3 7': age is not a number: a number such as 37, 11.2 or 3,260 from 0 to 120, "
        "or ND",
        "cases!A4: 'C01': case_id repeats cases!A2: a unique id like C01",
        # the unknown study in the same pass as the bad cells (it used to wait for a second build)
        "cases!B4: 'S09': study_id is not in studies.study_id: an id listed in sheet studies",
    ]


def test_unknown_study_and_cross_sheet_checks(tmp_path):
    def cross(book):
        book["cases"]["B4"] = "S09"

    assert problems_of(make_workbook(tmp_path / "a", cross)) == [
        "cases!B4: 'S09': study_id is not in studies.study_id: an id listed in sheet studies"
    ]

    def blank_source_new_study(book):
        book["cases"]["D4"] = None
        book["cases"]["C3"] = 2011

    assert problems_of(make_workbook(tmp_path / "b", blank_source_new_study)) == [
        "cases!C3: '2011': year differs from studies.year (studies!C2: '2009'): the year of "
        "study_id S01",
        "cases!D4: '': a blank source means a further patient of the article in the row above "
        "(same study_id), but this row's study_id S02 differs from S01: the source as printed, or "
        "the study_id of the row above",
    ]


def test_cells_references_and_vocabulary_are_checked_in_one_pass(tmp_path):
    """A bad cell, an unknown study and an unknown phrase: one read lists all three."""
    codebook = load_codebook(
        REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
    )

    def three_kinds(book):
        book["cases"]["E2"] = "Mle"
        book["cases"]["B4"] = "S09"
        book["cases"]["H3"] = "Fever, Doraslgia"

    path = make_workbook(tmp_path, three_kinds)
    with pytest.raises(InputProblems) as error:
        read_workbook(path, codebook)
    assert error.value.problems == [
        "cases!E2: 'Mle': sex is not an allowed value: one of Male, Female, ND",
        "cases!B4: 'S09': study_id is not in studies.study_id: an id listed in sheet studies",
        "cases!H3: 'Fever, Doraslgia': initial_symptom has the unknown phrase 'Fever': a phrase "
        f"of group symptoms in {REPO / 'extraction' / 'vocabulary.yaml'} (add it there with its "
        "categories)",
    ]


def test_formula_is_reported(tmp_path):
    def formula(book):
        book["cases"]["F2"] = "=30+7"

    assert problems_of(make_workbook(tmp_path, formula)) == [
        "cases!F2: '=30+7': age is a formula: type the value itself, as printed in the report"
    ]


def test_merged_cells_are_reported(tmp_path):
    def merge(book):
        book["cases"].merge_cells("D2:D3")

    assert problems_of(make_workbook(tmp_path, merge)) == [
        "cases!D2:D3: 'Chan et al.': merged cells: one value in each cell (unmerge them; a "
        "further patient of the same article has a blank source)"
    ]


def test_extra_sheet_is_reported_and_missing_sheet_too(tmp_path):
    def extra(book):
        book.create_sheet("notes")["A1"] = "my notes"

    assert problems_of(make_workbook(tmp_path / "a", extra)) == [
        "notes!A1: 'notes': unknown sheet: only sheets cases, studies, readme, lists (move its "
        "content elsewhere)"
    ]

    def missing(book):
        del book["studies"]

    assert problems_of(make_workbook(tmp_path / "b", missing)) == [
        "studies!A1: '': sheet studies is missing: a sheet named studies with the columns "
        "study_id, first_author, year, title, journal, doi, pmid"
    ]


def test_hidden_rows_and_columns_are_reported(tmp_path):
    def hide(book):
        book["cases"].row_dimensions[3].hidden = True
        book["studies"].column_dimensions["F"].hidden = True

    assert problems_of(make_workbook(tmp_path, hide)) == [
        "cases!A3: 'C02': row 3 is hidden: every row is read, so unhide it",
        "studies!F1: 'doi': column F is hidden: every column is read, so unhide it",
    ]


def test_spaces_around_values_and_headers_are_reported(tmp_path):
    def spaces(book):
        book["cases"]["E2"] = "Male "
        book["cases"]["D4"] = " "
        book["studies"]["B1"] = "first_author "

    assert problems_of(make_workbook(tmp_path, spaces)) == [
        "cases!E2: 'Male ': sex has leading or trailing spaces: the value without them: 'Male'",
        "cases!D4: ' ': source holds only spaces: an empty cell, or the value as printed",
        "studies!B1: 'first_author ': the column header has leading or trailing spaces: the "
        "value without them: 'first_author'",
        "studies!1:1: '': column first_author (First author) is missing: column names study_id, "
        "first_author, year, title, journal, doi, pmid",
    ]


def test_numbers_the_spreadsheet_converted_are_reported(tmp_path):
    def converted(book):
        sheet = book["cases"]
        sheet["S3"] = 0.27
        sheet["S3"].number_format = "0%"
        sheet["M3"] = 3260
        sheet["M3"].number_format = "#,##0"
        sheet["R4"] = dt.datetime(2024, 1, 2)
        sheet["K4"] = True

    assert problems_of(make_workbook(tmp_path, converted)) == [
        "cases!M3: '3260': csf_protein_mg_dl is a number shown with the display format '#,##0': "
        "a plain number (General format), or the cell formatted as Text and the value typed as "
        "printed, e.g. 3,260",
        "cases!S3: '0.27': igg4_igg_ratio is a number shown as a percentage ('0%': 27% is stored "
        "as 0.27): format the cell as Text and type the value as printed, e.g. 27%",
        "cases!K4: 'TRUE': csf_cell_count is a TRUE/FALSE value: type the value as printed",
        "cases!R4: '2024-01-02 00:00:00': igg4_cells is a date or time (the spreadsheet "
        "converted what was typed): format the cell as Text and type the value as printed",
    ]


def test_unknown_repeated_and_orphan_columns_are_reported(tmp_path):
    def columns(book):
        sheet = book["studies"]
        sheet["H1"] = "notes"
        sheet["I1"] = "doi"
        sheet["K3"] = "stray"

    assert problems_of(make_workbook(tmp_path, columns)) == [
        "studies!H1: 'notes': unknown column: column names study_id, first_author, year, title, "
        "journal, doi, pmid",
        "studies!I1: 'doi': column doi appears twice: column names study_id, first_author, year, "
        "title, journal, doi, pmid",
        "studies!K3: 'stray': a value outside the table (no column header): values only under the "
        "headers study_id, first_author, year, title, journal, doi, pmid",
    ]


def test_all_problems_of_all_classes_are_reported_at_once(tmp_path):
    def everything(book):
        book["cases"]["E2"] = "Mle"
        book["cases"]["F3"] = "=1+1"
        book["cases"].row_dimensions[4].hidden = True
        book.create_sheet("extra")
        book["studies"]["F3"] = "doi:10.1/x"

    problems = problems_of(make_workbook(tmp_path, everything))
    assert len(problems) == 5
    assert [p.split(":")[0] for p in problems] == [
        "extra!A1",
        "cases!E2",
        "cases!F3",
        "cases!A4",
        "studies!F3",
    ]


def test_not_a_workbook_is_reported(tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    problems = problems_of(path)
    assert len(problems) == 1 and "cannot be read as an .xlsx workbook" in problems[0]


# --- the template ---------------------------------------------------------------------------


def test_template_has_headers_dropdowns_messages_frozen_header_and_widths(tmp_path):
    path = tmp_path / "template.xlsx"
    write_workbook(CODEBOOK, path)
    book = load_workbook(path)
    assert book.sheetnames == ["cases", "studies", "readme"]
    cases = book["cases"]
    assert [c.value for c in cases[1]] == CODEBOOK.sheet("cases").names
    assert cases.max_row == 1 and cases.freeze_panes == "A2"
    assert cases.column_dimensions["I"].width == 40  # main_symptoms
    validations = {str(v.sqref): v for v in cases.data_validations.dataValidation}
    assert validations["E2:E1000"].formula1 == '"Male,Female,ND"'
    assert validations["E2:E1000"].showErrorMessage
    assert validations["O2:O1000"].formula1 == '"Y,N,ND"'
    assert validations["F2:F1000"].type is None  # age: input message only
    assert validations["F2:F1000"].prompt == "Age. Age in years at onset, or ND. Unit: years."
    assert all(v.showInputMessage for v in validations.values())
    readme = [[c.value for c in row] for row in book["readme"].iter_rows(min_row=2)]
    assert len(readme) == len(CODEBOOK.sheet("cases").fields) + len(
        CODEBOOK.sheet("studies").fields
    )
    assert readme[4][:4] == ["cases", "sex", "Gender", "choice"]
    # a blank template reads as an empty, valid workbook
    sheets = read_workbook(path, CODEBOOK)
    assert sheets["cases"].rows == [] and sheets["studies"].rows == []


# --- the reviewers' workbook against Table 1 of the source article -------------------------


def table1(seed_text: str) -> list[list[str]]:
    """Table 1 of the seed: 55 blocks of 19 tab-indented lines after the header block."""
    lines = seed_text.split("\n")
    start = lines.index("\tStudy")
    blocks, block = [], []
    for line in lines[start:]:
        if line.startswith("\t"):
            block.append(line[1:])
        elif block:
            blocks.append(block)
            block = []
        if line.startswith("Time, from onset to diagnosis"):
            break
    assert blocks[0][:3] == ["Study", "Source", "Gender"]
    return blocks[1:]


def as_printed(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


@pytest.mark.shared
def test_committed_workbook_is_table1_cell_by_cell(shared):
    seed = shared / SEED
    if not seed.is_file():
        pytest.skip(f"{seed} not found")
    printed = table1(seed.read_text(encoding="utf-8"))
    assert len(printed) == 55 and all(len(block) == 19 for block in printed)
    book = load_workbook(REPO / "extraction" / "cases.xlsx")
    sheet = book["cases"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 55
    study = None
    mismatches = []
    for number, (block, row) in enumerate(zip(printed, rows, strict=True), start=1):
        assert row[0] == f"C{number:02d}"
        if block[1]:  # a non-blank Source starts a new article
            study = f"S{int(study[1:]) + 1:02d}" if study else "S01"
        assert row[1] == study, f"row {number + 1}: study_id"
        for column, (text, value) in enumerate(zip(block, row[2:], strict=True), start=3):
            if as_printed(value) != text:
                mismatches.append((sheet.cell(number + 1, column).coordinate, text, value))
    assert mismatches == []
    studies = list(book["studies"].iter_rows(min_row=2, values_only=True))
    assert len(studies) == 50
    sources = [(b[0], b[1]) for b in printed if b[1]]
    for (study_id, author, year, title, journal, doi, pmid), (printed_year, source) in zip(
        studies, sources, strict=True
    ):
        assert str(year) == printed_year and source.startswith(author), study_id
        assert (title, journal, doi, pmid) == (None, None, None, None)  # none invented
    read_workbook(REPO / "extraction" / "cases.xlsx", CODEBOOK)  # and it validates


def test_a_number_in_a_text_field_is_kept_as_displayed_and_warned(tmp_path):
    from reviewflow.dataset.qc import number_issues

    def typed_numbers(book):
        sheet = book["cases"]
        sheet["D2"] = 4.0  # source, a text field
        sheet["D2"].number_format = "0.0"
        sheet["D4"] = 12  # General: shown as 12

    cases = read_workbook(make_workbook(tmp_path, typed_numbers), CODEBOOK)["cases"]
    assert [r["source"] for r in cases.rows] == ["4.0", "", "12"]
    assert cases.numbers == [("source",), (), ("source",)]
    path = tmp_path / "cases.tsv"
    write_table(cases.to_frame(), path)
    back = read_raw_table(path, "cases")
    assert back.rows == cases.rows and back.numbers == cases.numbers
    issues = number_issues(back, CODEBOOK)
    assert [(i.case_id, i.field, i.raw_value, i.severity) for i in issues] == [
        ("C01", "source", "4.0", "warning"),
        ("C03", "source", "12", "warning"),
    ]
    assert issues[0].message.startswith(
        "cases!D2: source '4.0' is a spreadsheet number in a text field: kept as the cell displays"
    )
    plain = read_workbook(make_workbook(tmp_path / "plain"), CODEBOOK)["cases"]
    assert "numbers_in_text_fields" not in plain.to_frame().columns


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [(4.0, "0.0", "4.0"), (4, "General", "4"), (1.5, "0.00", "1.50"), (3260, "#,##0", "3,260")],
)
def test_displayed_number(value, number_format, shown):
    from reviewflow.extraction.workbook import displayed_number

    assert displayed_number(value, number_format) == shown
