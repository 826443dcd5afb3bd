"""Double extraction: two (or more) extractors' workbooks compared cell by cell, agreement per
field, and the agreed raw tables built from the agreed values plus the reviewers' adjudications.

Each extractor keeps their own copy of the extraction workbook (same codebook), read and checked
by `reviewflow.extraction.workbook.read_workbook` (every problem of every copy located). Rows
are matched by
the id field of their sheet (`case_id`, `study_id`); a row one extractor lacks counts as blank
cells of theirs. A cell in disagreement is settled by one row of the adjudication file
(`sheet, id, field, value, reviewer, note`); a disagreement that no row settles stops the build
with the list. Adjudicating a sheet's id as blank drops that row (a row one extractor added by
mistake); the other fields of a dropped row need no adjudication.

Agreement per field and pair of extractors, over the rows both extracted: Cohen's kappa for
choice fields (`reviewflow.core.agreement`), exact agreement (share of identical raw texts) for all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pandas as pd

from reviewflow.core.agreement import cohen_kappa
from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.extraction.adjudication import (
    AdjudicationRow,
    one_row_per_key,
    read_adjudication_rows,
)
from reviewflow.extraction.codebook import Codebook, Sheet, load_codebook
from reviewflow.extraction.raw import RawSheet
from reviewflow.extraction.vocabulary import unknown_phrase_problems
from reviewflow.extraction.workbook import (
    check_across_rows_and_sheets,
    check_references,
    read_workbook,
)

ADJUDICATION_COLUMNS = ("sheet", "id", "field", "value", "reviewer", "note")
ADJUDICATION_REQUIRED = ("sheet", "id", "field", "reviewer")  # value may be blank (= not reported)
AGREEMENT_COLUMNS = [
    "sheet",
    "field",
    "type",
    "extractor_a",
    "extractor_b",
    "measure",
    "rows",
    "agreed",
    "exact_agreement",
    "kappa",
]
NO_ROW = "(no row)"  # the cell address of a row an extractor did not extract


@dataclass(frozen=True)
class CellComparison:
    """One cell (sheet, row id, field) as each extractor typed it, with their cell addresses."""

    sheet: str
    id: str
    field: str
    values: dict[str, str]  # extractor -> raw text ("" when blank or row missing)
    cells: dict[str, str]  # extractor -> `file:sheet!E12`, or NO_ROW
    is_id: bool = False  # the sheet's id field (rows are matched on it)

    @property
    def agreed(self) -> bool:
        return len(set(self.values.values())) == 1


def workbook_paths(pattern: str, extractors: Sequence[str]) -> dict[str, str]:
    """Extractor -> workbook path, from a pattern such as `extraction/cases_{extractor}.xlsx`."""
    return {name: pattern.format(extractor=name) for name in extractors}


def read_extractions(
    paths: Mapping[str, str], codebook: Codebook
) -> dict[str, dict[str, RawSheet]]:
    """Every extractor's workbook read and validated; all problems of all copies raised at once,
    each prefixed with its file."""
    problems: list[str] = []
    sheets: dict[str, dict[str, RawSheet]] = {}
    for name, path in paths.items():
        if not Path(path).exists():
            problems.append(
                f"{path}: missing: extractor {name}'s copy of the extraction workbook "
                "(copy results/templates/cases_template.xlsx or the single workbook there)"
            )
            continue
        try:
            sheets[name] = read_workbook(path, codebook)
        except InputProblems as error:
            prefix = f"{path}: "
            problems.extend(p if p.startswith(prefix) else prefix + p for p in error.problems)
    raise_if_any(", ".join(paths.values()), problems)
    return sheets


def id_field(sheet: Sheet) -> str:
    """The name of the sheet's id field (rows are matched on it)."""
    for fld in sheet.fields:
        if fld.kind.unique:
            return fld.name
    raise ValueError(f"sheet {sheet.name} has no field of type id to match rows on")


def compare(
    extractions: Mapping[str, Mapping[str, RawSheet]],
    codebook: Codebook,
    paths: Mapping[str, str],
) -> list[CellComparison]:
    """Every cell of every sheet, in row order (the first extractor's, then rows others added)
    and codebook field order."""
    names = list(extractions)
    result = []
    for spec in codebook.sheets:
        key = id_field(spec)
        by_id = {
            name: {
                row[key]: (row, cells)
                for row, cells in zip(
                    extractions[name][spec.name].rows,
                    extractions[name][spec.name].cells,
                    strict=True,
                )
            }
            for name in names
        }
        ids: list[str] = []
        for name in names:
            ids.extend(i for i in by_id[name] if i not in ids)
        for row_id in ids:
            for fld in spec.fields:
                values, cells = {}, {}
                for name in names:
                    row, where = by_id[name].get(row_id, (None, None))
                    values[name] = row[fld.name] if row else ""
                    cells[name] = f"{paths[name]}:{where[fld.name]}" if where else NO_ROW
                result.append(
                    CellComparison(
                        spec.name, row_id, fld.name, values, cells, is_id=fld.name == key
                    )
                )
    return result


def agreement_table(
    comparisons: Sequence[CellComparison], codebook: Codebook, extractors: Sequence[str]
) -> pd.DataFrame:
    """Agreement per field and pair of extractors over the rows both extracted (AGREEMENT_COLUMNS):
    Cohen's kappa for choice fields, exact agreement for every field."""
    rows = []
    for spec in codebook.sheets:
        for fld in spec.fields:
            cells = [c for c in comparisons if c.sheet == spec.name and c.field == fld.name]
            for a, b in combinations(extractors, 2):
                pairs = [
                    (c.values[a], c.values[b])
                    for c in cells
                    if c.cells[a] != NO_ROW and c.cells[b] != NO_ROW
                ]
                figures = cohen_kappa(pairs)
                choice = fld.kind.drop_down
                rows.append(
                    {
                        "sheet": spec.name,
                        "field": fld.name,
                        "type": fld.type,
                        "extractor_a": a,
                        "extractor_b": b,
                        "measure": "cohen_kappa" if choice else "exact_agreement",
                        "rows": figures.records,
                        "agreed": figures.agreed,
                        "exact_agreement": _rounded(figures.raw_agreement),
                        "kappa": _rounded(figures.kappa) if choice else None,
                    }
                )
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def compare_and_settle(
    paths: Mapping[str, str],
    adjudication: str | Path,
    codebook: str | Path,
    vocabulary: str | Path,
) -> tuple[Codebook, list[CellComparison], dict[tuple[str, str, str], AdjudicationRow]]:
    """What both double-extraction rules start from: the codebook (with the vocabulary), every
    extractor's workbook read and compared cell by cell, and the adjudication file read against
    the disagreements found."""
    book = load_codebook(codebook, vocabulary)
    comparisons = compare(read_extractions(paths, book), book, paths)
    return book, comparisons, read_adjudications(adjudication, comparisons, book)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def read_adjudications(
    path: str | Path, comparisons: Sequence[CellComparison], codebook: Codebook
) -> dict[tuple[str, str, str], AdjudicationRow]:
    """The adjudication file's rows by (sheet, id, field), every row checked: the cell must be in
    disagreement, the value valid for its field."""
    problems: list[str] = []
    rows = read_adjudication_rows(path, ADJUDICATION_COLUMNS, ADJUDICATION_REQUIRED, problems)
    settled = one_row_per_key(rows, ("sheet", "id", "field"), problems)
    by_key = {(c.sheet, c.id, c.field): c for c in comparisons}
    sheets = {s.name: s for s in codebook.sheets}
    for (sheet, row_id, name), row in settled.items():
        if sheet not in sheets:
            problems.append(f"{row.where}: {sheet!r}: unknown sheet: one of {', '.join(sheets)}")
            continue
        spec = sheets[sheet]
        if name not in spec.names:
            problems.append(
                f"{row.where}: {name!r}: no field {name} in sheet {sheet}: "
                f"one of {', '.join(spec.names)}"
            )
            continue
        cell = by_key.get((sheet, row_id, name))
        if cell is None:
            problems.append(
                f"{row.where}: {row_id!r}: no row {row_id} in sheet {sheet} of any extractor: "
                "an id listed in results/extraction/disagreements.tsv"
            )
            continue
        if cell.agreed:
            problems.append(
                f"{row.where}: {sheet} {row_id} {name}: the extractors agree on "
                f"{cell.values[next(iter(cell.values))]!r}, nothing to settle: delete the row "
                "(or correct both workbooks)"
            )
            continue
        fld = spec.field(name)
        value = row["value"]
        dropped_row = name == id_field(spec) and value == ""
        problem = None if dropped_row else fld.check(value)
        if problem:
            problems.append(f"{row.where}: {value!r}: {name} {problem}: {fld.allowed()}")
    raise_if_any(str(path), problems)
    return settled


def disagreement_table(
    comparisons: Sequence[CellComparison],
    settled: Mapping[tuple[str, str, str], AdjudicationRow],
    extractors: Sequence[str],
) -> pd.DataFrame:
    """One row per cell in disagreement: sheet, id, field, each extractor's value and cell, then
    `status` (open | adjudicated | row_dropped), the adjudicated value, reviewer and where."""
    dropped = dropped_rows(comparisons, settled)
    rows = []
    for cell in comparisons:
        if cell.agreed:
            continue
        row = {"sheet": cell.sheet, "id": cell.id, "field": cell.field}
        for name in extractors:
            row[f"value_{name}"] = cell.values[name]
            row[f"cell_{name}"] = cell.cells[name]
        decision = settled.get((cell.sheet, cell.id, cell.field))
        if decision is not None:
            status = "adjudicated"
        elif (cell.sheet, cell.id) in dropped:
            status = "row_dropped"
        else:
            status = "open"
        row["status"] = status
        row["adjudicated_value"] = decision["value"] if decision else ""
        row["reviewer"] = decision["reviewer"] if decision else ""
        row["adjudication"] = decision.where if decision else ""
        rows.append(row)
    columns = ["sheet", "id", "field"]
    for name in extractors:
        columns += [f"value_{name}", f"cell_{name}"]
    columns += ["status", "adjudicated_value", "reviewer", "adjudication"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def dropped_rows(
    comparisons: Sequence[CellComparison], settled: Mapping[tuple[str, str, str], AdjudicationRow]
) -> set[tuple[str, str]]:
    """(sheet, id) of the rows whose id field was adjudicated blank."""
    id_cells = {(c.sheet, c.id, c.field) for c in comparisons if c.is_id}
    return {
        (s, i) for (s, i, f), row in settled.items() if (s, i, f) in id_cells and not row["value"]
    }


def agreed_sheets(
    comparisons: Sequence[CellComparison],
    settled: Mapping[tuple[str, str, str], AdjudicationRow],
    codebook: Codebook,
    extractors: Sequence[str],
) -> dict[str, RawSheet]:
    """The raw sheets built from agreed values and adjudications (cell: the first extractor's
    cell that has the row; an adjudicated cell names its adjudication line first). Raises
    InputProblems listing every disagreement still open, and any reference or cross-sheet
    problem of the agreed values."""
    dropped = dropped_rows(comparisons, settled)
    problems = []
    sheets = {s.name: RawSheet(name=s.name, fields=s.names) for s in codebook.sheets}
    current: dict[tuple[str, str], tuple[dict, dict]] = {}
    for cell in comparisons:
        if (cell.sheet, cell.id) in dropped:
            continue
        source = next(cell.cells[n] for n in extractors if cell.cells[n] != NO_ROW)
        decision = settled.get((cell.sheet, cell.id, cell.field))
        if cell.agreed:
            value, where = cell.values[extractors[0]], source
        elif decision is not None:
            value, where = decision["value"], f"{decision.where} on {source}"
        else:
            problems.append(
                f"{cell.sheet} {cell.id} {cell.field}: "
                + "; ".join(f"{n} {cell.values[n]!r} ({cell.cells[n]})" for n in extractors)
                + ": the extractors disagree: settle it in the adjudication file"
            )
            value, where = "", source
        key = (cell.sheet, cell.id)
        if key not in current:
            current[key] = ({}, {})
            sheets[cell.sheet].rows.append(current[key][0])
            sheets[cell.sheet].cells.append(current[key][1])
        current[key][0][cell.field] = value
        current[key][1][cell.field] = where
    if not problems:  # adjudicated values against the other sheets and the vocabulary
        check_references(sheets, codebook, problems)
        check_across_rows_and_sheets(sheets, codebook, problems)
        if codebook.vocabulary is not None:
            problems += unknown_phrase_problems(
                sheets[codebook.dataset_sheet],
                codebook.vocabulary,
                codebook.sheet(codebook.dataset_sheet),
            )
    raise_if_any("double extraction (results/extraction/disagreements.tsv)", problems)
    return sheets
