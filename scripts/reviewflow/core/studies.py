"""The studies table (ARCHITECTURE.md, "extraction -> dataset, dedup, screening"): the included
studies of the extraction workbook, as results/extraction/studies.tsv gives them to the stages
that match records against them (dedup) and list the studies still missing (screening)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reviewflow.core.errors import raise_if_any
from reviewflow.core.io import read_table

# The columns every stage reads (the codebook's studies sheet may have more, e.g. `<field>_cell`).
STUDY_COLUMNS = ("study_id", "first_author", "year", "title", "journal", "doi", "pmid")


def read_studies(path: str | Path) -> pd.DataFrame:
    """results/extraction/studies.tsv, every cell as text ('' when empty); raises InputProblems
    naming every missing column and every line without a study_id."""
    frame = read_table(path)
    problems = [
        f"missing column {column!r} (the studies table has {', '.join(STUDY_COLUMNS)})"
        for column in STUDY_COLUMNS
        if column not in frame.columns
    ]
    raise_if_any(str(path), problems)
    empty = frame.index[frame["study_id"].str.strip() == ""]
    raise_if_any(str(path), [f"line {line + 2}: empty study_id" for line in empty])
    return frame
