"""The review's versions as the rule files see them when Snakemake parses the workflow: the
declared versions (config/versions.yaml), the published folders (versions/v<N>/) and what the
report says about the build's version. Standard library and PyYAML only (no rule's conda env
exists at parse time; tests/test_parse_time.py checks it); publishing a version and comparing
versions are in reviewflow.living.versions.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reviewflow.core.errors import InputProblems
from reviewflow.core.run_state import sha256_file
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


# --------------------------------------------------------------------------------------------
# Verifying what was published (every build, at parse time; and before a publication)

PARTIAL_GLOB = ".v*.partial-*"  # a publication being written, or killed while it was
DECLARED_KEYS = ("number", "date", "trigger", "windows", "note", "cites")


def read_metadata(folder: str | os.PathLike) -> dict:
    return json.loads((Path(folder) / METADATA).read_text(encoding="utf-8"))


def verify_folder(folder: str | os.PathLike) -> list[str]:
    """Problems of a published folder: a file missing, added or changed since publication."""
    folder = Path(folder)
    listed = read_metadata(folder)["files"]
    problems = []
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{folder.name}/{name}: listed in {METADATA} but missing")
        elif sha256_file(path) != digest:
            problems.append(f"{folder.name}/{name}: changed since it was published (SHA-256)")
    for path in sorted(folder.iterdir()):
        if path.name not in listed and path.name != METADATA:
            problems.append(f"{folder.name}/{path.name}: not part of the published version")
    return problems


def version_folders(versions_dir: str | os.PathLike) -> list[Path]:
    """The folders `v<N>` under `versions_dir`, by number."""
    folders = [p for p in Path(versions_dir).glob("v*") if p.is_dir() and p.name[1:].isdigit()]
    return sorted(folders, key=lambda p: int(p.name[1:]))


def partial_publications(versions_dir: str | os.PathLike) -> list[Path]:
    """Folders `.v<N>.partial-*` left by a publication that was killed (nothing of it was
    published: a version appears only by the final rename)."""
    return sorted(p for p in Path(versions_dir).glob(PARTIAL_GLOB) if p.is_dir())


def remove_partial_publications(versions_dir: str | os.PathLike) -> list[Path]:
    """Remove the folders of killed publications (their files are read-only); returns them."""
    removed = []
    for folder in partial_publications(versions_dir):
        for path in folder.iterdir():
            path.chmod(stat.S_IWUSR | stat.S_IRUSR)
        shutil.rmtree(folder)
        removed.append(folder)
    return removed


def version_problems(
    versions_file: str | os.PathLike, versions_dir: str | os.PathLike
) -> list[str]:
    """Every published version against its `version.json` (the manifest present and readable, no
    file changed, missing or added) and against its declaration in `versions_file` (the entry
    published may not be edited, except a date that was not known then). Each problem names the
    file and says how to restore it."""
    folders = version_folders(versions_dir)
    if not Path(versions_file).is_file():
        if not folders:
            return []
        return [
            f"{versions_file}: missing, but {len(folders)} version(s) are published in "
            f"{versions_dir}/: restore it (git checkout -- {versions_file})"
        ]
    try:
        declared = {v.number: v for v in read_versions(versions_file)}
    except InputProblems as error:
        return list(error.problems)
    problems = []
    for folder in folders:
        restore = f"restore it (git checkout -- {folder})"
        if not (folder / METADATA).is_file():
            problems.append(
                f"{folder}/{METADATA}: missing: a published version keeps its manifest; {restore}"
            )
            continue
        try:
            meta = read_metadata(folder)
            changed = verify_folder(folder)
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
            problems.append(f"{folder}/{METADATA}: not a version manifest ({error}); {restore}")
            continue
        problems += [
            f"{Path(versions_dir) / problem}: a published version is never changed; {restore}"
            for problem in changed
        ]
        number = int(folder.name[1:])
        version = declared.get(number)
        if version is None:
            problems.append(
                f"{versions_file}: version {number} is published ({folder}/) but not declared: "
                f"restore its entry (git checkout -- {versions_file})"
            )
            continue
        entry = version.as_dict()
        for key in DECLARED_KEYS:
            published, now = meta.get(key), entry[key]
            if key == "date" and published == "" and now:
                continue  # a date not known at publication, filled in later
            if published != now:
                problems.append(
                    f"{versions_file}: versions[{number}].{key}: {now!r} differs from what was "
                    f"published in {folder}/{METADATA} ({published!r}): the entry of a published "
                    f"version is never edited; restore it (git checkout -- {versions_file}) and "
                    "say what changed in the next version's note"
                )
    return problems
