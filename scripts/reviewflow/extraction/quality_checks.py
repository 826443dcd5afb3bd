"""The codebook's `quality_checks`, checked when the codebook is loaded: consistency checks
(conditions on a patient's dataset columns or workbook fields, and the message shown) and the
duplicate-patient settings. `reviewflow.dataset.qc` runs them on the harmonised dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reviewflow.extraction.codebook import Codebook

# Conditions of a consistency check: on dataset columns, or on workbook fields.
COLUMN_CONDITIONS = {"equals", "differs", "above", "at_most", "all_true"}
FIELD_CONDITIONS = {"reported", "not_reported", "any_reported", "not_starting_with"}
CHECK_KEYS = {"field", "title", "when", "message"}
DUPLICATE_KEYS = {
    "different",
    "equal",
    "within",
    "min_matching_items",
    "max_conflicting_items",
    "items",
    "patient",
    "published",
    "first_author",
}


def quality_check_problems(codebook: Codebook) -> list[str]:
    """Every problem in `quality_checks` (unknown columns, fields, conditions, items)."""
    where = f"{codebook.path}: quality_checks"
    checks = codebook.quality_checks
    problems = [
        f"{where}: {key}: unknown key: consistency, duplicates"
        for key in checks
        if key not in {"consistency", "duplicates"}
    ]
    for number, check in enumerate(checks.get("consistency") or [], start=1):
        problems += consistency_problems(check, f"{where}.consistency[{number}]", codebook)
    if checks.get("duplicates"):
        problems += duplicate_problems(checks["duplicates"], codebook)
    return problems


def consistency_problems(check: Any, where: str, codebook: Codebook) -> list[str]:
    if (
        not isinstance(check, dict)
        or set(check) - CHECK_KEYS
        or not {"field", "when", "message"} <= set(check)
    ):
        return [f"{where}: {check!r}: a mapping with field, when, message (and title)"]
    columns = set(codebook.column_names)
    fields = set(codebook.sheet(codebook.dataset_sheet).names)
    problems = []
    try:
        blank = _Blank()
        check["message"].format(raw=blank, cell=blank, row=blank, lookup=blank, limit="")
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        problems.append(
            f"{where}.message: {check['message']!r}: {error}: placeholders {{raw[field]}}, "
            "{cell[field]}, {row[column]}, {lookup[sheet.field]}, {limit}"
        )
    if check["field"] not in fields:
        problems.append(f"{where}.field: {check['field']!r}: not a workbook field: a field name")
    for kind, arg in (check["when"] or {}).items():
        if kind in COLUMN_CONDITIONS:
            names = list(arg) if isinstance(arg, dict | list) else [arg]
            bad = [n for n in names if n not in columns]
            if bad:
                problems.append(
                    f"{where}.when.{kind}: {', '.join(map(str, bad))}: not dataset columns"
                )
        elif kind in FIELD_CONDITIONS:
            names = list(arg) if isinstance(arg, dict | list) else [arg]
            bad = [n for n in names if n not in fields]
            if kind == "not_starting_with" and isinstance(arg, dict):
                bad += [t for t in arg.values() if codebook.lookup(str(t)) is None]
            if bad:
                problems.append(
                    f"{where}.when.{kind}: {', '.join(map(str, bad))}: not workbook fields"
                )
        else:
            problems.append(
                f"{where}.when: {kind!r}: unknown condition: one of "
                + ", ".join(sorted(COLUMN_CONDITIONS | FIELD_CONDITIONS))
            )
    return problems


class _Blank(dict):
    """Any key: empty text (to try a message template)."""

    def __missing__(self, key):
        return ""


def duplicate_problems(settings: Any, codebook: Codebook) -> list[str]:
    where = f"{codebook.path}: quality_checks.duplicates"
    if not isinstance(settings, dict):
        return [f"{where}: {settings!r}: a mapping"]
    problems = [
        f"{where}: {key}: missing: " + ", ".join(sorted(DUPLICATE_KEYS))
        for key in sorted(DUPLICATE_KEYS - set(settings))
    ]
    problems += [f"{where}: {key}: unknown key" for key in sorted(set(settings) - DUPLICATE_KEYS)]
    if problems:
        return problems
    columns = set(codebook.column_names)
    fields = set(codebook.sheet(codebook.dataset_sheet).names)
    for key in ("different", "published", "first_author"):
        if settings[key] not in columns:
            problems.append(f"{where}.{key}: {settings[key]!r}: not a dataset column")
    for key in ("equal", "within"):
        for entry in settings[key]:
            if entry.get("column") not in columns or "label" not in entry:
                problems.append(f"{where}.{key}: {entry!r}: a dataset column with its label")
            elif key == "within" and not isinstance(entry.get("at_most"), int | float):
                problems.append(f"{where}.within: {entry!r}: at_most: a number")
    for item in settings["items"]:
        known = (
            isinstance(item, dict)
            and "label" in item
            and (
                item.get("column") in columns
                or (
                    item.get("field") in fields
                    and any(
                        c.part.startswith("flag:") for c in codebook.columns_of(item.get("field"))
                    )
                )
            )
        )
        if not known:
            problems.append(
                f"{where}.items: {item!r}: unknown item: a dataset column ({{column, label}}) or "
                "a multi-label field ({field, label})"
            )
    try:
        settings["patient"].format(**dict.fromkeys(columns, ""))
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        problems.append(
            f"{where}.patient: {settings['patient']!r}: {error}: dataset columns in {{}}"
        )
    return problems
