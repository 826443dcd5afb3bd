import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from reviewflow.core.io import atomic_write, guard_cell, write_table
from reviewflow.core.spreadsheet import Column, write_sheet


@pytest.mark.parametrize("text", ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_guard_cell_prefixes_formula_starts(text):
    assert guard_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Male", "", 3, -2.5, None, "a=b"])
def test_guard_cell_leaves_other_values(value):
    assert guard_cell(value) == value


def test_write_table_guards_text_but_not_numbers(tmp_path):
    path = tmp_path / "t.tsv"
    write_table(pd.DataFrame({"title": ["=HYPERLINK(1)", "ok"], "n": [-1, 2]}), path)
    assert path.read_text().splitlines() == ["title\tn", "'=HYPERLINK(1)\t-1", "ok\t2"]


def test_atomic_write_leaves_old_file_on_error(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_write_sheet_keeps_formula_like_text_as_text(tmp_path):
    book = Workbook()
    write_sheet(
        book.active,
        [Column("title"), Column("decision", allowed=["include", "exclude"])],
        [["=cmd|' /C calc'!A0", "include"]],
    )
    path = tmp_path / "s.xlsx"
    book.save(path)
    sheet = load_workbook(path).active
    assert sheet["A2"].value == "=cmd|' /C calc'!A0"
    assert sheet["A2"].data_type == "s"
    assert sheet.freeze_panes == "A2"
    assert sheet.data_validations.dataValidation[0].formula1 == '"include,exclude"'


def test_atomic_write_gives_usual_permissions(tmp_path):
    import os

    path = tmp_path / "out.txt"
    with atomic_write(path) as handle:
        handle.write("x")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
