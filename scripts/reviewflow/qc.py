"""Quality checks of the harmonised dataset: results/dataset/qc_issues.tsv.

Checks flag, they never change or delete a value: implausible values (outside the codebook's
plausible range, e.g. a CSF protein of 3,260 mg/dL), variant spellings folded by the vocabulary,
contradictions between columns, and possible duplicate patients (the same patient published
twice by overlapping author groups), each pair with its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pandas as pd

from reviewflow.codebook import Codebook
from reviewflow.errors import raise_if_any
from reviewflow.harmonise import Fold, Vocabulary
from reviewflow.values import format_number
from reviewflow.workbook import RawSheet

QC_COLUMNS = ["case_id", "field", "raw_value", "severity", "message"]
WARNING, INFO = "warning", "info"


@dataclass(frozen=True)
class Issue:
    case_id: str
    field: str
    raw_value: str
    severity: str
    message: str


@dataclass(frozen=True)
class DuplicatePair:
    first: str  # case_id of the earlier row
    second: str
    matching: tuple[str, ...]
    conflicting: tuple[str, ...]
    not_comparable: tuple[str, ...]
    evidence: str


def range_issues(cases: RawSheet, codebook: Codebook) -> list[Issue]:
    """Values outside the codebook's plausible range, with how they compare to the others."""
    issues = []
    spec = codebook.sheet("cases")
    for fld in spec.fields:
        limits = fld.plausible_weeks if fld.type == "duration" else fld.plausible
        if limits is None:
            continue
        unit = "weeks" if fld.type == "duration" else (fld.unit or "")
        values = []
        for row, cells in zip(cases.rows, cases.cells, strict=True):
            text = row[fld.name]
            if text == "" or text in fld.words:
                continue
            numbers = [v for v in fld.parse(text) if v is not None]
            values.append((row, cells, text, numbers))
        for row, cells, text, numbers in values:
            outside = [v for v in numbers if not limits[0] <= v <= limits[1]]
            if not outside:
                continue
            value = outside[0]
            others = [v for r, _, _, ns in values if r is not row for v in ns]
            message = (
                f"{cells[fld.name]}: {fld.name} {format_number(value)} {unit} is outside the "
                f"plausible range {format_number(limits[0])}-{format_number(limits[1])} {unit} "
                "(extraction/codebook.yaml)"
            )
            if others and value > max(others):
                ratio = value / max(others)
                message += (
                    f", {ratio:.1f} times the largest other value ({format_number(max(others))})"
                )
            message += ": check the report for a unit or typing error; the value is kept as printed"
            issues.append(Issue(row["case_id"], fld.name, text, WARNING, message))
    return issues


def spelling_issues(folds: list[Fold]) -> list[Issue]:
    """Every variant spelling that the vocabulary folded into its canonical phrase."""
    return [
        Issue(
            fold.case_id,
            fold.field,
            fold.raw_value,
            INFO,
            f"{fold.cell}: {fold.typed!r} read as {fold.canonical!r}"
            + (f" ({fold.note})" if fold.note else "")
            + ": spelling folded by extraction/vocabulary.yaml",
        )
        for fold in folds
    ]


def consistency_issues(
    cases: RawSheet, studies: RawSheet, rows: list[dict[str, Any]], codebook: Codebook
) -> list[Issue]:
    """Columns that contradict each other within one patient."""
    issues = []
    upper = codebook.quality_checks.get("csf_protein_upper_reference_mg_dl")
    authors = {s["study_id"]: s["first_author"] for s in studies.rows}
    for raw, cells, row in zip(cases.rows, cases.cells, rows, strict=True):
        case = raw["case_id"]
        protein = row["csf_protein_mg_dl"]
        status = row["csf_protein_status"]
        if protein is not None and upper is not None:
            if status == "normal" and protein > upper:
                issues.append(
                    Issue(
                        case,
                        "csf_protein",
                        raw["csf_protein"],
                        WARNING,
                        f"{cells['csf_protein']}: status Normal but {cells['csf_protein_mg_dl']} "
                        f"is {raw['csf_protein_mg_dl']} mg/dL, above {upper} mg/dL",
                    )
                )
            if status == "increased" and protein <= upper:
                issues.append(
                    Issue(
                        case,
                        "csf_protein",
                        raw["csf_protein"],
                        WARNING,
                        f"{cells['csf_protein']}: status Increase but {cells['csf_protein_mg_dl']} "
                        f"is {raw['csf_protein_mg_dl']} mg/dL, not above {upper} mg/dL",
                    )
                )
            if status == "not_reported":
                issues.append(
                    Issue(
                        case,
                        "csf_protein",
                        raw["csf_protein"],
                        WARNING,
                        f"{cells['csf_protein']}: status ND but a value is given "
                        f"({cells['csf_protein_mg_dl']}: {raw['csf_protein_mg_dl']} mg/dL)",
                    )
                )
        if row["pattern_linear"] is not None and row["mri_enhancement"] != "yes":
            issues.append(
                Issue(
                    case,
                    "enhancement_pattern",
                    raw["enhancement_pattern"],
                    WARNING,
                    f"{cells['enhancement_pattern']}: a pattern of enhancement is given but MRI "
                    f"enhancement is {raw['mri_enhancement']} ({cells['mri_enhancement']})",
                )
            )
        if row["path_fibrosis"] is None and (
            row["igg4_cells_hpf_qualifier"] or row["igg4_igg_ratio_qualifier"]
        ):
            issues.append(
                Issue(
                    case,
                    "pathology",
                    raw["pathology"],
                    WARNING,
                    f"{cells['pathology']}: pathology not described but IgG4 staining is given",
                )
            )
        if row["outcome_improved"] and row["outcome_no_improvement"]:
            issues.append(
                Issue(
                    case,
                    "outcome",
                    raw["outcome"],
                    WARNING,
                    f"{cells['outcome']}: both improved and no improvement",
                )
            )
        author = authors.get(raw["study_id"], "")
        if raw["source"] and not raw["source"].casefold().startswith(author.casefold()):
            issues.append(
                Issue(
                    case,
                    "source",
                    raw["source"],
                    WARNING,
                    f"{cells['source']}: source does not begin with the first author "
                    f"{author!r} of study {raw['study_id']}: check the study_id",
                )
            )
    return issues


# --- possible duplicate patients ----------------------------------------------------------

ITEM_LABELS = {
    "onset_to_diagnosis_weeks": "onset to diagnosis",
    "levels": "involved levels",
    "serum_igg4": "serum IgG4",
    "mri_enhancement": "MRI enhancement",
    "initial_symptoms": "initial symptoms",
    "main_symptoms": "main symptoms",
    "pathology": "pathology",
    "treatment": "treatment",
    "outcome": "outcome",
}
ITEM_PREFIXES = {
    "initial_symptoms": "initial_",
    "main_symptoms": "main_",
    "pathology": "path_",
    "treatment": "treatment_",
    "outcome": "outcome_",
}


def item_value(row: dict[str, Any], item: str, vocabulary: Vocabulary) -> Any:
    """The comparable value of one item, or None when not reported."""
    if item in ITEM_PREFIXES:
        prefix = ITEM_PREFIXES[item]
        keys = sorted(k for k in row if k.startswith(prefix) and k not in vocabulary.derived)
        values = tuple(row[k] for k in keys)
        if all(v is None for v in values):
            return None
        return frozenset(k[len(prefix) :] for k, v in zip(keys, values, strict=True) if v)
    value = row.get(item)
    return None if value in (None, "not_reported") else value


def describe(item: str, value: Any) -> str:
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "none"
    if item == "onset_to_diagnosis_weeks":
        return f"{format_number(value)} weeks"
    return str(value)


def duplicate_pairs(
    rows: list[dict[str, Any]], codebook: Codebook, vocabulary: Vocabulary
) -> list[DuplicatePair]:
    """Pairs of patients of different articles that may be one patient published twice."""
    settings = codebook.quality_checks.get("duplicates", {})
    max_age = settings.get("max_age_difference_years", 1)
    min_matching = settings.get("min_matching_items", 6)
    max_conflicting = settings.get("max_conflicting_items", 1)
    items = settings.get("items", list(ITEM_LABELS))
    raise_if_any(
        codebook.path,
        [
            f"{codebook.path}: quality_checks.duplicates.items: {item!r}: unknown item: one of "
            + ", ".join(ITEM_LABELS)
            for item in items
            if item not in ITEM_LABELS
        ],
    )
    pairs = []
    for a, b in combinations(rows, 2):
        if a["study_id"] == b["study_id"]:
            continue  # patients of one article are listed as distinct by its authors
        if a["sex"] is None or a["sex"] != b["sex"]:
            continue
        if a["age_years"] is None or b["age_years"] is None:
            continue
        if abs(a["age_years"] - b["age_years"]) > max_age:
            continue
        matching, conflicting, missing = [], [], []
        for item in items:
            va, vb = item_value(a, item, vocabulary), item_value(b, item, vocabulary)
            if va is None or vb is None:
                missing.append(item)
            elif va == vb:
                matching.append(item)
            else:
                conflicting.append(item)
        if len(matching) < min_matching or len(conflicting) > max_conflicting:
            continue
        pairs.append(
            DuplicatePair(
                a["case_id"],
                b["case_id"],
                tuple(matching),
                tuple(conflicting),
                tuple(missing),
                evidence(a, b, matching, conflicting, missing, vocabulary),
            )
        )
    return pairs


def evidence(a, b, matching, conflicting, missing, vocabulary) -> str:
    def label(row):
        return f"{row['case_id']} ({row['first_author']} {row['year']}, row {row['workbook_row']})"

    parts = [
        f"{label(b)} may be the same patient as {label(a)}",
        f"same sex ({a['sex']}), age {format_number(a['age_years'])} and "
        f"{format_number(b['age_years'])}",
        "equal: "
        + "; ".join(
            f"{ITEM_LABELS[i]} {describe(i, item_value(a, i, vocabulary))}" for i in matching
        ),
    ]
    if conflicting:
        parts.append(
            "different: "
            + "; ".join(
                f"{ITEM_LABELS[i]} {describe(i, item_value(a, i, vocabulary))} vs "
                f"{describe(i, item_value(b, i, vocabulary))}"
                for i in conflicting
            )
        )
    if missing:
        parts.append("not reported in one or both: " + ", ".join(ITEM_LABELS[i] for i in missing))
    same_author = a["first_author"].casefold() == b["first_author"].casefold()
    parts.append(
        f"published {a['year']} and {b['year']}"
        + ("; same first author" if same_author else "; other co-authors not recorded")
    )
    return "; ".join(parts) + ": check both reports (flagged, never removed)"


def duplicate_issues(pairs: list[DuplicatePair]) -> list[Issue]:
    return [
        Issue(pair.second, "possible_duplicate_of", pair.first, WARNING, pair.evidence)
        for pair in pairs
    ]


def duplicates_by_case(pairs: list[DuplicatePair]) -> dict[str, str]:
    """case_id -> ";"-joined case_ids it may duplicate (both directions)."""
    linked: dict[str, list[str]] = {}
    for pair in pairs:
        linked.setdefault(pair.first, []).append(pair.second)
        linked.setdefault(pair.second, []).append(pair.first)
    return {case: ";".join(sorted(others)) for case, others in linked.items()}


def issues_frame(issues: list[Issue], case_order: list[str]) -> pd.DataFrame:
    """qc_issues.tsv: warnings before infos within each case, cases in workbook order."""
    order = {case: i for i, case in enumerate(case_order)}
    rank = {WARNING: 0, INFO: 1}
    ordered = sorted(
        enumerate(issues), key=lambda x: (order.get(x[1].case_id, 0), rank[x[1].severity], x[0])
    )
    return pd.DataFrame(
        [[getattr(issue, c) for c in QC_COLUMNS] for _, issue in ordered],
        columns=QC_COLUMNS,
        dtype=object,
    )
