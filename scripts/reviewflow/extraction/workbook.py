"""The extraction workbook: the blank template made from the codebook, and the validating reader.

The reader returns every cell's raw text exactly as typed, with its address (``cases!E12``). It
checks every cell against the codebook and reports ALL problems at once, each as
``sheet!cell: value: what is wrong: what is allowed``; formulas, merged cells, unknown sheets or
columns, hidden rows or columns, spaces around a value, dates and formatted numbers that the
spreadsheet made out of what was typed are reported, never silently read. Numbers stored as text
are read as the text typed ("37" either way).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from reviewflow.core.archives import unzipped_size_problem
from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.core.io import atomic_path
from reviewflow.core.spreadsheet import Column, write_sheet
from reviewflow.extraction.codebook import Codebook, Field, Sheet
from reviewflow.extraction.raw import RawSheet
from reviewflow.extraction.vocabulary import unknown_phrase_problems

# Display formats under which a stored number shows exactly the digits that were typed.
PLAIN_NUMBER_FORMATS = {"General", "0", "0.0", "0.00", "0.000", "@"}
# A plain number format: "0", "0.0", "#,##0.00" (digits after the point, thousands separators).
NUMBER_FORMAT_RE = re.compile(r"^(#,##)?0(\.(0+))?$")
README_SHEET = "readme"
README_COLUMNS = ["sheet", "column", "label", "type", "allowed", "unit", "help"]
LINE_HEIGHT = 15  # points per line of wrapped text at the default font size


# --- the template -------------------------------------------------------------------------


def sheet_columns(sheet: Sheet) -> list[Column]:
    """Spreadsheet columns of a codebook sheet: header = field name, input message = help."""
    columns = []
    for fld in sheet.fields:
        prompt = f"{fld.label}. {fld.help}"
        if fld.unit:
            prompt += f" Unit: {fld.unit}."
        columns.append(
            Column(
                name=fld.name,
                width=max(fld.width, round(len(fld.name) * 1.2 + 2)),  # the header fits
                allowed=list(fld.words) if fld.kind.drop_down else None,
                prompt=prompt,
                wrap=fld.wrap,
            )
        )
    return columns


def readme_rows(codebook: Codebook) -> list[list[str]]:
    rows = []
    for sheet in codebook.sheets:
        for fld in sheet.fields:
            rows.append(
                [sheet.name, fld.name, fld.label, fld.type, fld.allowed(), fld.unit or "", fld.help]
            )
    return rows


def write_workbook(
    codebook: Codebook,
    path: str | Path,
    rows: dict[str, Sequence[Sequence[Any]]] | None = None,
) -> None:
    """Write a workbook with the codebook's sheets (empty: the blank template), atomically.

    Each sheet has its header row (field names), frozen; drop-downs for choice fields, the help
    text as input message, column widths; a `readme` sheet lists every field.
    """
    book = build_workbook(codebook, rows)
    with atomic_path(path) as tmp:
        book.save(tmp)


def build_workbook(
    codebook: Codebook, rows: dict[str, Sequence[Sequence[Any]]] | None = None
) -> Workbook:
    """The workbook `write_workbook` saves (also the base of an upgraded one:
    reviewflow.extraction.upgrade)."""
    rows = rows or {}
    book = Workbook()
    book.remove(book.active)
    for sheet in codebook.sheets:
        columns = sheet_columns(sheet)
        write_sheet(book.create_sheet(sheet.name), columns, rows.get(sheet.name, []))
        fit_row_heights(book[sheet.name], columns)
    readme = book.create_sheet(README_SHEET)
    widths = [10, 20, 24, 10, 60, 16, 80]
    columns = [
        Column(n, width=w, wrap=n in {"allowed", "help"})
        for n, w in zip(README_COLUMNS, widths, strict=True)
    ]
    write_sheet(readme, columns, readme_rows(codebook), validation_rows=1)
    fit_row_heights(readme, columns)
    if "lists" in book.sheetnames:  # keep the hidden drop-down lists last
        book.move_sheet("lists", offset=len(book.sheetnames))
    book.active = 0
    return book


def fit_row_heights(sheet: Worksheet, columns: Sequence[Column]) -> None:
    """Rows tall enough for their wrapped text (spreadsheets do not grow them on opening)."""
    for row in sheet.iter_rows(min_row=2):
        lines = 1
        for cell, column in zip(row, columns, strict=False):
            if column.wrap and isinstance(cell.value, str):
                per_line = max(column.width - 2, 1)
                lines = max(lines, math.ceil(len(cell.value) / per_line))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = LINE_HEIGHT * lines


# --- the reader ---------------------------------------------------------------------------


def read_workbook(path: str | Path, codebook: Codebook) -> dict[str, RawSheet]:
    """Read and validate every sheet of the codebook in one pass: every cell, the references
    between sheets and, when the codebook was loaded with its vocabulary, every phrase the
    vocabulary does not know; raise InputProblems listing every problem."""
    path = str(path)
    too_large = unzipped_size_problem(path)
    raise_if_any(path, [f"{path}: {too_large}"] if too_large else [])
    try:
        book = load_workbook(path, data_only=False)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ParseError) as error:
        raise InputProblems(path, [unreadable_workbook(path, error)]) from None
    problems: list[str] = []
    expected = [s.name for s in codebook.sheets]
    for name in book.sheetnames:
        if name not in expected and name not in codebook.other_sheets:
            problems.append(
                f"{name}!A1: {name!r}: unknown sheet: only sheets "
                f"{', '.join(expected + list(codebook.other_sheets))} (move its content elsewhere)"
            )
    sheets: dict[str, RawSheet] = {}
    for spec in codebook.sheets:
        if spec.name not in book.sheetnames:
            problems.append(
                f"{spec.name}!A1: '': sheet {spec.name} is missing: "
                f"a sheet named {spec.name} with the columns {', '.join(spec.names)}"
            )
            continue
        sheets[spec.name] = read_sheet(book[spec.name], spec, problems)
    check_references(sheets, codebook, problems)
    check_across_rows_and_sheets(sheets, codebook, problems)
    if codebook.vocabulary is not None and codebook.dataset_sheet in sheets:
        problems += unknown_phrase_problems(
            sheets[codebook.dataset_sheet],
            codebook.vocabulary,
            codebook.sheet(codebook.dataset_sheet),
        )
    raise_if_any(path, problems)
    return sheets


OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")  # an encrypted .xlsx, or an old .xls


def unreadable_workbook(path: str, error: Exception) -> str:
    """Why a workbook cannot be opened, in a reviewer's words."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(8)
    except OSError:
        start = b""
    if start == OLE2_SIGNATURE:
        what = (
            "is password-protected (encrypted) or an old .xls file: save it as an Excel 2007-365 "
            ".xlsx workbook without a password"
        )
    elif isinstance(error, ParseError | KeyError) or zipfile.is_zipfile(path):
        what = (
            f"is damaged ({type(error).__name__}: {error}): restore the last good version "
            "(git checkout -- the file) and redo the latest edits"
        )
    else:
        what = f"cannot be read as an .xlsx workbook ({error}): an Excel workbook"
    return f"{path}: {what}"


def cell_text(cell) -> tuple[str, str | None, str | None]:
    """(raw text, what is wrong, what to do instead) for one cell; text only when all is well."""
    value = cell.value
    if value is None:
        return "", None, None
    if isinstance(value, ArrayFormula | DataTableFormula) or cell.data_type == "f":
        text = value.text if isinstance(value, ArrayFormula) else str(value)
        return text, "is a formula", "type the value itself, as printed in the report"
    if cell.data_type == "e":
        return str(value), "is a spreadsheet error value", "type the value as printed"
    if isinstance(value, bool):
        return str(value).upper(), "is a TRUE/FALSE value", "type the value as printed"
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return (
            str(value),
            "is a date or time (the spreadsheet converted what was typed)",
            "format the cell as Text and type the value as printed",
        )
    if isinstance(value, int | float):
        text = number_text(value)
        fmt = cell.number_format or "General"
        if fmt in PLAIN_NUMBER_FORMATS:
            return text, None, None
        if "%" in fmt:
            return (
                text,
                f"is a number shown as a percentage ({fmt!r}: 27% is stored as 0.27)",
                "format the cell as Text and type the value as printed, e.g. 27%",
            )
        return (
            text,
            f"is a number shown with the display format {fmt!r}",
            "a plain number (General format), or the cell formatted as Text and the value typed "
            "as printed, e.g. 3,260",
        )
    text = str(value)
    if not text.strip():
        return text, "holds only spaces", "an empty cell, or the value as printed"
    if text != text.strip():
        return text, "has leading or trailing spaces", f"the value without them: {text.strip()!r}"
    return text, None, None


def number_text(value: int | float) -> str:
    """The text of a stored number as it was typed: 37 -> "37", 11.2 -> "11.2"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def read_sheet(sheet: Worksheet, spec: Sheet, problems: list[str]) -> RawSheet:
    name = spec.name
    columns, headed = read_header(sheet, spec, problems)
    for merged in sorted(str(r) for r in sheet.merged_cells.ranges):
        first = sheet[merged.split(":")[0]].value
        problems.append(
            f"{name}!{merged}: {'' if first is None else first!r}: merged cells: one value in "
            "each cell (unmerge them; a further patient of the same article has a blank source)"
        )
    for index, fld in columns.items():
        letter = get_column_letter(index)
        if column_hidden(sheet, index):
            problems.append(
                f"{name}!{letter}1: {fld.name!r}: column {letter} is hidden: "
                "every column is read, so unhide it"
            )
    raw = RawSheet(name=name, fields=spec.names, complete=len(columns) == len(spec.fields))
    width = max(sheet.max_column, max(columns, default=0))
    first_seen: dict[str, dict[str, str]] = {}
    for row in range(2, sheet.max_row + 1):
        cells = [sheet.cell(row=row, column=c) for c in range(1, width + 1)]
        if all(c.value is None or c.value == "" for c in cells):
            continue
        if sheet.row_dimensions[row].hidden:
            problems.append(
                f"{name}!A{row}: {cells[0].value if cells[0].value is not None else ''!r}: "
                f"row {row} is hidden: every row is read, so unhide it"
            )
        values: dict[str, str] = {}
        addresses: dict[str, str] = {}
        numbers: list[str] = []
        for cell in cells:
            fld = columns.get(cell.column)
            text, wrong, instead = cell_text(cell)
            if fld is not None and not wrong and fld.kind.number_cell_is_text and is_number(cell):
                text = displayed_number(cell.value, cell.number_format or "General")
                numbers.append(fld.name)
            address = f"{name}!{cell.coordinate}"
            if fld is None:
                if text and cell.column not in headed:  # under a bad header: reported there
                    problems.append(
                        f"{address}: {text!r}: a value outside the table (no column header): "
                        f"values only under the headers {', '.join(spec.names)}"
                    )
                continue
            values[fld.name], addresses[fld.name] = text, address
            if wrong:
                problems.append(f"{address}: {text!r}: {fld.name} {wrong}: {instead}")
                continue
            problem = fld.check(text)
            if problem:
                problems.append(f"{address}: {text!r}: {fld.name} {problem}: {fld.allowed()}")
            elif fld.kind.unique:
                earlier = first_seen.setdefault(fld.name, {}).setdefault(text, address)
                if earlier != address:
                    problems.append(
                        f"{address}: {text!r}: {fld.name} repeats {earlier}: "
                        f"a unique id like {fld.example}"
                    )
        if len(values) == len(spec.fields):
            raw.rows.append(values)
            raw.cells.append(addresses)
            raw.numbers.append(tuple(numbers))
    return raw


def is_number(cell) -> bool:
    """A spreadsheet number (not a formula, a date or TRUE/FALSE)."""
    return isinstance(cell.value, int | float) and not isinstance(cell.value, bool)


def displayed_number(value: int | float, number_format: str) -> str:
    """A number as the spreadsheet shows it: 4.0 formatted "0.0" -> "4.0", 3260 formatted
    "#,##0" -> "3,260"; General shows it as typed without trailing zeros ("4")."""
    match = NUMBER_FORMAT_RE.match(number_format)
    if not match:
        return number_text(value)
    decimals = len(match.group(3) or "")
    return format(value, f"{',' if match.group(1) else ''}.{decimals}f")


def read_header(
    sheet: Worksheet, spec: Sheet, problems: list[str]
) -> tuple[dict[int, Field], set[int]]:
    """Column index -> field from row 1, and the indices of every non-empty header cell;
    unknown, repeated and missing columns are reported."""
    columns: dict[int, Field] = {}
    headed: set[int] = set()
    known = {f.name: f for f in spec.fields}
    allowed = f"column names {', '.join(spec.names)}"
    for index in range(1, sheet.max_column + 1):
        cell = sheet.cell(row=1, column=index)
        text, wrong, instead = cell_text(cell)
        address = f"{spec.name}!{cell.coordinate}"
        if text:
            headed.add(index)
        if wrong:
            problems.append(f"{address}: {text!r}: the column header {wrong}: {instead}")
            continue
        if not text:
            continue
        if text not in known:
            problems.append(f"{address}: {text!r}: unknown column: {allowed}")
        elif known[text] in columns.values():
            problems.append(f"{address}: {text!r}: column {text} appears twice: {allowed}")
        else:
            columns[index] = known[text]
    present = {f.name for f in columns.values()}
    for fld in spec.fields:
        if fld.name not in present:
            problems.append(
                f"{spec.name}!1:1: '': column {fld.name} ({fld.label}) is missing: {allowed}"
            )
    return columns, headed


def column_hidden(sheet: Worksheet, index: int) -> bool:
    for dims in sheet.column_dimensions.values():
        if dims.hidden and dims.min is not None and dims.min <= index <= (dims.max or dims.min):
            return True
    return False


def check_references(sheets: dict[str, RawSheet], codebook: Codebook, problems: list[str]) -> None:
    """Every `ref` field value must be an id of the sheet it references."""
    for spec in codebook.sheets:
        for fld in spec.fields:
            if not fld.kind.links or spec.name not in sheets:
                continue
            target_sheet, _, target_field = fld.references.partition(".")
            if target_sheet not in sheets or not sheets[target_sheet].complete:
                continue  # a missing sheet or column is reported already
            ids = {row[target_field] for row in sheets[target_sheet].rows}
            for row, cells in zip(sheets[spec.name].rows, sheets[spec.name].cells, strict=True):
                value = row[fld.name]
                if value and fld.check(value) is None and value not in ids:
                    problems.append(
                        f"{cells[fld.name]}: {row[fld.name]!r}: {fld.name} is not in "
                        f"{fld.references}: an id listed in sheet {target_sheet}"
                    )


def check_across_rows_and_sheets(
    sheets: dict[str, RawSheet], codebook: Codebook, problems: list[str]
) -> None:
    """The codebook's cross-row and cross-sheet rules of the dataset sheet: a blank cell of a
    field with `continues: <ref field>` continues the row above (same ref), a field with
    `same_as: <sheet.field>` equals that field in the row its ref field names."""
    sheet = sheets.get(codebook.dataset_sheet)
    if sheet is None:
        return
    spec = codebook.sheet(codebook.dataset_sheet)
    previous: dict[str, str | None] = {}
    indexes: dict[str, dict[str, int]] = {}  # per `same_as` field: the other sheet's ids
    for row, cells in zip(sheet.rows, sheet.cells, strict=True):
        for fld in spec.fields:
            if fld.continues and row[fld.name] == "":
                ref = fld.continues
                before = previous.get(ref)
                if row[ref] != before:
                    problems.append(
                        f"{cells[fld.name]}: '': a blank {fld.name} means "
                        f"{fld.blank_means or 'the row above continues'}, but this row's {ref} "
                        f"{row[ref]} differs from {before or 'none (first row)'}: the "
                        f"{fld.name} as printed, or the {ref} of the row above"
                    )
            if fld.same_as:
                if fld.name not in indexes:
                    indexes[fld.name] = same_as_index(fld, sheets, codebook)
                same_as_problem(fld, row, cells, sheets, codebook, problems, indexes[fld.name])
        previous = {name: row[name] for name in spec.names}


def same_as_index(fld: Field, sheets, codebook: Codebook) -> dict[str, int]:
    """The rows of the sheet `fld.same_as` names, by the id its ref field holds (the first row
    of a repeated id); none when that sheet is absent."""
    ref, _ = codebook.lookup(fld.same_as)
    other_name, _, key = ref.references.partition(".")
    other = sheets.get(other_name)
    return other.first_rows(key) if other is not None and other.complete else {}


def same_as_problem(fld: Field, row, cells, sheets, codebook: Codebook, problems, index) -> None:
    """The value differs from the field it must equal in the row its ref field names (`index`:
    `same_as_index`)."""
    ref, target = codebook.lookup(fld.same_as)
    other_name = ref.references.partition(".")[0]
    other = sheets.get(other_name)
    if other is None or not other.complete or fld.check(row[fld.name]) is not None:
        return  # reported already
    found = index.get(row[ref.name])
    if found is None:
        return
    value, other_cells = other.rows[found][target.name], other.cells[found]
    if row[fld.name] != value and target.check(value) is None:
        problems.append(
            f"{cells[fld.name]}: {row[fld.name]!r}: {fld.name} differs from {fld.same_as} "
            f"({other_cells[target.name]}: {value!r}): the {target.name} of {ref.name} "
            f"{row[ref.name]}"
        )
