"""The workbook follows its codebook: `reviewflow workbook --upgrade` rewrites a reviewers'
workbook for the current codebook without losing anything typed.

Cells are matched by field name (the header), not by position: every typed cell is kept in its
row under its field's new column, exactly as stored (value, text or number, display format,
comment); a field new in the codebook gets its column with its drop-down, validation and help
(the template writer, `reviewflow.extraction.workbook.build_workbook`). A column that is no
longer in the codebook, a value outside the table or a sheet the codebook does not name is
refused, located, while it holds data. The new workbook is written beside the old one, read
again and compared cell by cell with what was kept; only then is the old one copied to
``<name>.before-upgrade-<time>.xlsx`` and replaced (atomically).
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.core.io import atomic_path
from reviewflow.core.yamlfile import read_yaml
from reviewflow.extraction.codebook import Codebook, Sheet
from reviewflow.extraction.workbook import README_SHEET, build_workbook, unreadable_workbook

GENERATED_SHEETS = {README_SHEET, "lists"}  # remade from the codebook by the template writer
SHOWN_CELLS = 6  # cells named in a message before "and N more"


@dataclass(frozen=True)
class Kept:
    """One typed cell: where it was, where it goes, and what it holds."""

    sheet: str
    old: str  # cell address in the old workbook (E12)
    new: str  # cell address in the upgraded one (same row)
    row: int
    value: Any
    data_type: str
    number_format: str
    comment: str | None = None
    author: str | None = None

    @classmethod
    def of(cls, sheet: str, cell, new: str) -> Kept:
        """The cell `cell` of sheet `sheet`, going to address `new`."""
        return cls(
            sheet=sheet,
            old=cell.coordinate,
            new=new,
            row=cell.row,
            value=cell.value,
            data_type=cell.data_type,
            number_format=cell.number_format,
            comment=cell.comment.text if cell.comment else None,
            author=cell.comment.author if cell.comment else None,
        )


@dataclass
class Upgrade:
    """What an upgrade did: the cells kept, the fields added per sheet, the backup."""

    path: Path
    kept: list[Kept] = field(default_factory=list)
    added: dict[str, list[str]] = field(default_factory=dict)
    dropped_empty: dict[str, list[str]] = field(default_factory=dict)
    backup: Path | None = None

    def summary(self) -> str:
        """One paragraph for the console."""
        lines = [f"{self.path}: upgraded to the codebook, {len(self.kept)} typed cells kept"]
        for sheet, names in self.added.items():
            if names:
                lines.append(f"  {sheet}: new columns {', '.join(names)}")
        for sheet, names in self.dropped_empty.items():
            if names:
                lines.append(f"  {sheet}: empty columns no longer in the codebook removed: "
                             f"{', '.join(names)}")  # fmt: skip
        if self.backup:
            lines.append(f"  the workbook before the upgrade: {self.backup}")
        return "\n".join(lines)


def is_empty(value: Any) -> bool:
    return value is None or value == ""


def cell_list(addresses: list[str]) -> str:
    shown = ", ".join(addresses[:SHOWN_CELLS])
    more = len(addresses) - SHOWN_CELLS
    return shown + (f" and {more} more" if more > 0 else "")


def open_workbook(path: Path) -> Workbook:
    try:
        return load_workbook(path, data_only=False)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ParseError) as error:
        raise InputProblems(str(path), [unreadable_workbook(str(path), error)]) from None


def header_map(sheet: Worksheet) -> dict[int, str]:
    """Column index -> header text of row 1 (non-empty headers only)."""
    headers = {}
    for index in range(1, sheet.max_column + 1):
        value = sheet.cell(row=1, column=index).value
        if not is_empty(value):
            headers[index] = str(value).strip()
    return headers


def filled_cells(sheet: Worksheet, column: int) -> list[str]:
    """Addresses of the data cells (row 2 on) of `column` that hold something."""
    return [
        f"{get_column_letter(column)}{row}"
        for row in range(2, sheet.max_row + 1)
        if not is_empty(sheet.cell(row=row, column=column).value)
    ]


def plan_sheet(
    old: Worksheet, spec: Sheet, codebook_path: str, problems: list[str]
) -> tuple[list[Kept], list[str], list[str]]:
    """The cells of a codebook sheet to keep, the fields it gains and the empty columns it
    loses; problems for data that has no place in the new codebook."""
    headers = header_map(old)
    new_index = {name: i for i, name in enumerate(spec.names, start=1)}
    seen: dict[str, int] = {}
    kept: list[Kept] = []
    dropped: list[str] = []
    for index in range(1, old.max_column + 1):
        letter = get_column_letter(index)
        name = headers.get(index)
        filled = filled_cells(old, index)
        if name is None:
            if filled:
                problems.append(
                    f"{spec.name}!{letter}2: values outside the table (no column header) in "
                    f"{cell_list(filled)}: move them under a field's column or delete them "
                    "before upgrading (nothing typed is dropped)"
                )
            continue
        if name not in new_index:
            if filled:
                problems.append(
                    f"{spec.name}!{letter}1: {name!r}: the field {name} is no longer in the "
                    f"codebook ({codebook_path}) but {len(filled)} cells hold data "
                    f"({cell_list(filled)}): keep the field in the codebook, or move or delete "
                    "that data first (nothing typed is dropped)"
                )
            else:
                dropped.append(name)
            continue
        if name in seen:
            problems.append(
                f"{spec.name}!{letter}1: {name!r}: column {name} appears twice (also "
                f"{get_column_letter(seen[name])}1): merge the two columns first"
            )
            continue
        seen[name] = index
        target = get_column_letter(new_index[name])
        for address in filled:
            cell = old[address]
            kept.append(Kept.of(spec.name, cell, f"{target}{cell.row}"))
    added = [name for name in spec.names if name not in seen]
    return kept, added, dropped


def copy_other_sheet(old: Worksheet, new: Worksheet) -> list[Kept]:
    """A sheet the codebook allows besides its own (`other_sheets`), copied cell by cell."""
    kept = []
    for row in old.iter_rows():
        for cell in row:
            if is_empty(cell.value) and cell.comment is None:
                continue
            kept.append(Kept.of(old.title, cell, cell.coordinate))
    for key, dims in old.column_dimensions.items():
        new.column_dimensions[key].width = dims.width
    return kept


def last_row(kept: list[Kept], sheet: str) -> int:
    """The last row holding a kept cell of `sheet` (1: only the header)."""
    return max((item.row for item in kept if item.sheet == sheet), default=1)


def place(book: Workbook, kept: Iterable[Kept]) -> None:
    """Write each kept cell into the new workbook exactly as it was stored."""
    for item in kept:
        cell = book[item.sheet][item.new]
        cell.value = item.value
        cell.data_type = item.data_type
        cell.number_format = item.number_format
        if item.comment is not None:
            cell.comment = Comment(item.comment, item.author or "reviewflow")


def verify(path: Path, kept: list[Kept]) -> None:
    """Read the written workbook again: every kept cell must hold what it held before."""
    book = load_workbook(path, data_only=False)
    problems = []
    for item in kept:
        cell = book[item.sheet][item.new]
        stored = (cell.value, cell.data_type, cell.number_format)
        if stored != (item.value, item.data_type, item.number_format) or (
            item.comment is not None and (cell.comment is None or cell.comment.text != item.comment)
        ):
            problems.append(
                f"{item.sheet}!{item.old} -> {item.new}: {item.value!r} was written as "
                f"{cell.value!r}: the upgrade is abandoned, the workbook is unchanged"
            )
    raise_if_any(str(path), problems)


def backup_path(path: Path, now: dt.datetime) -> Path:
    """`cases.before-upgrade-20260101-120000.xlsx` beside `path` (never an existing file)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.before-upgrade-{stamp}{path.suffix}")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}.before-upgrade-{stamp}-{number}{path.suffix}")
    return candidate


def upgrade_workbook(
    path: str | Path, codebook: Codebook, now: dt.datetime | None = None
) -> Upgrade:
    """Rewrite the workbook at `path` for `codebook`, keeping every typed cell; raises
    InputProblems (the workbook untouched) when data has no place in the new codebook."""
    path = Path(path)
    old = open_workbook(path)
    result = Upgrade(path=path)
    problems: list[str] = []
    specs = {spec.name: spec for spec in codebook.sheets}
    for name in old.sheetnames:
        if name in specs or name in codebook.other_sheets or name in GENERATED_SHEETS:
            continue
        if any(not is_empty(c.value) for row in old[name].iter_rows() for c in row):
            problems.append(
                f"{name}!A1: {name!r}: a sheet the codebook ({codebook.path}) does not name "
                f"holds data: move it elsewhere, or list it under workbook: other_sheets"
            )
    for spec in codebook.sheets:
        if spec.name not in old.sheetnames:
            result.added[spec.name] = list(spec.names)
            continue
        kept, added, dropped = plan_sheet(old[spec.name], spec, codebook.path, problems)
        result.kept += kept
        result.added[spec.name] = added
        result.dropped_empty[spec.name] = dropped
    raise_if_any(str(path), problems)
    # blank rows as far as the kept cells reach (validation and wrapping cover them), then the
    # kept cells placed exactly as they were stored
    rows = {
        spec.name: [[None] * len(spec.names)] * (last_row(result.kept, spec.name) - 1)
        for spec in codebook.sheets
    }
    book = build_workbook(codebook, rows)
    for name in codebook.other_sheets:
        if name in old.sheetnames and name not in GENERATED_SHEETS:
            sheet = book.create_sheet(name, index=len(codebook.sheets))
            result.kept += copy_other_sheet(old[name], sheet)
    place(book, result.kept)
    now = now or dt.datetime.now()
    with atomic_path(path) as tmp:
        book.save(tmp)
        verify(tmp, result.kept)
        result.backup = backup_path(path, now)
        shutil.copy2(path, result.backup)
    return result


def workbooks_of(folder: Path) -> tuple[str, list[str]]:
    """The codebook and the extraction workbook(s) a review's config/config.yaml names
    (each extractor's copy with double extraction), relative to the review's folder."""
    extraction = read_yaml(Path(folder) / "config" / "config.yaml")["extraction"]
    extractors = list(extraction.get("extractors") or [])
    if not extractors:
        return extraction["codebook"], [extraction["workbook"]]
    pattern = extraction.get("extractor_workbook", "extraction/cases_{extractor}.xlsx")
    return extraction["codebook"], [pattern.format(extractor=name) for name in extractors]
