"""CSV exports (Scopus, Embase, Lens, OpenAlex, ...): columns found by header name through the
alias table of config `search.csv_columns`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from reviewflow.core.errors import InputProblems
from reviewflow.core.records import (
    clean_text,
    join_authors,
    join_list,
    make_record,
    pages_of,
)
from reviewflow.search.formats.common import (
    Source,
    year_problem,
)
from reviewflow.search.formats.common import (
    raise_problems as _raise,
)

# --------------------------------------------------------------------------------------------
# CSV (Scopus, Embase, Lens, OpenAlex, ...)


def split_csv_authors(value: str) -> list[str]:
    """Authors of a CSV cell: ';' (Scopus, Lens, Embase), '|' (OpenAlex), ' and ', or the old
    Scopus "Yagai T., Kimura Y." style."""
    text = clean_text(value)
    if not text:
        return []
    for separator in (";", "|", " and "):
        if separator in text:
            return [part for part in text.split(separator) if part.strip()]
    if re.search(r"\.,\s", text):
        return re.split(r"(?<=\.),\s+", text)
    return [text]


def find_columns(header: Sequence[str], csv_columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """field -> the first header name that matches one of its aliases (case-insensitive)."""
    by_name = {clean_text(name).lower(): name for name in header}
    found = {}
    for field_name, aliases in csv_columns.items():
        for alias in aliases:
            if str(alias).lower() in by_name:
                found[field_name] = by_name[str(alias).lower()]
                break
    return found


def read_csv(
    text: str, path: Path, csv_columns: Mapping[str, Sequence[str]]
) -> tuple[list[dict[str, str]], int]:
    """Records of a CSV export (comma or semicolon); declared = its non-empty data rows."""
    text = text.lstrip("\ufeff")
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputProblems(path, ["empty file: no header row"]) from None
    columns = find_columns(header, csv_columns)
    if "title" not in columns:
        raise InputProblems(
            path,
            [
                f"line 1: no title column: the header has {', '.join(header[:12])}; "
                f"config search.csv_columns.title allows {', '.join(csv_columns.get('title', []))}"
            ],
        )
    problems = []
    records = []
    declared = 0
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            declared += 1
            if len(row) != len(header):
                problems.append(
                    f"line {reader.line_num} (record {declared}): {len(row)} fields, "
                    f"the header has {len(header)}"
                )
                continue
            cells = dict(zip(header, row, strict=True))
            values = {name: cells[column] for name, column in columns.items()}
            problems += year_problem(
                values.get("year", ""),
                f"line {reader.line_num}, record {declared}",
                columns.get("year", "year"),
            )
            records.append(csv_record(values))
    except csv.Error as error:
        problems.append(f"line {reader.line_num}: {error}")
    _raise(path, problems)
    return records, declared


def csv_record(values: Mapping[str, str]) -> dict[str, str]:
    fields = {
        name: values.get(name, "") for name in values if name not in ("page_start", "page_end")
    }
    if "pages" not in fields or not clean_text(fields.get("pages")):
        fields["pages"] = pages_of(values.get("page_start", ""), values.get("page_end", ""))
    fields["authors"] = join_authors(split_csv_authors(values.get("authors", "")))
    fields["keywords"] = join_list(re.split(r"[;|]", values.get("keywords", "")))
    source_id = clean_text(values.get("source_id", ""))
    fields["source_id"] = source_id.rsplit("/", 1)[-1] if "openalex.org" in source_id else source_id
    return make_record(**fields)


def read(source: Source) -> tuple[list[dict[str, str]], int | None]:
    """The registry's entry (`reviewflow.search.importers.READERS`)."""
    return read_csv(source.text, source.path, source.csv_columns)
