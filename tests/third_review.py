"""The third hand-made review's workbook (tests/data/reviews/sinonasal_glomangiopericytoma,
INVENTED test data) from its readable rows (tests/data/reviews/sinonasal_glomangiopericytoma.
rows.yaml): text cells as text, numbers as numbers, a float in a text field shown with one
decimal (number format 0.0), as Excel shows a typed 4.0 in a cell formatted so.

Regenerate the committed workbook after editing the rows: `python -m tests.third_review`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from openpyxl import Workbook, load_workbook

REVIEWS = Path(__file__).resolve().parent / "data" / "reviews"
REVIEW = REVIEWS / "sinonasal_glomangiopericytoma"
ROWS = REVIEWS / "sinonasal_glomangiopericytoma.rows.yaml"
WORKBOOK = REVIEW / "extraction" / "cases.xlsx"
FLOAT_FORMAT = "0.0"


def read_rows(path: Path = ROWS) -> dict[str, dict]:
    """{sheet: {"columns": [...], "rows": [[cell, ...], ...]}} as the rows file gives them."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build(sheets: dict[str, dict]) -> Workbook:
    """One sheet per entry: the header row (field names), then the cells as typed."""
    book = Workbook()
    book.remove(book.active)
    for name, sheet in sheets.items():
        page = book.create_sheet(name)
        page.append(sheet["columns"])
        for row in sheet["rows"]:
            assert len(row) == len(sheet["columns"]), row
            page.append(row)
            for cell in page[page.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = FLOAT_FORMAT
    return book


def cells_of(path: Path) -> dict[str, list[list]]:
    """{sheet: [[(value, number format of a number or None), ...], ...]} of a workbook (header
    row included): what a reader of the committed workbook sees."""
    book = load_workbook(path)
    return {
        page.title: [
            [(c.value, c.number_format if isinstance(c.value, int | float) else None) for c in row]
            for row in page.iter_rows()
        ]
        for page in book.worksheets
    }


def expected_cells(sheets: dict[str, dict]) -> dict[str, list[list]]:
    """What `cells_of` gives for the workbook `build` makes of `sheets`."""

    def pair(value):
        if isinstance(value, float):
            return value, FLOAT_FORMAT
        return value, "General" if isinstance(value, int) else None

    return {
        name: [[pair(v) for v in row] for row in [sheet["columns"], *sheet["rows"]]]
        for name, sheet in sheets.items()
    }


def main() -> None:
    build(read_rows()).save(WORKBOOK)
    print(f"wrote {WORKBOOK}")


if __name__ == "__main__":
    main()
