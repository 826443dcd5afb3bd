"""Reading the harmonised dataset (`results/dataset/cases.csv`) for the statistics stage.

The columns are the dataset contract (briefs: DATASET_COLUMNS; ARCHITECTURE.md). Every cell this
stage uses is checked; all problems are reported at once, each naming the line, column and value.
Booleans become pandas' nullable `boolean` (empty = not reported), numbers floats, categories
strings.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from reviewflow.errors import raise_if_any

LEVELS = ["brain", "cervical", "thoracic", "lumbar", "sacral"]
LEVEL_CODES = dict(zip(LEVELS, "BCTLS", strict=True))
PATTERNS = ["linear", "focal", "nodular"]
PATHOLOGY = ["fibrosis", "infiltration", "phlebitis"]
TREATMENTS = [
    "decompression",
    "biopsy",
    "glucocorticoid",
    "azathioprine",
    "methotrexate",
    "cyclophosphamide",
    "mycophenolate",
    "rituximab",
]
OUTCOMES = ["improved", "no_improvement", "recurrence", "death", "lost_to_follow_up"]
SYMPTOMS = [
    "pain",
    "pain_dorsalgia",
    "pain_cervicalgia",
    "pain_headache",
    "pain_limb",
    "pain_other",
    "sensory_or_weakness",
    "gait",
    "urinary_fecal",
    "cranial_visual",
    "other",
]
SYMPTOM_PREFIXES = ["initial_", "main_"]

BOOL_COLUMNS = (
    [f"level_{x}" for x in LEVELS]
    + [f"pattern_{x}" for x in PATTERNS]
    + [f"path_{x}" for x in PATHOLOGY]
    + [f"treatment_{x}" for x in TREATMENTS]
    + [f"outcome_{x}" for x in OUTCOMES]
    + [f"{p}{s}" for p in SYMPTOM_PREFIXES for s in SYMPTOMS]
)
NUMBER_COLUMNS = [
    "age_years",
    "onset_to_diagnosis_weeks",
    "csf_cells_per_ul",
    "csf_protein_mg_dl",
    "igg4_cells_hpf_low",
    "igg4_cells_hpf_high",
    "igg4_igg_ratio_low",
    "igg4_igg_ratio_high",
]
STATUS = ["normal", "increased", "not_reported"]
CATEGORY_COLUMNS = {
    "sex": ["male", "female", ""],
    "serum_igg4": ["normal", "elevated", "not_reported"],
    "csf_cells_status": STATUS,
    "csf_protein_status": STATUS,
    "mri_enhancement": ["yes", "no", "not_reported"],
    "igg4_cells_hpf_qualifier": ["exact", "range", "greater_than", ""],
    "igg4_igg_ratio_qualifier": ["exact", "range", "greater_than", ""],
}
TEXT_COLUMNS = ["case_id", "study_id", "first_author", "year"]
REQUIRED_COLUMNS = TEXT_COLUMNS + list(CATEGORY_COLUMNS) + NUMBER_COLUMNS + BOOL_COLUMNS
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
RAW_TREATMENT = "treatment_raw"  # the Treatment text as printed, when it is known


def read_cases(path: str | os.PathLike) -> pd.DataFrame:
    """The dataset, typed; raises `InputProblems` listing every bad cell."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise_if_any(str(path), [f"cannot read the dataset: {error}"])
    return parse_cases(raw, str(path))


def parse_cases(raw: pd.DataFrame, source: str = "cases.csv") -> pd.DataFrame:
    """Type a frame of strings with the dataset's columns; raises `InputProblems`."""
    problems: list[str] = []
    missing = [column for column in REQUIRED_COLUMNS if column not in raw.columns]
    if missing:
        problems.append(
            "missing column(s) " + ", ".join(missing) + " (required by the dataset contract)"
        )
        raise_if_any(source, problems)
    raw = raw.apply(lambda column: column.str.strip())
    cases = raw.copy()

    def where(index: int, column: str, value: str) -> str:
        return f"line {index + 2}, column {column}: {value!r}"

    for index, value in raw["case_id"].items():
        if not value:
            problems.append(f"{where(index, 'case_id', value)}: a case must have an id")
    for value in raw["case_id"][raw["case_id"].duplicated() & (raw["case_id"] != "")].unique():
        problems.append(f"column case_id: {value!r} is used by more than one row")
    for index, value in raw["year"].items():
        if value and not value.isdigit():
            problems.append(f"{where(index, 'year', value)}: a year must be a whole number")
    for column, allowed in CATEGORY_COLUMNS.items():
        for index, value in raw[column].items():
            if value not in allowed:
                shown = ", ".join(a if a else "(empty)" for a in allowed)
                problems.append(f"{where(index, column, value)}: must be one of {shown}")
    for column in NUMBER_COLUMNS:
        for index, value in raw[column].items():
            if value and not NUMBER.match(value):
                problems.append(
                    f"{where(index, column, value)}: must be a number with '.' as decimal "
                    "separator, or empty when not reported"
                )
        cases[column] = pd.to_numeric(raw[column].where(raw[column].map(_is_number)))
    for column in BOOL_COLUMNS:
        for index, value in raw[column].items():
            if value not in ("true", "false", ""):
                problems.append(
                    f"{where(index, column, value)}: must be true, false, or empty when not "
                    "reported"
                )
        cases[column] = raw[column].map({"true": True, "false": False}).astype("boolean")
    raise_if_any(source, problems)
    cases["sex"] = raw["sex"].replace("", pd.NA)
    cases["year"] = pd.to_numeric(raw["year"].replace("", pd.NA)).astype("Int64")
    return cases.reset_index(drop=True)


def _is_number(value: str) -> bool:
    return bool(NUMBER.match(value))


def levels_code(case: pd.Series) -> str:
    """The canonical involved-area code of a case, e.g. `C T`; empty when none is recorded."""
    return " ".join(code for level, code in LEVEL_CODES.items() if is_true(case[f"level_{level}"]))


def is_true(value) -> bool:
    """True for a reported true value; False for false and for not reported (NA)."""
    return bool(value) if pd.notna(value) else False


def attach_raw_treatment(
    cases: pd.DataFrame, raw_path: str | os.PathLike, column: str
) -> tuple[pd.DataFrame, str]:
    """`cases` with `treatment_raw`: the Treatment text as typed, from the extraction stage's
    raw table (`results/extraction/cases.tsv`, keyed by `case_id`); and a warning (empty when
    all went well). A dataset that already has `treatment_raw` is left as it is."""
    if RAW_TREATMENT in cases.columns:
        return cases, ""
    try:
        raw = pd.read_csv(raw_path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        return cases, f"{raw_path}: cannot read the raw table ({error})"
    missing = [name for name in ("case_id", column) if name not in raw.columns]
    if missing:
        return cases, f"{raw_path}: no column {', '.join(missing)}: raw Treatment text not used"
    text = raw.drop_duplicates("case_id").set_index("case_id")[column]
    unmatched = sorted(set(cases["case_id"]) - set(text.index))
    if unmatched:
        return cases, f"{raw_path}: no row for {', '.join(unmatched)}: raw Treatment text not used"
    joined = cases.copy()
    joined[RAW_TREATMENT] = cases["case_id"].map(text)
    return joined, ""
