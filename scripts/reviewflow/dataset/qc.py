"""Quality checks of the harmonised dataset: results/dataset/qc_issues.tsv.

Checks flag, they never change or delete a value: values outside a field's plausible range (from
the codebook), variant spellings folded by the vocabulary, contradictions within one patient
(declared in the codebook's `quality_checks.consistency`, each a condition of the review's one
condition language, `reviewflow.core.conditions`, on the patient's values),
and possible duplicate patients (the same patient published twice; the compared items, their
labels and thresholds in `quality_checks.duplicates`), each pair with its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from reviewflow.core.conditions import (
    Context,
    evaluate,
    fill_placeholders,
    kind_of,
    parameter,
    parts_of,
)
from reviewflow.core.definitions import Definitions
from reviewflow.core.errors import raise_if_any
from reviewflow.dataset.definitions import quality_check_references
from reviewflow.extraction.quality_checks import check_names, duplicate_problems
from reviewflow.extraction.raw import RawSheet
from reviewflow.extraction.values import format_number

if TYPE_CHECKING:
    from reviewflow.dataset.harmonise import Fold
    from reviewflow.extraction.codebook import Codebook
    from reviewflow.extraction.vocabulary import Vocabulary

QC_COLUMNS = ["case_id", "field", "raw_value", "severity", "message"]
WARNING, INFO = "warning", "info"
NOT_REPORTED = "not_reported"  # the vocabulary's coded value for "not described"


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
    for whole in codebook.sheet(cases.name).fields:
        for fld in whole.parts or (whole,):
            issues += plausible_issues(cases, codebook, whole, fld)
    return issues


def plausible_issues(cases: RawSheet, codebook: Codebook, whole, fld) -> list[Issue]:
    """Values of `fld` (the field `whole`, or one of its parts) outside its plausible range."""
    issues: list[Issue] = []
    limits = fld.plausible
    if limits is None:
        return issues
    unit = fld.value_unit
    values = []
    for row, cells in zip(cases.rows, cases.cells, strict=True):
        text = next(t for part, t in whole.pieces(row[whole.name]) if part is fld)
        if fld.is_blank(text):
            continue
        numbers = [v for v in fld.parse(text) if v is not None]
        values.append((row, cells, numbers))
    largest = largest_of_others([numbers for _, _, numbers in values])
    for (row, cells, numbers), other in zip(values, largest, strict=True):
        outside = [v for v in numbers if not limits[0] <= v <= limits[1]]
        if not outside:
            continue
        value = outside[0]
        message = (
            f"{cells[whole.name]}: {fld.name} {format_number(value)} {unit} is outside the "
            f"plausible range {format_number(limits[0])}-{format_number(limits[1])} {unit} "
            f"({codebook.path})"
        )
        if other is not None and value > other:
            ratio = value / other
            message += f", {ratio:.1f} times the largest other value ({format_number(other)})"
        message += ": check the report for a unit or typing error; the value is kept as printed"
        raw = row[whole.name]
        issues.append(Issue(row[codebook.primary_key], fld.name, raw, WARNING, message))
    return issues


def largest_of_others(numbers: list[list[float]]) -> list[float | None]:
    """For each row's numbers, the largest number of all the other rows (None if they have
    none): the two largest rows' maxima found once, not every row compared with every row."""
    best = sorted(
        ((max(ns), i) for i, ns in enumerate(numbers) if ns), key=lambda x: x[0], reverse=True
    )[:2]
    return [next((value for value, j in best if j != i), None) for i in range(len(numbers))]


def number_issues(cases: RawSheet, codebook: Codebook) -> list[Issue]:
    """A spreadsheet number typed into a text field: kept as the cell displays it, warned (the
    spreadsheet may have changed what was typed: 4.0 shows as 4 in a General cell)."""
    return [
        Issue(
            row[codebook.primary_key],
            name,
            row[name],
            WARNING,
            f"{cells[name]}: {name} {row[name]!r} is a spreadsheet number in a text field: kept "
            "as the cell displays it; if the report prints it otherwise (4.0, 1.50), format the "
            "cell as Text and type it as printed",
        )
        for index, (row, cells) in enumerate(zip(cases.rows, cases.cells, strict=True))
        for name in cases.typed_as_number(index)
    ]


def spelling_issues(folds: list[Fold], vocabulary_path: str) -> list[Issue]:
    """Every variant spelling that the vocabulary folded into its canonical phrase."""
    return [
        Issue(
            fold.case_id,
            fold.field,
            fold.raw_value,
            INFO,
            f"{fold.cell}: {fold.typed!r} read as {fold.canonical!r}"
            + (f" ({fold.note})" if fold.note else "")
            + f": spelling folded by {vocabulary_path}",
        )
        for fold in folds
    ]


# --- consistency within a patient ---------------------------------------------------------


def consistency_issues(
    cases: RawSheet,
    studies: RawSheet,
    rows: list[dict[str, Any]],
    codebook: Codebook,
    definitions: Definitions | None = None,
) -> list[Issue]:
    """Each declared consistency check (`quality_checks.consistency`) whose condition holds for
    a patient: a warning on the check's field, its message filled from the patient's values
    (`check_frame`) and the threshold of its numeric condition (`{limit}`). A check may name the
    review's conditions and parameters (`definitions`)."""
    checks = codebook.quality_checks.get("consistency") or []
    if not checks or not rows:
        return []
    definitions = definitions or Definitions()
    # a name the definitions lack is a located problem, not a KeyError half-way
    raise_if_any(str(codebook.path), quality_check_references(codebook, definitions))
    frame = check_frame(cases, studies, rows, codebook)
    context = Context(
        parameters=definitions.parameters,
        named=definitions.named,
        not_reported_values=(NOT_REPORTED,),
    )
    holds = [evaluate(check["when"], frame, context).tolist() for check in checks]
    records = frame.to_dict("records")
    issues = []
    for index, values in enumerate(records):
        for check, mask in zip(checks, holds, strict=True):
            if not mask[index]:
                continue
            field = check["field"]
            shown = {name: "" if value is None else value for name, value in values.items()}
            limit = limit_of(check, context.parameters)
            text = fill_placeholders(check["message"], {**shown, "limit": limit})
            issues.append(
                Issue(
                    values[codebook.primary_key],
                    field,
                    values[f"{field}.raw"],
                    WARNING,
                    f"{values[f'{field}.cell']}: {text}",
                )
            )
    return issues


def check_frame(
    cases: RawSheet, studies: RawSheet, rows: list[dict[str, Any]], codebook: Codebook
) -> pd.DataFrame:
    """One row per patient with every name a check may use (`check_names`): the dataset
    columns, each workbook field (true when reported, else empty), `<field>.raw`,
    `<field>.cell` and the `<sheet>.<field>` lookups."""
    columns = set(codebook.column_names)
    fields = codebook.sheet(codebook.dataset_sheet).names
    names = check_names(codebook)
    others = {studies.name: studies}
    column_names = codebook.column_names
    own = {name: own_columns(name, codebook) for name in fields if name not in columns}
    named = columns | set(fields) | {f"{n}.{end}" for n in fields for end in ("raw", "cell")}
    lookups = {n: lookup_index(codebook, n, others) for n in names if n not in named}
    records = []
    for raw, cells, row in zip(cases.rows, cases.cells, rows, strict=True):
        values = {name: row.get(name) for name in column_names}
        for name in fields:
            if name in own:
                values[name] = True if field_reported(row, own[name]) else None
            values[f"{name}.raw"] = raw[name]
            values[f"{name}.cell"] = cells[name]
        for name, (ref, index, target) in lookups.items():
            values[name] = index.get(raw[ref], {}).get(target, "")
        records.append(values)
    return pd.DataFrame.from_records(records, columns=names).astype(object)


def limit_of(check: dict, parameters: dict | None = None) -> str:
    """The threshold of a check's first `above` or `at_most` condition (a `"{parameter}"` read
    from `parameters`), as printed."""

    def walk(node):
        kind = kind_of(node)
        if kind in ("above", "at_most"):
            return node[kind]["value"]
        for part in parts_of(node):
            found = walk(part)
            if found is not None:
                return found
        return None

    value = walk(check["when"])
    return "" if value is None else format_number(parameter(value, parameters or {}))


def lookup_index(codebook: Codebook, target: str, others: dict) -> tuple[str, dict, str]:
    """How to look up `<sheet>.<field>` (`target`) for a row: (its ref field, the rows of that
    sheet by id (the first of a repeated id), the field); no rows when the sheet is absent."""
    ref, fld = codebook.lookup(target)
    sheet_name, _, key = ref.references.partition(".")
    other = others.get(sheet_name)
    rows = other.rows if other is not None else []
    index = {value: rows[i] for value, i in other.first_rows(key).items()} if rows else {}
    return ref.name, index, fld.name


def own_columns(field: str, codebook: Codebook) -> list:
    """The dataset columns of `field` but its derived flags."""
    return [c for c in codebook.columns_of(field) if c.part != "derived"]


def field_reported(row: dict[str, Any], own: list) -> bool:
    """Does any of a field's dataset columns (`own_columns`) hold a value (not empty, not
    not_reported)?"""
    return any(row.get(c.name) not in (None, NOT_REPORTED) for c in own)


# --- possible duplicate patients ----------------------------------------------------------


def item_value(row: dict[str, Any], item: dict, codebook: Codebook, flags=None) -> Any:
    """The comparable value of one item, or None when not reported: a column's value, or the
    set of categories flagged true among a field's flags (`flags`: those columns, if known)."""
    if "field" in item:
        if flags is None:
            flags = flag_columns(item, codebook)
        values = [row[c.name] for c in flags]
        if all(v is None for v in values):
            return None
        return frozenset(c.part[5:] for c, v in zip(flags, values, strict=True) if v)
    value = row.get(item["column"])
    return None if value in (None, NOT_REPORTED) else value


def flag_columns(item: dict, codebook: Codebook) -> list:
    """The flag columns of a `field` item (none for a `column` item)."""
    if "field" not in item:
        return []
    return [c for c in codebook.columns_of(item["field"]) if c.part.startswith("flag:")]


def item_name(item: dict) -> str:
    """The dataset column or the workbook field an item compares."""
    return item.get("column") or item["field"]


def describe(item: dict, value: Any, codebook: Codebook) -> str:
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "none"
    column = codebook.column(item["column"])
    if column.type == "number":
        return f"{format_number(value)} {column.unit or ''}".strip()
    return str(value)


def duplicate_pairs(
    rows: list[dict[str, Any]], codebook: Codebook, vocabulary: Vocabulary | None = None
) -> list[DuplicatePair]:
    """Pairs of patients of different articles that may be one patient published twice, in the
    order of the rows (first row, then second). Only patients with the same `equal` values and
    the first `within` value close enough are compared (sorted by it), and each patient's items
    are computed once: thousands of patients take seconds, not the square of their number."""
    settings = codebook.quality_checks.get("duplicates")
    if not settings:
        return []
    raise_if_any(codebook.path, duplicate_problems(settings, codebook))
    items = settings["items"]
    flags = [flag_columns(item, codebook) for item in items]
    names = [item_name(item) for item in items]
    values: dict[int, list] = {}
    shown: dict[int, tuple[str, dict[str, str]]] = {}

    def item_values(index: int) -> list:
        if index not in values:
            row = rows[index]
            values[index] = [
                item_value(row, item, codebook, f) for item, f in zip(items, flags, strict=True)
            ]
        return values[index]

    def described(index: int) -> tuple[str, dict[str, str]]:
        if index not in shown:
            shown[index] = patient_words(rows[index], settings, codebook, values=item_values(index))
        return shown[index]

    pairs = []
    for i, j in candidate_pairs(rows, settings):
        a, b = rows[i], rows[j]
        if a[settings["different"]] == b[settings["different"]]:
            continue  # patients of one article are listed as distinct by its authors
        if any(
            a[w["column"]] is None
            or b[w["column"]] is None
            or abs(a[w["column"]] - b[w["column"]]) > w["at_most"]
            for w in settings["within"]
        ):
            continue
        matching, conflicting, missing = [], [], []
        for k, (va, vb) in enumerate(zip(item_values(i), item_values(j), strict=True)):
            if va is None or vb is None:
                missing.append(k)
            elif va == vb:
                matching.append(k)
            else:
                conflicting.append(k)
        if (
            len(matching) < settings["min_matching_items"]
            or len(conflicting) > settings["max_conflicting_items"]
        ):
            continue
        pairs.append(
            DuplicatePair(
                a[codebook.primary_key],
                b[codebook.primary_key],
                tuple(names[k] for k in matching),
                tuple(names[k] for k in conflicting),
                tuple(names[k] for k in missing),
                evidence(
                    a,
                    b,
                    [items[k] for k in matching],
                    [items[k] for k in conflicting],
                    [items[k] for k in missing],
                    settings,
                    shown=(described(i), described(j)),
                ),
            )
        )
    return pairs


def candidate_pairs(rows: list[dict[str, Any]], settings: dict) -> list[tuple[int, int]]:
    """(i, j), i < j, in order, of the rows with equal, reported `equal` values whose first
    `within` values (when there is one) are both reported and at most `at_most` apart."""
    blocks: dict[tuple, list[int]] = {}
    for index, row in enumerate(rows):
        key = tuple(row[e["column"]] for e in settings["equal"])
        if any(value is None for value in key):
            continue
        blocks.setdefault(key, []).append(index)
    within = settings["within"][0] if settings["within"] else None
    found = []
    for members in blocks.values():
        if within is None:
            found += [(i, j) for n, i in enumerate(members) for j in members[n + 1 :]]
            continue
        column, limit = within["column"], within["at_most"]
        known = sorted((rows[i][column], i) for i in members if rows[i][column] is not None)
        for n, (value, i) in enumerate(known):
            for other, j in known[n + 1 :]:
                if other - value > limit:
                    break
                found.append((min(i, j), max(i, j)))
    return sorted(found)


def evidence(a, b, matching, conflicting, missing, settings, shown) -> str:
    """Why rows `a` and `b` may be one patient, in words; `shown`: for each, the patient and its
    reported items in words (`patient_words`)."""
    (patient_a, words_a), (patient_b, words_b) = shown
    same = [f"same {e['label']} ({a[e['column']]})" for e in settings["equal"]]
    near = [
        f"{w['label']} {format_number(a[w['column']])} and {format_number(b[w['column']])}"
        for w in settings["within"]
    ]
    parts = [
        f"{patient_b} may be the same patient as {patient_a}",
        ", ".join(same + near),
        "equal: " + "; ".join(f"{i['label']} {words_a[item_name(i)]}" for i in matching),
    ]
    if conflicting:
        parts.append(
            "different: "
            + "; ".join(
                f"{i['label']} {words_a[item_name(i)]} vs {words_b[item_name(i)]}"
                for i in conflicting
            )
        )
    if missing:
        parts.append("not reported in one or both: " + ", ".join(i["label"] for i in missing))
    author = settings["first_author"]
    same_author = str(a[author]).casefold() == str(b[author]).casefold()
    year = settings["published"]
    parts.append(
        f"published {a[year]} and {b[year]}"
        + ("; same first author" if same_author else "; other co-authors not recorded")
    )
    return "; ".join(parts) + ": check both reports (flagged, never removed)"


def patient_words(
    row, settings: dict, codebook: Codebook, values=None
) -> tuple[str, dict[str, str]]:
    """A patient in words (`settings["patient"]`) and each reported item's value in words (item
    name -> text), for the evidence of its pairs; `values`: its items' values (`item_value`),
    when known."""
    items = settings["items"]
    if values is None:
        values = [item_value(row, item, codebook) for item in items]
    words = {
        item_name(item): describe(item, value, codebook)
        for item, value in zip(items, values, strict=True)
        if value is not None
    }
    return settings["patient"].format(**row), words


def duplicate_issues(
    pairs: list[DuplicatePair], column: str = "possible_duplicate_of"
) -> list[Issue]:
    return [Issue(pair.second, column, pair.first, WARNING, pair.evidence) for pair in pairs]


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
