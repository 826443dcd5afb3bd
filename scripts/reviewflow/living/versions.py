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

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from reviewflow import __version__
from reviewflow.core.errors import InputProblems

# What the rule files read at parse time lives in the stdlib-only version_index module.
from reviewflow.core.run_state import publish_problems, sha256_file
from reviewflow.core.version_index import (  # noqa: F401  (re-exported)
    METADATA,
    REQUIRED_KEYS,
    VERSION_KEYS,
    Version,
    last_published,
    published_numbers,
    read_metadata,
    read_versions,
    remove_partial_publications,
    verify_folder,
    version_label,
    version_problems,
)

RUN_STATE = "results/run_state.json"  # written by workflow/rules/runstate.smk
FIRST_WINDOW = "v1"  # the first version's search, known only from its reported counts


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
# what a version keeps of records
KEPT_RECORD_COLUMNS = ["record_id", "window", "source_db", "title"]


def build_windows(search_counts: Mapping) -> list[str]:
    """The window ids of results/search/search_counts.json, in order."""
    return [w["window"] for w in search_counts.get("windows", [])]


class PublishWriteError(RuntimeError):
    """The version could not be written (disk full, read-only, ...); nothing was published."""


def publish_version(
    number: int,
    *,
    root: str | os.PathLike = ".",
    versions_file: str = "config/versions.yaml",
    versions_dir: str = "versions",
    state_file: str = RUN_STATE,
    commit: str = "",
) -> Path:
    """Freeze the build's outputs under `versions_dir/v<number>/` (see the module docstring).

    Refuses when the folder exists (a published version is never rewritten), when the version is
    not declared, when an earlier version is unpublished, when an output is missing, when the
    build's search windows are not the ones the version declares, when the last build did not
    succeed or a file it was made from changed since (the check `snakemake --report` makes:
    reviewflow.core.run_state), or when a published version or its declaration was changed.
    A disk that is full or read-only raises PublishWriteError (one line); nothing is left.
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
    problems += version_problems(root / versions_file, root / versions_dir)
    problems += publish_problems(root / state_file, root)
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
        raise InputProblems(f"publish version {number}", problems, "nothing was published")
    try:
        return _write_version(number, version, sources, target, commit)
    except FileExistsError:
        raise
    except OSError as error:
        raise PublishWriteError(
            f"{target}: cannot write version {number} ({error.strerror or error}): nothing was "
            f"published; free space on the disk or make {target.parent}/ writable, then run "
            f"reviewflow publish-version {number} again"
        ) from None


def _write_version(
    number: int, version: Version, sources: dict[str, Path], target: Path, commit: str
) -> Path:
    """Write the version under a temporary name, then rename it into place in one step."""
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
            files[name] = sha256_file(partial / name)
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
    frame = frame.reindex(columns=KEPT_RECORD_COLUMNS, fill_value="")
    frame.to_csv(dest, sep="\t", index=False, lineterminator="\n")


def _remove(folder: Path) -> None:
    if not folder.exists():
        return
    for path in folder.iterdir():
        path.chmod(stat.S_IWUSR | stat.S_IRUSR)
    shutil.rmtree(folder, ignore_errors=True)


def last_version_folder(files: Sequence[str | os.PathLike]) -> str:
    """The folder of the last published version among a rule's input `files` (the one holding
    its version.json), or '' when no version is published."""
    return next((str(Path(f).parent) for f in files if Path(f).name == METADATA), "")
