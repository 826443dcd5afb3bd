"""The raw tables (results/extraction/cases.tsv, studies.tsv): each sheet's cells as typed, with
their addresses, written by the workbook's reader (`reviewflow.extraction.workbook`) and read
back by the later stages; no spreadsheet library is needed to read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reviewflow.core.io import FORMULA_PREFIXES

CELL_SUFFIX = "_cell"
# Column of the raw table listing the fields whose cell was a spreadsheet number in a field
# read as text (only when there is one): the dataset's QC warns about each.
NUMBERS_COLUMN = "numbers_in_text_fields"


@dataclass
class RawSheet:
    """One sheet's data rows: raw text per field and each value's cell address."""

    name: str
    fields: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    cells: list[dict[str, str]] = field(default_factory=list)
    complete: bool = True  # False when a column is missing (its rows are not read)
    numbers: list[tuple[str, ...]] = field(default_factory=list)  # per row: see NUMBERS_COLUMN

    def to_frame(self) -> pd.DataFrame:
        """Raw values in codebook order, then one `<field>_cell` address column per field (and
        NUMBERS_COLUMN when a text field's cell was a spreadsheet number)."""
        data = {name: [row[name] for row in self.rows] for name in self.fields}
        for name in self.fields:
            data[name + CELL_SUFFIX] = [cells[name] for cells in self.cells]
        if any(self.numbers):
            data[NUMBERS_COLUMN] = [" ".join(names) for names in self.numbers]
        return pd.DataFrame(data, dtype=object)

    def first_rows(self, key: str) -> dict[str, int]:
        """Each value of field `key` -> the index of the first row holding it."""
        found: dict[str, int] = {}
        for index, row in enumerate(self.rows):
            found.setdefault(row[key], index)
        return found

    def typed_as_number(self, index: int) -> tuple[str, ...]:
        """The fields of row `index` whose cell was a spreadsheet number in a text field."""
        return self.numbers[index] if index < len(self.numbers) else ()


def read_raw_table(path: str | Path, name: str) -> RawSheet:
    """Read back a raw table written from `RawSheet.to_frame` (formula guards undone)."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)
    fields = [c for c in frame.columns if not c.endswith(CELL_SUFFIX)]
    fields = [f for f in fields if f != NUMBERS_COLUMN]
    raw = RawSheet(name=name, fields=fields)
    for record in frame.to_dict("records"):
        raw.rows.append({f: unguard(record[f]) for f in fields})
        raw.cells.append({f: record[f + CELL_SUFFIX] for f in fields})
        raw.numbers.append(tuple(record.get(NUMBERS_COLUMN, "").split()))
    return raw


def unguard(text: str) -> str:
    """Undo `reviewflow.core.io.guard_cell`: "'=x" -> "=x"."""
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text
