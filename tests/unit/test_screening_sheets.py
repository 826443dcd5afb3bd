"""The reviewer-facing sheets: to_screen.xlsx (read back as a reviewer's file once filled in) and
the rows for studies newly included in a later window."""

import pandas as pd
from openpyxl import load_workbook

from reviewflow.core.io import write_table
from reviewflow.core.studies import read_studies
from reviewflow.screening import asreview
from reviewflow.screening.decisions import read_unique_records, record_id_index, screen
from reviewflow.screening.folder import read_decisions
from reviewflow.screening.sheets import (
    new_studies,
    suggest_study_ids,
    write_new_studies,
    write_to_screen,
)

from .test_screening import (
    FT_REASONS,
    TA_REASONS,
    W1,
    W2,
    make_records,
    rid,
    run,
    settings,
    write_decisions,
)


def test_to_screen_lists_pending_and_conflicts_with_dropdowns_and_links(tmp_path):
    records = make_records(W1, [1, 2, 3, 4])
    records.loc[3, "title"] = "=cmd|'/c calc'!A1"
    records.loc[2, "doi"] = ""
    folder = tmp_path / "s"
    write_decisions(
        folder / "title_abstract_alice.tsv", [(rid(W1, 1), "include"), (rid(W1, 2), "include")]
    )
    write_decisions(
        folder / "title_abstract_bob.tsv",
        [(rid(W1, 1), "include"), (rid(W1, 2), "exclude", TA_REASONS[0])],
    )
    result = run(records, folder)
    written = write_to_screen(records, result.states, settings(), tmp_path / "to_screen.xlsx")
    assert written == {"title_abstract": 3, "full_text": 1}
    book = load_workbook(tmp_path / "to_screen.xlsx")
    assert book.sheetnames == ["title_abstract", "full_text", "about"]
    sheet = book["title_abstract"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["record_id", "decision", "reason", "note", "status"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {rid(W1, 2), rid(W1, 3), rid(W1, 4)}
    assert rows[rid(W1, 2)][4] == (
        "conflict: reviewers disagree on the decision "
        f"(alice: include; bob: exclude ({TA_REASONS[0]}))"
    )
    assert rows[rid(W1, 3)][4] == "pending: no decision yet"
    # a title that looks like a formula stays text
    cell = sheet.cell(row=4, column=header.index("title") + 1)
    assert cell.value == "=cmd|'/c calc'!A1" and cell.data_type == "s"
    # links to DOI and PubMed (no DOI: no link)
    doi = sheet.cell(row=2, column=header.index("doi") + 1)
    assert doi.hyperlink.target == f"https://doi.org/{doi.value}"
    assert sheet.cell(row=3, column=header.index("doi") + 1).hyperlink is None
    pmid = sheet.cell(row=2, column=header.index("pmid") + 1)
    assert pmid.hyperlink.target == f"https://pubmed.ncbi.nlm.nih.gov/{pmid.value}/"
    lists = {
        str(v.sqref)[0]: v.formula1 for v in sheet.data_validations.dataValidation if v.formula1
    }
    assert lists["B"] == '"include,maybe,exclude"'
    assert lists["C"] == '"' + ",".join(TA_REASONS) + '"'
    full = [row for row in book["full_text"].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in full] == [rid(W1, 1)]


def test_a_filled_in_to_screen_sheet_saved_in_the_folder_is_read(tmp_path):
    records = make_records(W1, [1, 2, 3])
    one = settings(reviewers_required={"title_abstract": 1, "full_text": 1})
    folder = tmp_path / "s"
    write_decisions(folder / "title_abstract_dan.tsv", [(rid(W1, 3), "include")])
    result = run(records, folder, one)
    sheet_path = folder / "screening_carol.2025-06.xlsx"
    write_to_screen(records, result.states, one, sheet_path)
    book = load_workbook(sheet_path)
    assert book["title_abstract"]["A2"].value == rid(W1, 1)
    book["title_abstract"]["B2"] = "exclude"
    book["title_abstract"]["C2"] = TA_REASONS[1]
    book["title_abstract"]["D2"] = "case series of 3"
    assert book["full_text"]["A2"].value == rid(W1, 3)
    book["full_text"]["B2"] = "Not retrieved"
    book.save(sheet_path)
    decisions = read_decisions(folder, record_id_index(records), one)
    assert [(d.by, d.stage, d.record_id, d.decision, d.reason, d.note) for d in decisions] == [
        ("carol", "title_abstract", rid(W1, 1), "exclude", TA_REASONS[1], "case series of 3"),
        ("dan", "title_abstract", rid(W1, 3), "include", "", ""),
        ("carol", "full_text", rid(W1, 3), "not_retrieved", "", ""),
    ]
    assert decisions[0].source.endswith("screening_carol.2025-06.xlsx, title_abstract row 2")


def test_to_screen_names_each_records_related_version(tmp_path):
    """A preprint and its published version (dedup's related_versions.tsv) are screened as two
    records; each row names the other, so that reviewers see them together."""
    records = make_records(W1, [1, 2, 3])
    related = pd.DataFrame(
        [{"record_id_1": rid(W1, 1), "record_id_2": rid(W1, 3),
          "relation": "preprint and published version"}]
    )  # fmt: skip
    result = screen(records, [], settings())
    write_to_screen(records, result.states, settings(), tmp_path / "t.xlsx", related)
    sheet = load_workbook(tmp_path / "t.xlsx")["title_abstract"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    column = header.index("related_versions")
    assert rows[rid(W1, 1)][column] == f"published version: {rid(W1, 3)}"
    assert rows[rid(W1, 3)][column] == f"preprint: {rid(W1, 1)}"
    assert rows[rid(W1, 2)][column] is None


def test_a_sheet_with_nothing_to_screen(tmp_path):
    records = make_records(W1, [])
    result = screen(records, [], settings())
    assert write_to_screen(records, result.states, settings(), tmp_path / "t.xlsx") == {
        "title_abstract": 0,
        "full_text": 0,
    }


def studies_table(tmp_path, rows) -> pd.DataFrame:
    path = tmp_path / "studies.tsv"
    columns = ["study_id", "first_author", "year", "title", "doi", "pmid"]
    frame = pd.DataFrame(rows, columns=columns).assign(journal="")
    frame.to_csv(path, sep="\t", index=False)
    return read_studies(path)


def test_new_studies_template_lists_included_records_missing_from_the_workbook(tmp_path):
    records = pd.concat([make_records(W1, [1, 2, 3]), make_records(W2, [4])])
    records.loc[2, "matches_included_study"] = ""
    one = settings(reviewers_required={"title_abstract": 1, "full_text": 1})
    folder = tmp_path / "s"
    ids = {n: rid(W1 if n < 4 else W2, n) for n in range(1, 5)}
    write_decisions(folder / "title_abstract_alice.tsv", [(ids[n], "include") for n in ids])
    write_decisions(
        folder / "full_text_alice.tsv",
        [
            (ids[1], "include"),
            (ids[2], "include"),
            (ids[3], "exclude", FT_REASONS[0]),
            (ids[4], "include"),
        ],
    )
    result = run(records, folder, one)
    studies = studies_table(
        tmp_path,
        [
            ("S049", "Old", "2016", "Old study", "10.9/old", ""),
            ("S050", "Author2", "2025", "Already added", "https://doi.org/10.1000/CASE.2", ""),
        ],
    )
    template, summary = new_studies(records, result.states, studies)
    assert summary == {
        "studies_in_workbook": 2,
        "included_in_updates": 3,
        "included_in_updates_in_workbook": 1,
        "included_in_updates_to_add": 2,
    }
    assert template.to_dict("records")[0] == {
        "study_id": "S051",
        "first_author": "Author1",
        "year": "2025",
        "title": "IgG4-related pachymeningitis case 1",
        "journal": "J Neurol",
        "doi": "10.1000/case.1",
        "pmid": "40000001",
        "record_id": ids[1],
        "first_window": W1,
    }
    assert list(template["study_id"]) == ["S051", "S052"]
    write_new_studies(template, tmp_path / "new.tsv", tmp_path / "new.xlsx")
    sheet = load_workbook(tmp_path / "new.xlsx")["studies"]
    assert [c.value for c in sheet[1]][:3] == ["study_id", "first_author", "year"]
    assert sheet["A3"].value == "S052"
    assert pd.read_csv(tmp_path / "new.tsv", sep="\t").shape == (2, 9)


def test_study_id_suggestions():
    assert suggest_study_ids(["S1", "S2", "S10"], 2) == ["S11", "S12"]
    assert suggest_study_ids(["IgG4-001", "IgG4-050"], 1) == ["IgG4-051"]
    assert suggest_study_ids(["A1", "B2"], 1) == [""]  # no single pattern: leave it to people
    assert suggest_study_ids(["Wang 2019", "Li 2020"], 1) == [""]
    assert suggest_study_ids(["S7"], 1) == [""]  # one id is no numbering
    assert suggest_study_ids([], 2) == ["", ""]


def test_no_studies_to_add(tmp_path):
    records = make_records(W1, [])
    studies = studies_table(tmp_path, [(f"S{i:02d}", "A", "2015", "T", "", "") for i in range(50)])
    template, summary = new_studies(records, screen(records, [], settings()).states, studies)
    assert template.empty and summary["studies_in_workbook"] == 50
    write_new_studies(template, tmp_path / "n.tsv", tmp_path / "n.xlsx")
    assert (tmp_path / "n.tsv").read_text().startswith("study_id\tfirst_author")


def test_a_guarded_title_shows_without_its_quote_in_the_sheet_and_the_ris(tmp_path):
    """Issue 24: unique_records.tsv guards `=HYPERLINK(...)` as `'=HYPERLINK(...)`; read back,
    to_screen.xlsx stores the title as a text cell (data type 's': never a formula) without the
    quote, and the RIS export (no spreadsheet) carries the title as PubMed gave it."""
    records = make_records(W1, [1])
    title = '=HYPERLINK("https://evil.example","click")'
    records.loc[0, "title"] = title
    records.loc[0, "authors"] = "-Smith, A"
    tsv = tmp_path / "unique_records.tsv"
    write_table(records, tsv)
    assert "\t\"'=HYPERLINK(" in tsv.read_text(encoding="utf-8")  # guarded in the table
    read_back = read_unique_records(tsv)
    assert read_back.loc[0, "title"] == title and read_back.loc[0, "authors"] == "-Smith, A"
    result = run(read_back, tmp_path / "s")
    write_to_screen(read_back, result.states, settings(), tmp_path / "to_screen.xlsx")
    sheet = load_workbook(tmp_path / "to_screen.xlsx")["title_abstract"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("title") + 1)
    assert (cell.value, cell.data_type) == (title, "s")
    asreview.write_ris(read_back, tmp_path / "to_screen.ris")
    ris = (tmp_path / "to_screen.ris").read_text(encoding="utf-8")
    assert f"TI  - {title}\n" in ris and "'=" not in ris and "AU  - -Smith, A\n" in ris
    asreview.write_csv(read_back, tmp_path / "to_screen.csv")  # a CSV is guarded again
    assert "'=HYPERLINK" in (tmp_path / "to_screen.csv").read_text(encoding="utf-8")
