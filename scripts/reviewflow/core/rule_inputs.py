"""What the rule files compute while Snakemake parses the workflow: the stored search windows,
the window a run must fetch, and the files each stage's rules read (for their `input:`).

Standard library only (and PyYAML, which Snakemake itself needs): the workflow is parsed before
any rule's conda environment exists, so with `--sdm conda` only snakemake is installed then.
tests/test_parse_time.py checks that the rule files import nothing else.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reviewflow.core.errors import InputProblems
from reviewflow.core.yamlfile import read_yaml

# --------------------------------------------------------------------------------------------
# Search windows: folders resources/searches/<from>_<until>/ (see reviewflow.search.windows)

WINDOW_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")
SEARCH_LOG = "search_log.json"
EXPORTS_INFO = "exports.yaml"  # optional, reviewer-written: how each export was searched
NOT_EXPORTS = (SEARCH_LOG, EXPORTS_INFO, "README*", "*.md", ".*", "~$*", "*.tmp")


@dataclass(frozen=True, order=True)
class Window:
    until: date
    start: date

    @property
    def id(self) -> str:
        return f"{self.start.isoformat()}_{self.until.isoformat()}"

    @classmethod
    def from_id(cls, name: str) -> Window | None:
        match = WINDOW_ID.match(name)
        if not match:
            return None
        try:
            start, until = (date.fromisoformat(part) for part in match.groups())
        except ValueError:
            return None
        return cls(until=until, start=start) if start <= until else None


def stored_windows(windows_dir: str | Path) -> list[Window]:
    """Windows stored under `windows_dir` (folders `<from>_<until>` holding search_log.json),
    oldest first. A window folder without search_log.json but with files is an error."""
    windows_dir = Path(windows_dir)
    windows, problems = [], []
    for folder in sorted(p for p in windows_dir.glob("*") if p.is_dir()):
        window = Window.from_id(folder.name)
        if window is None:
            continue
        if (folder / SEARCH_LOG).is_file():
            windows.append(window)
        elif any(folder.iterdir()):
            problems.append(
                f"{folder.name}/: a window folder without {SEARCH_LOG}; a window is created by "
                "a fetch (snakemake --config search_until=YYYY-MM-DD), never by hand"
            )
    if problems:
        raise InputProblems(windows_dir, problems)
    return sorted(windows)


def new_window(
    stored: Sequence[Window], first_until: date, search_until: str | None, overlap_days: int
) -> Window | None:
    """The window a run must fetch for `search_until`, or None (not asked, or stored already).

    It starts the day after the latest stored `until` (the first version's when none is
    stored) minus `overlap_days`, so that records created at the edge are not missed; dedup
    then removes the overlap.
    """
    if not search_until:
        return None
    try:
        until = date.fromisoformat(search_until)
    except ValueError:
        raise ValueError(f"search_until={search_until!r}: not a date (YYYY-MM-DD)") from None
    if any(window.until == until for window in stored):
        return None
    last = max([first_until, *(window.until for window in stored)])
    if until <= last:
        raise ValueError(
            f"search_until={until}: the search already covers PubMed up to {last}; "
            "a new window must end after it"
        )
    if until > date.today():
        raise ValueError(f"search_until={until} is in the future")
    start = last + timedelta(days=1) - timedelta(days=overlap_days)
    return Window(until=until, start=start)


def read_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputProblems(path, [f"not readable JSON: {error}"]) from None


def window_inputs(folder: str | Path) -> list[Path]:
    """Every file of a stored window that the import reads (for snakemake's input lists)."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".tmp"))


def search_inputs(
    windows_dir: str | Path, stored: Sequence[Window], new: Window | None
) -> list[str]:
    """The files the import depends on, for snakemake: each window's search log (which pins
    its PubMed replies by SHA-256), and each stored window's exports and exports.yaml, so that
    an export a reviewer drops in later makes the import run again. The same paths before and
    after a window is fetched, so a fetch is not followed by a second import."""
    files = []
    for window in [*stored, *([new] if new else [])]:
        folder = Path(windows_dir) / window.id
        files.append(str(folder / SEARCH_LOG))
        if window in stored:
            files += [str(p) for p in export_files(folder, read_json(folder / SEARCH_LOG))]
            if (folder / EXPORTS_INFO).is_file():
                files.append(str(folder / EXPORTS_INFO))
    return files


def export_files(folder: Path, log: Mapping) -> list[Path]:
    listed = {entry["file"] for entry in log.get("files", [])}
    return [
        path
        for path in window_inputs(folder)
        if path.name not in listed
        and not any(fnmatch.fnmatch(path.name, pattern) for pattern in NOT_EXPORTS)
    ]


def existing_files(paths: Iterable[str | os.PathLike]) -> list[str]:
    """The paths that exist now (for an input function): a missing reviewer file is the rule
    script's to report, and its later creation changes the rule's inputs, so the rule runs
    again."""
    return [str(path) for path in paths if Path(path).exists()]


# --------------------------------------------------------------------------------------------
# Screening: the reviewers' decision files (see reviewflow.screening.files)


def is_ignored(path: Path) -> bool:
    """Files the workflow does not read: notes for people, editor lock files, hidden files."""
    name = path.name
    return path.is_dir() or name.startswith((".", "~$")) or name.lower().startswith("readme")


def decision_file_paths(folder: str | Path) -> list[str]:
    """The files of `folder` that the workflow reads (badly named ones too, and those in its
    subfolders: to report them), but not those of hidden subfolders."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        str(path)
        for path in folder.rglob("*")
        if not is_ignored(path)
        and not any(part.startswith(".") for part in path.relative_to(folder).parts[:-1])
    )


# --------------------------------------------------------------------------------------------
# Statistics: the analysis file (see reviewflow.statistics.analysis_file)


def _analysis_file(path: str | os.PathLike):
    """The analysis file's data, read once per version of the file while the rules are read."""
    info = Path(path).stat()
    return _read_once(str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=4)
def _read_once(path: str, mtime_ns: int, size: int):
    return read_yaml(path)


def figure_names(path: str | os.PathLike) -> list[str]:
    """The figures declared in the analysis file (for the workflow's targets); [] when the file
    cannot be read, so that the rule that checks the file reports why."""
    try:
        data = _analysis_file(path)
    except (InputProblems, OSError):
        return []
    figures = data.get("figures") if isinstance(data, dict) else None
    return [str(name) for name in figures] if isinstance(figures, dict) else []


def outcome_names(path: str | os.PathLike, kind: str | None = None) -> list[str]:
    """The outcome analyses declared in the analysis file (of `kind` only, if given), for the
    workflow's targets; [] when the file cannot be read, so that the rule that checks it says
    why."""
    try:
        data = _analysis_file(path)
    except (InputProblems, OSError):
        return []
    outcomes = data.get("outcomes") if isinstance(data, dict) else None
    if not isinstance(outcomes, dict):
        return []
    return [
        str(name)
        for name, spec in outcomes.items()
        if kind is None or (isinstance(spec, dict) and spec.get("kind") == kind)
    ]


def optional_inputs(path: str | os.PathLike) -> list[str]:
    """Files the sensitivity analyses read: each required one, and each optional one that exists."""
    try:
        data = _analysis_file(path)
    except (InputProblems, OSError):
        return []
    analyses = data.get("sensitivity") if isinstance(data, dict) else None
    files = []
    for analysis in analyses if isinstance(analyses, list) else []:
        if not isinstance(analysis, dict) or not analysis.get("study_quality"):
            continue
        file = str(analysis["study_quality"])
        if not analysis.get("study_quality_optional") or Path(file).exists():
            files.append(file)
    return files


def not_reported_inputs(codebook: str | os.PathLike, table: str) -> list[str]:
    """[`table`] (results/dataset/not_reported.tsv) when the codebook declares not-reported
    meanings (top-level `not_reported:`) that the descriptive table counts, else []: a review
    without them reads nothing more (and its statistics stage runs on cases.csv alone)."""
    try:
        data = _analysis_file(codebook)
    except (InputProblems, OSError):
        return []
    return [table] if isinstance(data, dict) and data.get("not_reported") else []
