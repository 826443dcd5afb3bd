"""The codebook's `quality_checks`, checked when the codebook is loaded: consistency checks
(a condition of the review's one condition language, `reviewflow.core.conditions`, on a
patient's dataset columns, workbook fields and raw cells, and the message shown) and the
duplicate-patient settings. `reviewflow.dataset.qc` runs them on the harmonised dataset.

The names a check may use (`check_names`): every dataset column; every workbook field of the
dataset sheet (reported when any of its dataset columns is); `<field>.raw` (the text as typed)
and `<field>.cell` (its cell); `<sheet>.<field>` (the value looked up through the ref field that
names that sheet); in the message also `{limit}` (the threshold of its `above` or `at_most`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reviewflow.core.conditions import condition_problems, placeholder_problems

if TYPE_CHECKING:
    from reviewflow.extraction.codebook import Codebook

# Keys of the old form of `when` (a mapping of several tests), refused with the new spelling.
OLD_WHEN = {"equals", "differs", "all_true", "any_reported", "not_starting_with"}
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


def check_names(codebook: Codebook) -> list[str]:
    """Every name a consistency check may use (see the module's docstring), in a stable order."""
    fields = codebook.sheet(codebook.dataset_sheet).names
    names = list(codebook.column_names)
    names += [f for f in fields if f not in names]
    names += [f"{f}.{part}" for f in fields for part in ("raw", "cell")]
    for sheet in codebook.sheets:
        if sheet.name != codebook.dataset_sheet:
            names += [
                f"{sheet.name}.{f}"
                for f in sheet.names
                if codebook.lookup(f"{sheet.name}.{f}") is not None
            ]
    return names


def consistency_problems(check: Any, where: str, codebook: Codebook) -> list[str]:
    if (
        not isinstance(check, dict)
        or set(check) - CHECK_KEYS
        or not {"field", "when", "message"} <= set(check)
    ):
        return [f"{where}: {check!r}: a mapping with field, when, message (and title)"]
    fields = set(codebook.sheet(codebook.dataset_sheet).names)
    names = check_names(codebook)
    problems = placeholder_problems(f"{where}.message", str(check["message"]), [*names, "limit"])
    if check["field"] not in fields:
        problems.append(f"{where}.field: {check['field']!r}: not a workbook field: a field name")
    when = check["when"]
    if isinstance(when, dict) and set(when) & OLD_WHEN:
        problems.append(
            f"{where}.when: {sorted(when)}: the old form of a check: write one condition of the "
            "review's condition language, e.g. {all: [{column: a, equals: x}, {not: {column: b, "
            "equals: y}}, {reported: field}, {above: {column: c, value: 45}}]}"
        )
    else:
        problems += condition_problems(f"{where}.when", when, names)
    return problems


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
