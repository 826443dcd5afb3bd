"""The review's versions as the rule files see them when Snakemake parses the workflow: the
declared versions (config/versions.yaml), the published folders (versions/v<N>/) and what the
report says about the build's version. Standard library and PyYAML only (no rule's conda env
exists at parse time; tests/test_parse_time.py checks it); publishing a version and comparing
versions are in reviewflow.living.versions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reviewflow.core.errors import InputProblems
from reviewflow.core.yamlfile import read_yaml

METADATA = "version.json"
VERSION_KEYS = {"number", "date", "trigger", "windows", "note", "cites"}
REQUIRED_KEYS = {"number", "date", "trigger", "windows"}


@dataclass(frozen=True)
class Version:
    number: int
    date: str  # YYYY-MM-DD, or "" when not known
    trigger: str
    windows: tuple[str, ...]
    note: str = ""
    cites: str = ""

    @property
    def folder_name(self) -> str:
        return f"v{self.number}"

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "date": self.date,
            "trigger": self.trigger,
            "windows": list(self.windows),
            "note": self.note,
            "cites": self.cites,
        }


def read_versions(path: str | os.PathLike) -> list[Version]:
    """The declared versions, in order; every problem of the file is reported at once."""
    data = read_yaml(path)
    entries = data.get("versions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputProblems(path, ["must hold `versions:`, a list of versions (1, 2, ...)"])
    problems, versions = [], []
    for index, entry in enumerate(entries, start=1):
        where = f"versions[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with keys {sorted(REQUIRED_KEYS)}")
            continue
        missing = REQUIRED_KEYS - set(entry)
        unknown = set(entry) - VERSION_KEYS
        if missing:
            problems.append(f"{where}: missing {', '.join(sorted(missing))}")
        if unknown:
            problems.append(
                f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(VERSION_KEYS)}"
            )
        if missing:
            continue
        number = entry["number"]
        if number != index or isinstance(number, bool):
            problems.append(f"{where}: number {number!r}: versions are numbered 1, 2, ... in order")
        day = entry["date"]
        try:
            day = "" if day is None else date.fromisoformat(str(day)).isoformat()
        except ValueError:
            problems.append(f"{where}: date {day!r} is not a date (YYYY-MM-DD, or null)")
        windows = entry["windows"]
        if not isinstance(windows, list) or not all(isinstance(w, str) for w in windows):
            problems.append(f"{where}: windows must be a list of window ids (v1, <from>_<until>)")
            windows = []
        elif versions and not set(versions[-1].windows) <= set(windows):
            problems.append(
                f"{where}: windows must include those of version {versions[-1].number} "
                f"({', '.join(versions[-1].windows)}): a version covers every earlier search"
            )
        versions.append(
            Version(
                number=number,
                date=str(day),
                trigger=str(entry["trigger"]).strip(),
                windows=tuple(windows),
                note=str(entry.get("note") or "").strip(),
                cites=str(entry.get("cites") or "").strip(),
            )
        )
    if problems:
        raise InputProblems(path, problems)
    return versions


def published_numbers(versions_dir: str | os.PathLike) -> list[int]:
    """Numbers of the version folders that hold a version.json, in order."""
    numbers = []
    for folder in Path(versions_dir).glob("v*"):
        if folder.name[1:].isdigit() and (folder / METADATA).is_file():
            numbers.append(int(folder.name[1:]))
    return sorted(numbers)


def last_published(versions_dir: str | os.PathLike) -> Path | None:
    """The folder of the latest published version, or None."""
    numbers = published_numbers(versions_dir)
    return Path(versions_dir) / f"v{numbers[-1]}" if numbers else None


def version_label(versions: Sequence[Version], published: Sequence[int]) -> dict[str, str]:
    """What the report says about the build's version: the latest published one, and the next
    declared but unpublished one if any (the build is then its draft)."""
    by_number = {v.number: v for v in versions}
    last = by_number.get(published[-1]) if published else None
    draft = next((v for v in versions if v.number not in published), None)
    if draft is not None:
        title = f"version {draft.number} (draft, not yet published)"
    elif last is not None:
        title = f"version {last.number} ({last.date or 'date not given'})"
    else:
        title = "no version published yet"
    return {
        "title": title,
        "published": (
            f"version {last.number} ({last.date or 'date not given'}): {last.trigger}"
            if last
            else "none"
        ),
        "draft": f"version {draft.number}: {draft.trigger}" if draft else "",
    }
