"""The studies table (ARCHITECTURE.md, "extraction -> dataset, dedup, screening"): the included
studies of the extraction workbook, as results/extraction/studies.tsv gives them to the stages
that match records against them (dedup) and list the studies still missing (screening)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reviewflow.core.errors import InputProblems, raise_if_any

# The columns every stage reads (the codebook's studies sheet may have more, e.g. `<field>_cell`).
STUDY_COLUMNS = ("study_id", "first_author", "year", "title", "journal", "doi", "pmid")


def read_studies(path: str | Path) -> pd.DataFrame:
    """results/extraction/studies.tsv, every cell as text ('' when empty); raises InputProblems
    naming every missing column and every line without a study_id."""
    try:
        frame = pd.read_csv(
            path, sep="\t", dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"
        )
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputProblems(str(path), [f"cannot be read as a UTF-8 TSV table: {error}"]) from error
    problems = [
        f"missing column {column!r} (the studies table has {', '.join(STUDY_COLUMNS)})"
        for column in STUDY_COLUMNS
        if column not in frame.columns
    ]
    raise_if_any(str(path), problems)
    empty = frame.index[frame["study_id"].str.strip() == ""]
    raise_if_any(str(path), [f"line {line + 2}: empty study_id" for line in empty])
    return frame
