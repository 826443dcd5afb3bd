"""`reviewflow workbook --upgrade`: the workbook rewritten for a changed codebook keeps every
typed cell (by field name, exactly as stored), gains the new fields with their drop-downs and
help, refuses (located) a removed field that holds data, and never loses the old file."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.comments import Comment

from reviewflow.cli import main
from reviewflow.core.errors import InputProblems
from reviewflow.extraction import upgrade as upgrade_module
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.upgrade import upgrade_workbook
from reviewflow.extraction.workbook import read_workbook, write_workbook
from reviewflow.new_review import STARTER, create_review

NOW = dt.datetime(2026, 1, 2, 3, 4, 5)
ROWS = {
    "cases": [
        ["C01", "S01", 2020, "Female", 34, "Pain, fever", "Recovered"],
        ["C02", "S01", 2020, "Male", "NR", "Fatigue", None],
    ],
    "studies": [["S01", "Example", 2020, None, None, None, None]],
}
NEW_FIELDS = [
    {"name": "treatment", "label": "Treatment", "type": "choice",
     "words": ["Surgery", "Steroids", "NR"], "help": "Initial treatment."},
    {"name": "follow_up", "label": "Follow-up", "type": "number", "unit": "months",
     "words": ["NR"], "range": [0, 600], "help": "Follow-up in months, or NR."},
]  # fmt: skip


def starter_codebook(tmp_path: Path, change=None) -> Path:
    """The starter's codebook (as written by new-review), changed by `change(data)`."""
    data = yaml.safe_load((STARTER / "extraction" / "codebook.yaml").read_text())
    if change:
        change(data)
    path = tmp_path / f"codebook_{len(list(tmp_path.glob('codebook_*')))}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def cases_fields(data) -> list:
    return data["workbook"]["sheets"][0]["fields"]


def old_workbook(tmp_path: Path, mutate=None) -> Path:
    path = tmp_path / "cases.xlsx"
    write_workbook(load_codebook(starter_codebook(tmp_path)), path, ROWS)
    if mutate:
        book = load_workbook(path)
        mutate(book)
        book.save(path)
    return path


def reorder_add_drop_outcome(data) -> None:
    fields = cases_fields(data)
    by_name = {f["name"]: f for f in fields}
    order = ["case_id", "study_id", "sex", "year", "age", "symptoms"]  # sex moved, outcome gone
    fields[:] = [by_name[name] for name in order] + NEW_FIELDS


def test_every_typed_cell_kept_by_field_name_new_fields_with_validation(tmp_path):
    def mutate(book):
        cases = book["cases"]
        cases["G2"] = None  # outcome emptied: the column may go
        cases["G3"] = None
        cases["E2"].number_format = "@"  # a number kept with its display format
        cases["F3"].comment = Comment("checked twice", "ana")
        book["studies"]["A5"] = "S09"  # a row further down, after blank rows

    path = old_workbook(tmp_path, mutate)
    before = path.read_bytes()
    codebook = load_codebook(starter_codebook(tmp_path, reorder_add_drop_outcome))
    result = upgrade_workbook(path, codebook, now=NOW)

    book = load_workbook(path)
    cases = book["cases"]
    header = [c.value for c in cases[1]]
    assert header == ["case_id", "study_id", "sex", "year", "age", "symptoms", "treatment",
                      "follow_up"]  # fmt: skip
    assert [c.value for c in cases[2]][:6] == ["C01", "S01", "Female", 2020, 34, "Pain, fever"]
    assert [c.value for c in cases[3]][:6] == ["C02", "S01", "Male", 2020, "NR", "Fatigue"]
    assert cases["E2"].number_format == "@" and cases["E2"].data_type == "n"
    assert cases["F3"].comment.text == "checked twice"
    assert book["studies"]["A5"].value == "S09"
    validations = {str(v.sqref): v for v in cases.data_validations.dataValidation}
    assert validations["G2:G1000"].formula1 == '"Surgery,Steroids,NR"'
    assert "Follow-up in months" in validations["H2:H1000"].prompt
    readme = [row[1] for row in book["readme"].iter_rows(min_row=2, values_only=True)]
    assert "treatment" in readme and "outcome" not in readme

    assert result.added == {"cases": ["treatment", "follow_up"], "studies": []}
    assert result.dropped_empty["cases"] == ["outcome"]
    assert result.backup == tmp_path / "cases.before-upgrade-20260102-030405.xlsx"
    assert result.backup.read_bytes() == before
    assert len(result.kept) == 6 + 6 + 3 + 1  # two cases (outcome emptied), S01, S09
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cases")]


def test_a_removed_field_holding_data_is_refused_located_and_nothing_changes(tmp_path):
    path = old_workbook(tmp_path)
    before = path.read_bytes()
    codebook = load_codebook(starter_codebook(tmp_path, reorder_add_drop_outcome))
    with pytest.raises(InputProblems) as caught:
        upgrade_workbook(path, codebook, now=NOW)
    assert caught.value.problems == [
        f"cases!G1: 'outcome': the field outcome is no longer in the codebook ({codebook.path}) "
        "but 1 cells hold data (G2): keep the field in the codebook, or move or delete that data "
        "first (nothing typed is dropped)"
    ]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == ["cases.xlsx"]


def test_data_outside_the_table_and_unknown_sheets_are_refused(tmp_path):
    def mutate(book):
        book["cases"]["K7"] = "a note"
        book.create_sheet("notes")["B2"] = "to do"

    path = old_workbook(tmp_path, mutate)
    with pytest.raises(InputProblems) as caught:
        upgrade_workbook(path, load_codebook(starter_codebook(tmp_path)), now=NOW)
    problems = caught.value.problems
    assert problems[0].startswith("notes!A1: 'notes': a sheet the codebook")
    assert problems[1].startswith("cases!K2: values outside the table (no column header) in K7")


def test_a_failed_check_of_the_new_file_leaves_the_old_one(tmp_path, monkeypatch):
    path = old_workbook(tmp_path)
    before = path.read_bytes()

    def corrupt(book, kept):
        original(book, kept)
        book["cases"]["A2"].value = "C99"  # as if a cell were written wrong

    original = upgrade_module.place
    monkeypatch.setattr(upgrade_module, "place", corrupt)
    with pytest.raises(InputProblems) as caught:
        upgrade_workbook(path, load_codebook(starter_codebook(tmp_path)), now=NOW)
    assert "cases!A2 -> A2: 'C01' was written as 'C99'" in caught.value.problems[0]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == ["cases.xlsx"]


def test_an_upgraded_starter_workbook_reads_as_before(tmp_path):
    review = tmp_path / "review"
    create_review(review)
    codebook = load_codebook(
        review / "extraction/codebook.yaml", review / "extraction/vocabulary.yaml"
    )
    before = read_workbook(review / "extraction/cases.xlsx", codebook)
    upgrade_workbook(review / "extraction/cases.xlsx", codebook, now=NOW)
    after = read_workbook(review / "extraction/cases.xlsx", codebook)
    for sheet in ("cases", "studies"):
        assert after[sheet].rows == before[sheet].rows
        assert after[sheet].cells == before[sheet].cells


def test_workbook_command_blank_where_none_and_never_over_a_workbook(tmp_path, capsys):
    review = tmp_path / "review"
    create_review(review)
    workbook = review / "extraction/cases.xlsx"
    before = workbook.read_bytes()
    assert main(["workbook", str(review)]) == 2
    assert "exists: `reviewflow workbook --upgrade`" in capsys.readouterr().err
    assert workbook.read_bytes() == before
    workbook.unlink()
    assert main(["workbook", str(review)]) == 0
    blank = load_workbook(workbook)
    assert blank["cases"].max_row == 1 and blank["cases"]["A1"].value == "case_id"
    assert main(["workbook", str(review), "--upgrade"]) == 0
    assert "0 typed cells kept" in capsys.readouterr().out
