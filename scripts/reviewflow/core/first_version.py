"""The first version's reported counts (`config/first_version.yaml`): the one reader.

The first version of a review published counts, not records, so these counts are transcribed
from its report. Every stage that shows the first version (search, dedup, screening, prisma) and
the rule files at parse time (the search's last day) read the file here, once checked: every
problem located at once, every count a whole number or `null` ("not reported", never 0).

Standard library and PyYAML only (`reviewflow.core.yamlfile`): the rule files import it while
snakemake reads them.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from reviewflow.core.errors import raise_if_any
from reviewflow.core.yamlfile import read_yaml

# section -> the counts it may hold (whole numbers or null)
COUNTS = {
    "search": ("records_total",),
    "dedup": ("duplicates_removed",),
    "screening": (
        "records_screened",
        "records_excluded",
        "records_pending",
        "reports_sought",
        "reports_not_retrieved",
        "reports_pending",
        "reports_assessed",
    ),
    "included": ("studies", "reports", "patients"),
}
SEARCH_KEYS = {"reported", "until", "terms", "databases", *COUNTS["search"]}
SECTIONS = ("source", "search", "dedup", "screening", "included")


def is_count(value: Any) -> bool:
    """A whole number of at least 0 (a bool is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read_first_version(path: str | os.PathLike) -> dict:
    """The file at `path`, checked, with every section and count present (`None` where the file
    has none: not reported) and `search.until` a `date`; raises InputProblems listing every
    problem as `<path>: <key>: <value>: what is allowed`."""
    data = read_yaml(path)
    where = str(path)
    if not isinstance(data, dict):
        raise_if_any(where, [f"{where}: a mapping with {', '.join(SECTIONS)}"])
    problems = [
        f"{where}: {key}: unknown key: one of {', '.join(SECTIONS)}"
        for key in data
        if key not in SECTIONS
    ]
    first = {"source": str(data.get("source") or "")}
    for section, keys in COUNTS.items():
        values = data.get(section) or {}
        if not isinstance(values, dict):
            problems.append(f"{where}: {section}: {values!r}: a mapping")
            values = {}
        first[section] = dict(values)
        allowed = SEARCH_KEYS if section == "search" else set(keys)
        if section == "screening":
            allowed = allowed | {"reports_excluded"}
        problems += [
            f"{where}: {section}.{key}: unknown key: one of {', '.join(sorted(allowed))}"
            for key in values
            if key not in allowed
        ]
        for key in keys:
            value = values.get(key)
            if value is not None and not is_count(value):
                problems.append(f"{where}: {section}.{key}: {value!r}: a whole number or null")
            first[section][key] = value
    problems += _search_problems(first["search"], where)
    first["screening"]["reports_excluded"] = _reasons(first["screening"], where, problems)
    raise_if_any(where, problems)
    return first


def _search_problems(search: dict, where: str) -> list[str]:
    """search.until a date (the last day searched), databases a list of {name, records}."""
    problems = []
    until = search.get("until")
    try:
        search["until"] = until if isinstance(until, date) else date.fromisoformat(str(until))
    except ValueError:
        problems.append(
            f"{where}: search.until: {until!r}: a date (YYYY-MM-DD): the last day the first "
            "version's search covered"
        )
    search["databases"] = _counted_list(
        search, "search.databases", ("name", "records"), where, problems
    )
    search.setdefault("terms", [])
    search.setdefault("reported", True)
    return problems


def _reasons(screening: dict, where: str, problems: list[str]) -> list[dict] | None:
    """screening.reports_excluded: a list of {reason, n} (n a whole number or null); None when
    the file gives null or no such key (not reported: never an empty list, which is 0)."""
    if screening.get("reports_excluded") is None:
        return None
    return _counted_list(screening, "screening.reports_excluded", ("reason", "n"), where, problems)


def _counted_list(
    section: dict, path: str, fields: tuple[str, str], where: str, problems: list[str]
) -> list:
    """The list at `path` (`<section>.<key>`) of {<label>: text, <count>: whole number or null}
    (`fields`); its problems appended to `problems`, located by position."""
    label, count = fields
    key = path.rsplit(".", 1)[-1]
    entries = section.get(key) or []
    if not isinstance(entries, list):
        problems.append(f"{where}: {path}: {entries!r}: a list of {label}, {count}")
        return []
    for number, entry in enumerate(entries, start=1):
        at = f"{where}: {path}[{number}]"
        if not isinstance(entry, dict) or not isinstance(entry.get(label), str):
            problems.append(f"{at}: {entry!r}: a mapping with {label} (text) and {count}")
        elif entry.get(count) is not None and not is_count(entry[count]):
            problems.append(f"{at}.{count}: {entry[count]!r}: a whole number or null")
    return entries
