"""The state of the last build (`results/run_state.json`) and the one check of whether its
results may be used: by `snakemake --report` (workflow/runstate.smk) and by
`reviewflow publish-version` (reviewflow.living.versions).

The onstart/onsuccess/onerror handlers of workflow/rules/runstate.smk write the state
(`running | succeeded | partial | failed`, times, targets); a build that succeeded also records
the roots of what the review is made from (`source_roots`: config, the reviewers' files, the
stored windows, the workflow's code) and the SHA-256 of every file under them (`sources`).
A build stopped while snakemake reads the workflow (a duplicate key in config.yaml) runs no
handler: its state stays the earlier build's, whose recorded sources then differ from the
files, so the check refuses all the same.

Standard library only: read at parse time (tests/test_parse_time.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

RUN_STATE_VERSION = 1
REBUILD = "snakemake --cores 4"


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_run_state(path: str | Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_run_state(path: str | Path, state: str, **extra) -> dict:
    """Write `results/run_state.json` atomically: running | succeeded | failed, with times."""
    path = Path(path)
    previous = read_run_state(path) or {}
    now = time.time()
    data = {"version": RUN_STATE_VERSION, "state": state}
    if state == "running":
        data["started"] = now
    else:
        data["started"] = previous.get("started", now)
        data["finished"] = now
    data["started_utc"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(data["started"]))
    if "finished" in data:
        data["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(now))
    data.update(extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return data


def files_under(paths: list[str | Path]):
    """Every file of `paths` (files, or folders walked), without caches."""
    for item in paths:
        item = Path(item)
        if item.is_file():
            yield item
        elif item.is_dir():
            for path in item.rglob("*"):
                skipped = "__pycache__" in path.parts or ".egg-info" in str(path)
                if path.is_file() and not skipped:
                    yield path


def source_hashes(sources: list[str | Path]) -> dict[str, str]:
    """SHA-256 of every file the review is made from (config, reviewers' files, stored windows,
    code), recorded by a complete build that succeeded."""
    return {str(path): sha256_file(path) for path in sorted(set(files_under(sources)))}


def _named_files(sources: list[str | Path], root: Path):
    """(name as recorded, path) of every file under `sources`; relative sources are read under
    `root` but named as recorded (relative to the review's folder)."""
    for source in sources:
        base = root / source
        if base.is_file():
            yield str(Path(source)), base
        else:
            for path in files_under([base]):
                yield str(Path(source) / path.relative_to(base)), path


def report_problems(
    state_path: str | Path, sources: list[str | Path], root: str | Path = "."
) -> list[str]:
    """Why `snakemake --report` must not make a report now: the last build failed, is still
    running, never ran, or a file the review is made from changed (in content: a file only
    touched is the same) after it finished. A build of some targets only ("partial") is
    reported, its landing page saying so (workflow/report/workflow.rst)."""
    state = read_run_state(state_path)
    rerun = f"fix what it reported and run {REBUILD} again"
    if state is None:
        return [
            f"{state_path}: no record of a finished build here: run {REBUILD} (when it "
            f"says there is nothing to be done, {REBUILD} --forceall records one)"
        ]
    when = state.get("finished_utc") or state.get("started_utc", "?")
    if state.get("state") == "failed":
        return [f"{state_path}: the last build failed ({when}): {rerun}"]
    if state.get("state") == "running":
        return [f"{state_path}: a build started at {when} has not finished: wait for it or rerun"]
    if state.get("state") not in ("succeeded", "partial"):
        return [f"{state_path}: the last build ({when}) ended as {state.get('state')!r}: {rerun}"]
    recorded = state.get("sources") or {}
    finished = float(state.get("finished", 0))
    changed = []
    current = set()
    for name, path in _named_files(sources, Path(root)):
        if name in current:  # a file of two sources (config/config.yaml and config/)
            continue
        current.add(name)
        if name not in recorded:
            changed.append(f"{name} (new)")
        elif path.stat().st_mtime > finished and sha256_file(path) != recorded[name]:
            changed.append(name)
    changed += [f"{name} (deleted)" for name in recorded if name not in current]
    if changed:
        changed.sort()
        shown = ", ".join(changed[:10])
        more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
        # a change no rule's inputs, params or script see (library code, an unused key) leaves
        # Snakemake nothing to do: it then runs no handler and records no build
        return [
            f"changed since the last build finished ({when}): {shown}{more}: run {REBUILD} again "
            f"(when it says there is nothing to be done, {REBUILD} --forceall records the build)"
        ]
    return []


def publish_problems(state_path: str | Path, root: str | Path = ".") -> list[str]:
    """Why a version must not be published from the build now: the check of `report_problems`
    over the sources the last build recorded, and the build must have made every target (a
    partial build is reportable, not publishable)."""
    state = read_run_state(state_path)
    if state is not None and state.get("state") == "partial":
        targets = ", ".join(state.get("targets") or []) or "some targets"
        return [
            f"{state_path}: the last build made {targets} only, not the whole review: "
            f"run {REBUILD} (every target) first"
        ]
    if state is not None and state.get("state") == "succeeded" and not state.get("source_roots"):
        return [
            f"{state_path}: the last build did not record what it was made from: "
            f"run {REBUILD} --forceall once"
        ]
    return report_problems(state_path, (state or {}).get("source_roots") or [], root)
