"""Hand-made datasets for the statistics tests: every column of the dataset contract, filled with
"nothing reported" unless a test says otherwise (values are given as they appear in cases.csv)."""

from functools import cache
from pathlib import Path

import pandas as pd

from reviewflow.dataset.cases import parse_cases
from reviewflow.dataset.definitions import load_definitions
from reviewflow.extraction.codebook import load_codebook
from reviewflow.statistics.reported import read_declared

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = load_codebook(
    REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
)
REQUIRED_COLUMNS = CODEBOOK.column_names
BOOL_COLUMNS = [c.name for c in CODEBOOK.columns if c.type == "boolean"]
SCHEMA = REPO / "workflow" / "schemas" / "reported_results.schema.yaml"
# Every column of the committed codebook's dataset (cases.csv), in its order.
ALL_COLUMNS = REQUIRED_COLUMNS

NOT_REPORTED = {
    "serum_igg4": "not_reported",
    "csf_cells_status": "not_reported",
    "csf_protein_status": "not_reported",
    "mri_enhancement": "not_reported",
}
FALSE_BY_DEFAULT = [c for c in BOOL_COLUMNS if c.startswith(("level_", "treatment_"))]


def raw_cases(n: int, **columns) -> pd.DataFrame:
    """`n` cases as strings; each keyword is a column: a list of n values, or one for all."""
    data = {}
    for column in [*ALL_COLUMNS, *[c for c in REQUIRED_COLUMNS if c not in ALL_COLUMNS]]:
        default = NOT_REPORTED.get(column, "false" if column in FALSE_BY_DEFAULT else "")
        data[column] = [default] * n
    data["case_id"] = [f"C{i:02d}" for i in range(1, n + 1)]
    data["study_id"] = [f"S{i:02d}" for i in range(1, n + 1)]
    data["first_author"] = [f"Author{i}" for i in range(1, n + 1)]
    data["year"] = ["2020"] * n
    for column, values in columns.items():
        values = values if isinstance(values, list) else [values] * n
        assert len(values) == n, column
        data[column] = [v if isinstance(v, str) else fmt(v) for v in values]
    return pd.DataFrame(data)


def fmt(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def make_cases(n: int, **columns) -> pd.DataFrame:
    """The typed dataset of `raw_cases`."""
    return parse_cases(raw_cases(n, **columns), CODEBOOK, "hand-made cases.csv")


@cache
def project_declared():
    """The committed review's config/reported_results.yaml, loaded and checked with its
    definitions (config/definitions.yaml; the CSF threshold taken from the codebook)."""
    return read_declared(REPO / "config" / "reported_results.yaml", SCHEMA, project_definitions())


@cache
def project_definitions():
    """The committed review's config/definitions.yaml, checked against the codebook."""
    return load_definitions(REPO / "config" / "definitions.yaml", CODEBOOK)
