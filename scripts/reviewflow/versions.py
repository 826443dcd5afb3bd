"""Versions of a living review: declared in a file (config/versions.yaml), frozen by
`reviewflow publish-version N` into a committed folder `versions/v<N>/` that is never rewritten.

A declared version has a number (1, 2, ... in order), a date, what triggered it, the search
windows it covers (`v1` is the first version's reported search; later windows are the folders of
resources/searches/) and a short note. Publishing copies the build's outputs that What's new
compares (FROZEN_FILES) into a new folder, adds `version.json` (the declaration, when it was
published, the SHA-256 of every file) and makes the files read-only. The folder is first written
under a temporary name and renamed in one step: a failed publication leaves nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from reviewflow import __version__
from reviewflow.errors import InputProblems
from reviewflow.yamlfile import read_yaml

FIRST_WINDOW = "v1"  # the first version's search, known only from its reported counts
METADATA = "version.json"
VERSION_KEYS = {"number", "date", "trigger", "windows", "note", "cites"}
REQUIRED_KEYS = {"number", "date", "trigger", "windows"}

# File of a version folder -> the build output it freezes (paths relative to the repository).
# `optional` outputs (made by a stage that a review may not have) are skipped when absent.
FROZEN_FILES: dict[str, str] = {
    "cases.csv": "results/dataset/cases.csv",
    "cases_raw.tsv": "results/extraction/cases.tsv",
    "studies.tsv": "results/extraction/studies.tsv",
    "summary.tsv": "results/statistics/summary.tsv",
    "reconciliation.tsv": "results/statistics/reconciliation.tsv",
    "descriptive.tsv": "results/statistics/descriptive.tsv",
    "prisma_counts.csv": "results/prisma/prisma_counts.csv",
    "search_counts.json": "results/search/search_counts.json",
    "dedup_counts.json": "results/dedup/dedup_counts.json",
    "screening_counts.json": "results/screening/counts.json",
    "records.tsv": "results/search/records.tsv",
    "whats_new.md": "results/living/whats_new.md",
    "update_digest.md": "results/living/update_digest.md",
}
OPTIONAL_FILES = {"descriptive.tsv", "whats_new.md", "update_digest.md"}
RECORD_COLUMNS = ["record_id", "window", "source_db", "title"]  # what a version keeps of records


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


def read_metadata(folder: str | os.PathLike) -> dict:
    return json.loads((Path(folder) / METADATA).read_text(encoding="utf-8"))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify_folder(folder: str | os.PathLike) -> list[str]:
    """Problems of a published folder: a file missing, added or changed since publication."""
    folder = Path(folder)
    listed = read_metadata(folder)["files"]
    problems = []
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{folder.name}/{name}: listed in {METADATA} but missing")
        elif sha256_of(path) != digest:
            problems.append(f"{folder.name}/{name}: changed since it was published (SHA-256)")
    for path in sorted(folder.iterdir()):
        if path.name not in listed and path.name != METADATA:
            problems.append(f"{folder.name}/{path.name}: not part of the published version")
    return problems


def build_windows(search_counts: Mapping) -> list[str]:
    """The window ids of results/search/search_counts.json, in order."""
    return [w["window"] for w in search_counts.get("windows", [])]


def publish_version(
    number: int,
    *,
    root: str | os.PathLike = ".",
    versions_file: str = "config/versions.yaml",
    versions_dir: str = "versions",
    commit: str = "",
) -> Path:
    """Freeze the build's outputs under `versions_dir/v<number>/` (see the module docstring).

    Refuses when the folder exists (a published version is never rewritten), when the version is
    not declared, when an earlier version is unpublished, when an output is missing, or when the
    build's search windows are not the ones the version declares.
    """
    root = Path(root)
    declared = {v.number: v for v in read_versions(root / versions_file)}
    target = root / versions_dir / f"v{number}"
    if target.exists():
        raise FileExistsError(
            f"{target}: version {number} is published already; a published version is never "
            "rewritten (declare and publish the next number instead)"
        )
    problems = []
    version = declared.get(number)
    if version is None:
        numbers = ", ".join(str(n) for n in sorted(declared))
        raise InputProblems(
            root / versions_file, [f"version {number} is not declared (declared: {numbers})"]
        )
    published = published_numbers(root / versions_dir)
    missing_earlier = [n for n in range(1, number) if n not in published]
    if missing_earlier:
        problems.append(f"versions {missing_earlier} must be published before version {number}")
    sources = {name: root / path for name, path in FROZEN_FILES.items()}
    for name, path in sources.items():
        if not path.is_file() and name not in OPTIONAL_FILES:
            problems.append(f"{path}: missing; run the workflow (snakemake --cores 4) first")
    if not problems:
        search = json.loads(sources["search_counts.json"].read_text(encoding="utf-8"))
        built = build_windows(search)
        if built != list(version.windows):
            problems.append(
                f"the build covers the windows {built}, version {number} declares "
                f"{list(version.windows)} in {versions_file}: build the declared windows "
                "(or correct the declaration) before publishing"
            )
    if problems:
        raise InputProblems(f"publish version {number}", problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".v{number}.partial-", dir=target.parent))
    try:
        files = {}
        for name, path in sources.items():
            if not path.is_file():
                continue
            if name == "records.tsv":
                _write_records(path, partial / name)
            else:
                shutil.copyfile(path, partial / name)
            files[name] = sha256_of(partial / name)
        metadata = {
            **version.as_dict(),
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "reviewflow": __version__,
            "commit": commit,
            "sources": {name: FROZEN_FILES[name] for name in files},
            "files": files,
        }
        (partial / METADATA).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        for path in partial.iterdir():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        partial.chmod(0o755)
        if target.exists():  # published by someone else meanwhile
            raise FileExistsError(f"{target}: published meanwhile; nothing was written")
        os.rename(partial, target)
    except BaseException:
        _remove(partial)
        raise
    return target


def _write_records(source: Path, dest: Path) -> None:
    """A version keeps each record's id, window, database and title (enough to say what a later
    search added or lost), not the whole bibliographic record."""
    frame = pd.read_csv(source, sep="\t", dtype=str, keep_default_na=False)
    frame = frame.reindex(columns=RECORD_COLUMNS, fill_value="")
    frame.to_csv(dest, sep="\t", index=False, lineterminator="\n")


def _remove(folder: Path) -> None:
    if not folder.exists():
        return
    for path in folder.iterdir():
        path.chmod(stat.S_IWUSR | stat.S_IRUSR)
    shutil.rmtree(folder, ignore_errors=True)


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
