"""Writing reviewer-facing .xlsx sheets: text stays text, headers frozen, drop-downs, widths.

openpyxl treats any string that starts with "=" as a formula; `set_text` stores such a string as
plain text instead, so a title like "=CMD|..." can never run when a reviewer opens the sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_LIST_FORMULA = 255  # Excel's limit for an inline list of drop-down values


@dataclass
class Column:
    """One column of a reviewer sheet."""

    name: str
    width: float = 14
    allowed: Sequence[str] | None = None  # drop-down values
    prompt: str = ""  # input message shown when the cell is selected
    wrap: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def set_text(cell, value: Any) -> None:
    """Store `value` in `cell`; strings are always stored as text, never as formulas."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_sheet(
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    validation_rows: int = 1000,
) -> None:
    """Fill `sheet`: bold frozen header, widths, wrapped text, drop-downs and input messages."""
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        set_text(cell, column.name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    n_rows = 0
    for n_rows, row in enumerate(rows, start=1):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=n_rows + 1, column=index)
            set_text(cell, value)
            if columns[index - 1].wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    last_row = max(n_rows + 1, validation_rows, 2)
    for index, column in enumerate(columns, start=1):
        add_validation(sheet, index, column, last_row)


def add_validation(sheet: Worksheet, index: int, column: Column, last_row: int) -> None:
    """A drop-down (when `column.allowed`) and/or input message on rows 2..last_row."""
    if not column.allowed and not column.prompt:
        return
    letter = get_column_letter(index)
    if column.allowed:
        formula = '"' + ",".join(column.allowed) + '"'
        if len(formula) > MAX_LIST_FORMULA:
            formula = list_range(sheet.parent, column.name, column.allowed)
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = f"{column.name} must be one of: {', '.join(column.allowed)}"
        validation.errorTitle = f"Invalid {column.name}"
        validation.showErrorMessage = True
    else:
        validation = DataValidation(allow_blank=True)
    if column.prompt:
        validation.prompt = column.prompt[:255]
        validation.promptTitle = column.name[:32]
        validation.showInputMessage = True
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{last_row}")


def list_range(book: Workbook, name: str, values: Sequence[str]) -> str:
    """Long drop-down lists live on a hidden `lists` sheet; returns the range formula."""
    lists = book["lists"] if "lists" in book.sheetnames else book.create_sheet("lists")
    lists.sheet_state = "hidden"
    column = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1
    letter = get_column_letter(column)
    set_text(lists.cell(row=1, column=column), name)
    for row, value in enumerate(values, start=2):
        set_text(lists.cell(row=row, column=column), value)
    return f"lists!${letter}$2:${letter}${len(values) + 1}"
