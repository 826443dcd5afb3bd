"""Reading the reviewers' screening files (extraction/screening/), checking every row.

File names (the stage first, then who):

    title_abstract_<reviewer>.tsv|.csv|.xlsx   one reviewer's title/abstract decisions
    full_text_<reviewer>.tsv|.csv|.xlsx        one reviewer's full-text decisions
    title_abstract_resolution.tsv|.csv|.xlsx   decisions that settle conflicts (and override)
    full_text_resolution.tsv|.csv|.xlsx
    screening_<reviewer>.xlsx                  both stages: sheets `title_abstract`, `full_text`
                                               (results/screening/to_screen.xlsx, filled in)
    screening_resolution.xlsx
    title_abstract_<reviewer>.asreview.csv|.tsv|.xlsx|.ris   ASReview's labelled export, read as
                                               that reviewer's title/abstract decisions

A reviewer may have several files for one stage, told apart by a label before the suffix
(`title_abstract_alice.2025-06.xlsx`, `title_abstract_alice.round2.asreview.csv`): they are read
together as that reviewer's decisions, so each round's sheet can be saved as a new file.

A reviewer name is letters, digits and "-". Columns (header row, any order, any case):
`record_id`, `decision`, `reason` (for an exclusion), `note`; other columns are ignored, so the
generated results/screening/to_screen.xlsx can be filled in and saved here as it is. A stage's
.xlsx is read from its sheet named after the stage, else its first sheet; decisions on the other
stage's sheet of such a file are a problem (never silently ignored). Rows without a decision are
skipped (not decided yet).

Every problem of every file is collected and reported at once (`InputProblems`), each with the
file, the line or cell, the value and what is allowed: an unknown record id, a decision or reason
not in the list, an exclusion without reason, a reason without exclusion, and two different
decisions by one reviewer for one record.
"""

from __future__ import annotations

import csv
import re
import unicodedata
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from reviewflow.core.archives import unzipped_size_problem
from reviewflow.core.errors import raise_if_any
from reviewflow.core.rule_inputs import decision_file_paths, is_ignored  # noqa: F401
from reviewflow.screening.decisions import (
    DECISIONS,
    EXCLUDE,
    RESOLUTION,
    STAGES,
    Decision,
    ScreeningSettings,
    canonical_decision,
)

# A reviewer name or label: letters of any alphabet (josé, 王), digits and "-"; the file name is
# read in Unicode's composed form (NFC), as macOS may store "é" as "e" + an accent.
FILE_NAME = re.compile(
    r"^(?P<stage>title_abstract|full_text|screening)_(?P<who>(?:[^\W_]|-)+)"
    r"(?:\.(?P<part>(?!asreview\.)(?:[^\W_]|-)+))?"
    r"(?P<asreview>\.asreview)?\.(?P<ext>tsv|csv|xlsx|ris)$"
)
TABLE_SUFFIXES = ("tsv", "csv", "xlsx")
ASREVIEW_SUFFIXES = ("csv", "tsv", "xlsx", "ris")
REQUIRED_COLUMNS = ("record_id", "decision")
# What reading a damaged or mislabelled file raises (a zip that is not a workbook, bad UTF-8, ...)
# The columns of a reviewer's table that are read (a formula in them is refused).
DECISION_COLUMNS = ("record_id", "decision", "reason", "note")
UNREADABLE = (OSError, ValueError, KeyError, csv.Error, zipfile.BadZipFile, InvalidFileException)
BOTH_STAGES = "screening"  # the file-name stage of a workbook with a sheet per stage
OPTIONAL_COLUMNS = ("reason", "note")


@dataclass(frozen=True)
class DecisionFile:
    path: Path
    stage: str
    by: str  # reviewer name, or RESOLUTION
    asreview: bool  # an ASReview labelled export

    @property
    def display(self) -> str:
        return self.path.as_posix()


def find_decision_files(folder: str | Path) -> tuple[list[DecisionFile], list[str]]:
    """The decision files of `folder` (sorted), and a problem for every file badly named."""
    folder = Path(folder)
    files, problems = [], []
    for name in decision_file_paths(folder):
        path = Path(name)
        if path.parent != folder:
            problems.append(
                f"{path.as_posix()}: a file in a subfolder of {folder.as_posix()}/ is not read: "
                f"move it into {folder.as_posix()}/ to have its decisions read, or out of "
                f"{folder.as_posix()}/ to keep it unread"
            )
            continue
        match = FILE_NAME.match(unicodedata.normalize("NFC", path.name))
        problem = None
        if not match:
            problem = f"file name {path.name!r} is not a screening file name"
        elif match["asreview"] and (
            match["stage"] != "title_abstract" or match["who"] == RESOLUTION
        ):
            problem = (
                f"file name {path.name!r}: an ASReview export holds one reviewer's "
                "title/abstract decisions"
            )
        elif match["stage"] == BOTH_STAGES and (match["asreview"] or match["ext"] != "xlsx"):
            problem = (
                f"file name {path.name!r}: only an .xlsx workbook with the sheets "
                "title_abstract and full_text holds both stages"
            )
        elif not match["asreview"] and match["ext"] not in TABLE_SUFFIXES:
            problem = (
                f"file name {path.name!r}: a .{match['ext']} file must be an ASReview export "
                "(<stage>_<reviewer>.asreview.ris)"
            )
        if problem:
            problems.append(
                f"{path.as_posix()}: {problem}; allowed names: "
                "<stage>_<reviewer>[.<label>].tsv|.csv|.xlsx, "
                "<stage>_resolution[.<label>].tsv|.csv|.xlsx, "
                "screening_<reviewer>[.<label>].xlsx, "
                "title_abstract_<reviewer>[.<label>].asreview.csv|.tsv|.xlsx|.ris, with <stage> "
                "title_abstract or full_text, <reviewer> and <label> made of letters (any "
                "alphabet), digits and '-' (no space, '_' or '.')"
            )
            continue
        files.append(
            DecisionFile(path, match["stage"], match["who"], asreview=bool(match["asreview"]))
        )
    return files, problems


# ---------------------------------------------------------------------------------------------
# Tables as rows with their places


@dataclass(frozen=True)
class Row:
    """One data row of a reviewer table: values by (normalised) column name, and their places."""

    values: Mapping[str, str]
    places: Mapping[str, str]  # column -> "line 7" (TSV/CSV) or "sheet!C7" (xlsx)
    where: str  # the row as a whole: "line 7" or "sheet row 7"

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def place(self, column: str) -> str:
        return self.places.get(column, self.where)


def normalise_header(name: object) -> str:
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def cell_text(value: object) -> str:
    """A cell as text: numbers typed in Excel (12.0) read as 12; None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


Table = tuple[list[str], list[Row]]  # normalised header, non-blank rows


def read_table_rows(path: Path, read_columns: Collection[str] = DECISION_COLUMNS) -> Table:
    """Header and rows of a .tsv, .csv, or .xlsx file (its first visible sheet); a formula in
    one of `read_columns` is refused (see read_xlsx_sheets)."""
    if path.suffix.lower() == ".xlsx":
        sheets = read_xlsx_sheets(path, read_columns)
        return next(iter(sheets.values()), ([], []))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = [normalise_header(h) for h in next(reader, [])]
        rows = []
        for cells in reader:
            line = reader.line_num
            values = {
                name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
            }
            if any(values.values()):
                where = f"line {line}"
                rows.append(Row(values, {name: where for name in header}, where))
    return header, rows


def read_xlsx_sheets(
    path: Path, read_columns: Collection[str] = DECISION_COLUMNS
) -> dict[str, Table]:
    """Every visible sheet of a workbook, in order: title -> (header, rows). A formula in a
    header or in one of `read_columns` is refused, its cell named (its cached value is whatever
    the program that saved it computed, or nothing), and so are merged cells over one of
    `read_columns` (only their first cell holds the value) and a hidden sheet holding decisions
    (record ids with a decision: never dropped unseen): InputProblems listing every such
    cell or sheet."""
    too_large = unzipped_size_problem(path)
    raise_if_any(str(path), [too_large] if too_large else [])
    book = load_workbook(path, data_only=False)
    problems: list[str] = []
    try:
        sheets = {
            sheet.title: read_sheet(sheet, problems, read_columns)
            for sheet in book.worksheets
            if sheet.sheet_state == "visible"
        }
        for sheet in book.worksheets:
            decided = decided_rows(sheet) if sheet.sheet_state != "visible" else []
            if decided:
                problems.append(
                    f"sheet {sheet.title}: {len(decided)} decision(s) (first: {decided[0].where}) "
                    "on a hidden sheet, which is not read: unhide it (then it is read, or refused "
                    "by name when it is not a stage's sheet)"
                )
    finally:
        book.close()
    raise_if_any(str(path), problems)
    return sheets


def decided_rows(sheet) -> list[Row]:
    """The rows of a sheet with both a record id and a decision (none on the hidden `lists`
    sheet of a workbook's drop-down lists: it has no record ids)."""
    _, rows = read_sheet(sheet, [], ())
    return [row for row in rows if row.get("record_id") and row.get("decision")]


def read_sheet(sheet, formulas: list[str], read_columns: Collection[str]) -> Table:
    rows_iter = sheet.iter_rows()
    header_cells = next(rows_iter, ())
    check_formulas(sheet.title, header_cells, formulas)
    header = [normalise_header(c.value) for c in header_cells]
    read = {i for i, name in enumerate(header) if name in read_columns}
    for merged in sorted(sheet.merged_cells.ranges, key=str):
        if any(merged.min_col <= i + 1 <= merged.max_col for i in read):
            first = sheet.cell(merged.min_row, merged.min_col)
            formulas.append(
                f"{sheet.title}!{merged.coord}: {cell_text(first.value)!r} in merged cells: "
                f"only {first.coordinate} holds it; unmerge the cells and type the value in "
                "each row"
            )
    rows = []
    for number, cells in enumerate(rows_iter, start=2):
        check_formulas(sheet.title, [c for i, c in enumerate(cells) if i in read], formulas)
        values = {
            name: cell_text(cells[i].value if i < len(cells) else None)
            for i, name in enumerate(header)
            if name
        }
        if any(values.values()):
            places = {
                name: f"{sheet.title}!{get_column_letter(i + 1)}{number}"
                for i, name in enumerate(header)
                if name
            }
            rows.append(Row(values, places, f"{sheet.title} row {number}"))
    return header, rows


def check_formulas(title: str, cells, formulas: list[str]) -> None:
    """A cell holding a formula is a problem, named by its cell."""
    for cell in cells:
        if getattr(cell, "data_type", None) == "f":
            formulas.append(
                f"{title}!{cell.coordinate}: {str(cell.value)!r}: a formula: type the value "
                "itself (a decision, reason or record id), not a formula"
            )


# ---------------------------------------------------------------------------------------------
# Checking rows -> decisions


@dataclass
class Checker:
    """Checks rows of every file against the records and the settings; collects problems."""

    ids: Mapping[str, str]  # any id a reviewer may type -> unique record id
    settings: ScreeningSettings
    problems: list[str]

    def record_id(self, file: DecisionFile, row: Row, column: str = "record_id") -> str | None:
        given = row.get(column)
        if not given:
            self.problems.append(
                f"{file.display}, {row.place(column)}: {column} is empty; every decision needs "
                "the record_id of a record in results/dedup/unique_records.tsv"
            )
            return None
        if given not in self.ids:
            self.problems.append(
                f"{file.display}, {row.place(column)}: record_id {given!r} is not a record of "
                "results/dedup/unique_records.tsv (neither a record_id nor a member id)"
            )
            return None
        return self.ids[given]

    def reason(
        self, file: DecisionFile, stage: str, row: Row, decision: str | None, text: str
    ) -> str | None:
        """The canonical reason of a row (or "" for a non-exclusion); None after a problem."""
        if decision == EXCLUDE:
            if not text:
                self.problems.append(
                    f"{file.display}, {row.place('reason')}: record "
                    f"{row.get('record_id')!r} is excluded without a reason; give one of the "
                    f"{stage} exclusion reasons: {'; '.join(self.settings.reasons[stage])}"
                )
                return None
            reason = self.settings.canonical_reason(stage, text)
            if reason is None:
                self.problems.append(
                    f"{file.display}, {row.place('reason')}: reason {text!r} is not one of the "
                    f"{stage} exclusion reasons: {'; '.join(self.settings.reasons[stage])}"
                )
            return reason
        if text and decision is not None:
            self.problems.append(
                f"{file.display}, {row.place('reason')}: reason {text!r} given for decision "
                f"{decision!r}; a reason is only for exclude (clear it or change the decision)"
            )
            return None
        return ""

    def table_row(self, file: DecisionFile, stage: str, row: Row) -> Decision | None:
        text = row.get("decision")
        if not text:
            if row.get("reason"):
                self.problems.append(
                    f"{file.display}, {row.place('reason')}: reason {row.get('reason')!r} "
                    f"without a decision; allowed decisions: {', '.join(DECISIONS[stage])}"
                )
            return None  # not decided yet
        decision = canonical_decision(stage, text)
        if decision is None:
            self.problems.append(
                f"{file.display}, {row.place('decision')}: decision {text!r} is not one of the "
                f"{stage} decisions: {', '.join(DECISIONS[stage])}"
            )
        record_id = self.record_id(file, row)
        reason = self.reason(file, stage, row, decision, row.get("reason"))
        if decision is None or record_id is None or reason is None:
            return None
        return Decision(
            record_id=record_id,
            stage=stage,
            by=file.by,
            decision=decision,
            reason=reason,
            note=row.get("note"),
            source=f"{file.display}, {row.where}",
        )


def stage_tables(file: DecisionFile, problems: list[str]) -> list[tuple[str, Table]]:
    """The (stage, table) pairs that a reviewer or resolution file holds."""
    if file.path.suffix.lower() != ".xlsx":
        return [(file.stage, read_table_rows(file.path))]
    sheets = read_xlsx_sheets(file.path)
    if file.stage == BOTH_STAGES:
        tables = [(stage, sheets[stage]) for stage in STAGES if stage in sheets]
        if not tables:
            problems.append(
                f"{file.display}: no sheet named title_abstract or full_text (sheets: "
                f"{', '.join(sheets)}); a screening_<reviewer>.xlsx holds one sheet per stage"
            )
        if tables:  # (else the problem above names every sheet)
            problems += unread_sheet_problems(file, sheets, [stage for stage, _ in tables])
        return tables
    chosen = file.stage if file.stage in sheets else next(iter(sheets), None)
    if chosen is None:
        return []
    problems += unread_sheet_problems(file, sheets, [chosen])
    return [(file.stage, sheets[chosen])]


def unread_sheet_problems(file: DecisionFile, sheets: Mapping[str, Table], read: list[str]):
    """A sheet of `file` that is not read but holds decisions is a problem: a decision is never
    dropped because its sheet was renamed (`title_abstract` -> `TA`) or added."""
    problems = []
    for title, (_, rows) in sheets.items():
        decided = [row for row in rows if row.get("decision")]
        if title in read or not decided:
            continue
        first = f"{len(decided)} decision(s) (first: {decided[0].where})"
        if file.stage != BOTH_STAGES and title in STAGES:
            problems.append(
                f"{file.display}, sheet {title}: {first} in a file that holds {file.stage} "
                f"decisions only; save the workbook as {BOTH_STAGES}_{file.by}.xlsx to have both "
                "sheets read"
            )
        else:
            reads = (
                "the sheets title_abstract and full_text"
                if file.stage == BOTH_STAGES
                else f"one sheet: {file.stage} (else the first), here {read[0]}"
            )
            problems.append(
                f"{file.display}, sheet {title}: {first} on a sheet that is not read: this file "
                f"reads {reads}; rename the sheet after its stage (title_abstract or full_text) "
                "or move its decisions there"
            )
    return problems


def read_reviewer_table(file: DecisionFile, checker: Checker) -> list[Decision]:
    decisions = []
    for stage, (header, rows) in stage_tables(file, checker.problems):
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            checker.problems.append(
                f"{file.display}: no column {', '.join(repr(c) for c in missing)} in the header "
                f"row; a screening file has the columns record_id, decision, reason, note"
            )
            continue
        twice = duplicate_column_problems(file, header)
        if twice:
            checker.problems.extend(twice)
            continue
        decisions += [checker.table_row(file, stage, row) for row in rows]
    return [d for d in decisions if d is not None]


def duplicate_column_problems(file: DecisionFile, header: Sequence[str]) -> list[str]:
    """A column that is read (record_id, decision, reason, note) named twice in the header: which
    one holds the decisions cannot be guessed (the last one used to win)."""
    xlsx = file.path.suffix.lower() == ".xlsx"
    problems = []
    for name in DECISION_COLUMNS:
        places = [
            f"{get_column_letter(i + 1)}1" if xlsx else f"column {i + 1}"
            for i, column in enumerate(header)
            if column == name
        ]
        if len(places) > 1:
            problems.append(
                f"{file.display}: the header names column {name!r} {len(places)} times "
                f"({', '.join(places)}); keep one column {name!r} (rename or delete the others)"
            )
    return problems


def one_decision_each(decisions: Sequence[Decision], problems: list[str]) -> list[Decision]:
    """Drop repeats of the same decision; two different ones by one reviewer are a problem."""
    kept: dict[tuple[str, str, str], Decision] = {}
    for decision in decisions:
        key = (decision.stage, decision.by, decision.record_id)
        first = kept.get(key)
        if first is None:
            kept[key] = decision
        elif (first.decision, first.reason) != (decision.decision, decision.reason):
            problems.append(
                f"{decision.source}: {decision.by} decided record {decision.record_id!r} "
                f"twice at {decision.stage}: {first.label()!r} ({first.source}) and "
                f"{decision.label()!r}; keep one"
            )
    return list(kept.values())
