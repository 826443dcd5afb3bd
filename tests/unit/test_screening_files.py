"""Reading reviewers' screening files: every bad input named with file, line or cell and value,
all at once; .xlsx sheets; file names."""

import string
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from reviewflow.core.archives import MAX_UNZIPPED_BYTES
from reviewflow.core.errors import InputProblems
from reviewflow.core.rule_inputs import decision_file_paths
from reviewflow.screening.decisions import record_id_index
from reviewflow.screening.files import find_decision_files
from reviewflow.screening.folder import read_decisions

from .test_screening import FT_REASONS, TA_REASONS, W1, make_records, rid, write_decisions
from .test_screening import settings as screening_settings

RECORDS = make_records(W1, [1, 2, 3])
IDS = record_id_index(RECORDS)
R1, R2, R3 = (rid(W1, n) for n in [1, 2, 3])


def read(folder):
    return read_decisions(folder, IDS, screening_settings())


def problems_of(folder) -> list[str]:
    with pytest.raises(InputProblems) as error:
        read(folder)
    return error.value.problems


def test_every_bad_input_class_is_reported_at_once_with_file_row_and_value(tmp_path):
    write_decisions(
        tmp_path / "title_abstract_alice.tsv",
        [
            (R1, "exclude", "Wrong topic"),  # line 2: reason not in the list
            ("2024-10-01_2025-03-31:pubmed:99", "include"),  # line 3: unknown record id
            (R2, "exclude"),  # line 4: exclusion without reason
            (R3, "include"),  # line 5 and 6: two different decisions for one record
            (R3, "exclude", TA_REASONS[0]),
        ],
    )
    write_decisions(
        tmp_path / "full_text_bob.tsv",
        [(R1, "reject"), (R2, "include", FT_REASONS[0]), ("", "include")],
    )
    problems = problems_of(tmp_path)
    a = (tmp_path / "title_abstract_alice.tsv").as_posix()
    b = (tmp_path / "full_text_bob.tsv").as_posix()
    expected = [  # files in name order, then repeats
        f"{b}, line 2: decision 'reject' is not one of the full_text decisions: "
        "include, exclude, not_retrieved",
        f"{b}, line 3: reason '{FT_REASONS[0]}' given for decision 'include'; a reason is only "
        "for exclude (clear it or change the decision)",
        f"{b}, line 4: record_id is empty; every decision needs the record_id of a record in "
        "results/dedup/unique_records.tsv",
        f"{a}, line 2: reason 'Wrong topic' is not one of the title_abstract exclusion reasons: "
        + "; ".join(TA_REASONS),
        f"{a}, line 3: record_id '2024-10-01_2025-03-31:pubmed:99' is not a record of "
        "results/dedup/unique_records.tsv (neither a record_id nor a member id)",
        f"{a}, line 4: record '{R2}' is excluded without a reason; give one of the "
        f"title_abstract exclusion reasons: {'; '.join(TA_REASONS)}",
        f"{a}, line 6: alice decided record '{R3}' twice at title_abstract: 'include' "
        f"({a}, line 5) and 'exclude ({TA_REASONS[0]})'; keep one",
    ]
    assert problems == expected
    with pytest.raises(InputProblems, match=r"7 problems, nothing was written"):
        read(tmp_path)


def test_same_decision_twice_across_files_of_one_reviewer_is_kept_once(tmp_path):
    write_decisions(tmp_path / "title_abstract_alice.tsv", [(R1, "include")])
    write_decisions(tmp_path / "title_abstract_alice.round2.tsv", [(R1, " Include ")])
    decisions = read(tmp_path)
    assert [(d.by, d.record_id, d.decision) for d in decisions] == [("alice", R1, "include")]


def test_two_files_of_one_reviewer_that_disagree_are_a_problem(tmp_path):
    write_decisions(tmp_path / "title_abstract_alice.tsv", [(R1, "include")])
    write_decisions(tmp_path / "title_abstract_alice.round2.tsv", [(R1, "maybe")])
    [problem] = problems_of(tmp_path)
    assert "alice decided record" in problem and "'include'" in problem and "'maybe'" in problem


def test_reasons_and_decisions_ignore_case_and_spacing_and_empty_rows_are_undecided(tmp_path):
    write_decisions(
        tmp_path / "full_text_alice.tsv",
        [
            (R1, "EXCLUDE", "  incomplete   clinical REPORT "),
            (R2, "not retrieved"),
            (R3, "", "", "still reading"),
        ],
    )
    decisions = read(tmp_path)
    assert [(d.record_id, d.decision, d.reason) for d in decisions] == [
        (R1, "exclude", "Incomplete clinical report"),
        (R2, "not_retrieved", ""),
    ]


def test_a_reason_without_a_decision_is_a_problem(tmp_path):
    write_decisions(tmp_path / "full_text_alice.tsv", [(R1, "", FT_REASONS[0])])
    [problem] = problems_of(tmp_path)
    assert problem.endswith(
        f"line 2: reason '{FT_REASONS[0]}' without a decision; allowed decisions: "
        "include, exclude, not_retrieved"
    )


def test_missing_columns_are_reported(tmp_path):
    (tmp_path / "title_abstract_alice.csv").write_text("id,choice\nx,include\n")
    [problem] = problems_of(tmp_path)
    assert "no column 'record_id', 'decision' in the header row" in problem


def test_file_names(tmp_path):
    for name in [
        "README.md",
        ".~lock.title_abstract_a.xlsx#",
        "~$title_abstract_a.xlsx",
        "title_abstract_alice.tsv",
        "full_text_bob-2.2025-06.xlsx",
        "title_abstract_resolution.csv",
        "title_abstract_carol.asreview.ris",
        "title_abstract_carol.june.asreview.csv",
        "notes.txt",
        "titleabstract_dave.tsv",
        "full_text_erin.asreview.csv",
        "title_abstract_frank.ris",
        "title_abstract_resolution.asreview.csv",
        "screening_gina.2025-06.xlsx",
        "screening_hal.tsv",
    ]:
        (tmp_path / name).write_text("")
    files, problems = find_decision_files(tmp_path)
    found = sorted((f.path.name, f.stage, f.by, f.asreview) for f in files)
    assert found == [
        ("full_text_bob-2.2025-06.xlsx", "full_text", "bob-2", False),
        ("screening_gina.2025-06.xlsx", "screening", "gina", False),
        ("title_abstract_alice.tsv", "title_abstract", "alice", False),
        ("title_abstract_carol.asreview.ris", "title_abstract", "carol", True),
        ("title_abstract_carol.june.asreview.csv", "title_abstract", "carol", True),
        ("title_abstract_resolution.csv", "title_abstract", "resolution", False),
    ]
    named = sorted(p.split(":")[0].rsplit("/", 1)[1] for p in problems)
    assert named == [
        "full_text_erin.asreview.csv",
        "notes.txt",
        "screening_hal.tsv",
        "title_abstract_frank.ris",
        "title_abstract_resolution.asreview.csv",
        "titleabstract_dave.tsv",
    ]
    assert all("allowed names: <stage>_<reviewer>[.<label>].tsv" in p for p in problems)


def test_xlsx_read_from_the_stage_sheet_with_cell_addresses(tmp_path):
    book = Workbook()
    other = book.active
    other.title = "about"
    other.append(["nothing here"])
    sheet = book.create_sheet("full_text")
    sheet.append(["Record ID", "Decision", "Reason", "Note", "title"])
    sheet.append([R1, "Include", None, None, "A title"])
    sheet.append([R2, "exclude", "Not in the list", None, "B"])
    sheet.append([None, None, None, None, "a row without decision"])
    sheet.append([R3, "exclude", None, "no reason"])
    book.save(tmp_path / "full_text_alice.xlsx")
    problems = problems_of(tmp_path)
    path = (tmp_path / "full_text_alice.xlsx").as_posix()
    assert problems[0].startswith(f"{path}, full_text!C3: reason 'Not in the list' is not one")
    assert problems[1].startswith(f"{path}, full_text!C5: record '{R3}' is excluded without")
    assert len(problems) == 2


def test_resolution_file_is_read_as_resolution(tmp_path):
    write_decisions(tmp_path / "title_abstract_resolution.tsv", [(R1, "exclude", TA_REASONS[1])])
    [decision] = read(tmp_path)
    assert (decision.by, decision.decision, decision.reason) == (
        "resolution",
        "exclude",
        TA_REASONS[1],
    )


def test_an_absent_folder_has_no_decisions(tmp_path):
    assert read(tmp_path / "absent") == []


CELL = st.text(alphabet=string.ascii_letters + string.digits + " ,;'\"-=é", max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([R1, R2, R3]),
            st.sampled_from(["include", "maybe", "exclude"]),
            st.sampled_from(TA_REASONS),
            CELL,
        ),
        max_size=6,
        unique_by=lambda row: row[0],
    ),
    suffix=st.sampled_from(["tsv", "csv"]),
)
def test_any_valid_table_reads_back_its_decisions(tmp_path_factory, rows, suffix):
    folder = tmp_path_factory.mktemp("s")
    path = folder / f"title_abstract_alice.{suffix}"
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t" if suffix == "tsv" else ",")
        writer.writerow(["record_id", "decision", "reason", "note"])
        for record_id, decision, reason, note in rows:
            writer.writerow([record_id, decision, reason if decision == "exclude" else "", note])
    decisions = read(folder)
    expected = sorted(
        (r, d, reason if d == "exclude" else "", note.strip()) for r, d, reason, note in rows
    )
    assert sorted((d.record_id, d.decision, d.reason, d.note) for d in decisions) == expected


def workbook(path, sheets: dict[str, list[list]]) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(["record_id", "decision", "reason", "note"])
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_a_screening_workbook_holds_both_stages(tmp_path):
    workbook(
        tmp_path / "screening_alice.xlsx",
        {
            "title_abstract": [[R1, "include"], [R2, "exclude", TA_REASONS[1]]],
            "full_text": [[R1, "exclude", FT_REASONS[1]]],
            "about": [["a note, not a decision: not read"]],
        },
    )
    decisions = read(tmp_path)
    assert [(d.stage, d.record_id, d.decision) for d in decisions] == [
        ("title_abstract", R1, "include"),
        ("title_abstract", R2, "exclude"),
        ("full_text", R1, "exclude"),
    ]
    assert decisions[2].source.endswith("screening_alice.xlsx, full_text row 2")


def test_decisions_on_the_other_stages_sheet_are_never_ignored(tmp_path):
    workbook(
        tmp_path / "title_abstract_alice.xlsx",
        {"title_abstract": [[R1, "include"]], "full_text": [[R2, ""], [R1, "include"]]},
    )
    [problem] = problems_of(tmp_path)
    assert problem == (
        f"{(tmp_path / 'title_abstract_alice.xlsx').as_posix()}, sheet full_text: 1 decision(s) "
        "(first: full_text row 3) in a file that holds title_abstract decisions only; save the "
        "workbook as screening_alice.xlsx to have both sheets read"
    )


def test_a_screening_workbook_without_stage_sheets_and_a_damaged_file(tmp_path):
    workbook(tmp_path / "screening_alice.xlsx", {"Sheet1": [[R1, "include"]]})
    (tmp_path / "title_abstract_bob.xlsx").write_text("not a zip")
    problems = problems_of(tmp_path)
    assert problems[0].endswith(
        "screening_alice.xlsx: no sheet named title_abstract or full_text (sheets: Sheet1); a "
        "screening_<reviewer>.xlsx holds one sheet per stage"
    )
    assert "title_abstract_bob.xlsx: cannot be read as a .xlsx file (" in problems[1]


def test_a_hidden_sheet_with_decisions_is_refused_and_a_hidden_list_sheet_is_not(tmp_path):
    """A hidden sheet is never read: when it holds decisions the file is refused, the sheet
    named; the hidden `lists` sheet of the drop-down lists (no record ids) is left alone."""
    path = tmp_path / "screening_alice.xlsx"
    workbook(
        path,
        {
            "title_abstract": [[R1, "include"]],
            "full_text": [[R1, "include"]],
            "old decisions": [[R2, ""], [R2, "include"], [R3, "exclude", TA_REASONS[1]]],
        },
    )
    book = load_workbook(path)
    book["old decisions"].sheet_state = "hidden"
    lists = book.create_sheet("lists")
    lists.append(["decision", "reason"])
    lists.append(["include", TA_REASONS[1]])
    lists.sheet_state = "hidden"
    book.save(path)
    assert problems_of(tmp_path) == [
        f"{path.as_posix()}, sheet old decisions: 2 decision(s) (first: old decisions row 3) "
        "on a hidden sheet, which is not read: unhide it (then it is read, or refused by name "
        "when it is not a stage's sheet)"
    ]
    book["old decisions"].sheet_state = "visible"
    book.remove(book["old decisions"])
    book.save(path)
    assert [d.record_id for d in read(tmp_path)] == [R1, R1]


# --- issue 24 item 4: no decision is dropped (every sheet, cell shape and file read or refused)


def test_a_renamed_decision_sheet_is_refused_not_dropped(tmp_path):
    workbook(
        tmp_path / "screening_alice.xlsx",
        {"TA": [[R1, "include"], [R2, "include"]], "full_text": [[R1, "include"]]},
    )
    workbook(
        tmp_path / "title_abstract_bob.xlsx",
        {"title_abstract": [[R1, "include"]], "TA (2)": [[R3, "include"]]},
    )
    a, b = ((tmp_path / n).as_posix() for n in ("screening_alice.xlsx", "title_abstract_bob.xlsx"))
    assert problems_of(tmp_path) == [
        f"{a}, sheet TA: 2 decision(s) (first: TA row 2) on a sheet that is not read: this file "
        "reads the sheets title_abstract and full_text; rename the sheet after its stage "
        "(title_abstract or full_text) or move its decisions there",
        f"{b}, sheet TA (2): 1 decision(s) (first: TA (2) row 2) on a sheet that is not read: "
        "this file reads one sheet: title_abstract (else the first), here title_abstract; rename "
        "the sheet after its stage (title_abstract or full_text) or move its decisions there",
    ]


def test_merged_decision_cells_are_refused(tmp_path):
    path = tmp_path / "title_abstract_alice.xlsx"
    workbook(path, {"title_abstract": [[R1, "include"], [R2, None], [R3, None]]})
    book = load_workbook(path)
    book["title_abstract"].merge_cells("B2:B4")
    book.save(path)
    assert problems_of(tmp_path) == [
        f"{path.as_posix()}, title_abstract!B2:B4: 'include' in merged cells: only B2 holds it; "
        "unmerge the cells and type the value in each row"
    ]


def test_a_decision_file_in_a_subfolder_is_refused_and_is_an_input(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / ".git").mkdir()
    write_decisions(tmp_path / "old" / "title_abstract_alice.tsv", [(R1, "include")])
    write_decisions(tmp_path / ".git" / "title_abstract_alice.tsv", [(R1, "include")])
    folder = tmp_path.as_posix()
    assert problems_of(tmp_path) == [
        f"{folder}/old/title_abstract_alice.tsv: a file in a subfolder of {folder}/ is not "
        f"read: move it into {folder}/ to have its decisions read, or out of {folder}/ to keep "
        "it unread"
    ]
    # an input of the screening rule: adding or changing it reruns the rule, which refuses it
    assert decision_file_paths(tmp_path) == [str(tmp_path / "old" / "title_abstract_alice.tsv")]


def test_a_column_named_twice_is_refused_not_resolved_by_the_last(tmp_path):
    (tmp_path / "title_abstract_alice.tsv").write_text(
        f"record_id\tdecision\treason\tDecision\n{R1}\tinclude\t\texclude\n", encoding="utf-8"
    )
    path = tmp_path / "full_text_bob.xlsx"
    book = Workbook()
    book.active.append(["record_id", "decision", "decision"])
    book.active.append([R1, "include", "exclude"])
    book.save(path)
    assert problems_of(tmp_path) == [
        f"{path.as_posix()}: the header names column 'decision' 2 times (B1, C1); keep one "
        "column 'decision' (rename or delete the others)",
        f"{(tmp_path / 'title_abstract_alice.tsv').as_posix()}: the header names column "
        "'decision' 2 times (column 2, column 4); keep one column 'decision' (rename or delete "
        "the others)",
    ]


def test_a_reviewer_named_in_any_alphabet_is_read(tmp_path):
    write_decisions(tmp_path / "title_abstract_josé.tsv", [(R1, "include")])
    nfd = unicodedata.normalize("NFD", "full_text_josé.tsv")  # as macOS may store it
    write_decisions(tmp_path / nfd, [(R1, "include")])
    write_decisions(tmp_path / "title_abstract_王.tsv", [(R1, "include")])
    decisions = read(tmp_path)
    assert sorted((d.stage, d.by) for d in decisions) == [
        ("full_text", "josé"),
        ("title_abstract", "josé"),
        ("title_abstract", "王"),
    ]
    (tmp_path / "title_abstract_jo sé.tsv").write_text("", encoding="utf-8")
    [problem] = problems_of(tmp_path)
    assert "'title_abstract_jo sé.tsv' is not a screening file name" in problem
    assert problem.endswith(
        "<reviewer> and <label> made of letters (any alphabet), digits and '-' (no space, '_' "
        "or '.')"
    )


def test_a_screening_workbook_that_inflates_beyond_the_bound_is_refused_unopened(tmp_path):
    path = tmp_path / "title_abstract_alice.xlsx"
    workbook(path, {"title_abstract": [[R1, "include"]]})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(MAX_UNZIPPED_BYTES // len(block) + 1):
                member.write(block)
    assert path.stat().st_size < 1024 * 1024  # a small file ...
    [problem] = problems_of(tmp_path)
    assert problem == (  # ... refused before openpyxl inflates it
        f"{path.as_posix()}, inflates to 201 MB in 10 files (at most 200 MB and 10000 "
        "files are read; a workbook of a review holds far less): save only the sheets the "
        "review reads, without embedded files, in a new workbook"
    )
