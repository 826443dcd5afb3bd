"""What every export reader shares: the file as the registry hands it over (`Source`), the
problem limit, the year check, and the tag patterns the format sniffer and the readers use."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewflow.core.errors import InputProblems
from reviewflow.core.records import clean_text, year_of

MAX_PROBLEMS = 50  # beyond this, a file is clearly not of the format; stop listing
RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*)|\s*)$")
WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- (.*)$|^([A-Z][A-Z0-9]{1,3}) *-$")


@dataclass(frozen=True)
class Source:
    """One export file as a reader gets it: its bytes, its decoded text, the format it was
    recognised as, and (for CSV) the alias table of column names."""

    path: Path
    format: str
    data: bytes
    text: str
    csv_columns: Mapping[str, Sequence[str]] | None = None


def year_problem(raw: object, where: str, field: str) -> list[str]:
    """A year field whose value holds no year (`PY twenty`) is a problem, never a dropped year."""
    text = clean_text(raw)
    if text and not year_of(text):
        return [
            f"{where}: {field} {text!r}: not a year: a four-digit year (e.g. 2021), or no "
            f"{field} at all when the year is unknown"
        ]
    return []


def raise_problems(path: Path, problems: list[str]) -> None:
    if problems:
        if len(problems) > MAX_PROBLEMS:
            hidden = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], f"... and {hidden} more problems"]
        raise InputProblems(path, problems)
