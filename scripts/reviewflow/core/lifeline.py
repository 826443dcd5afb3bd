"""A rule's process that must not outlive the snakemake that started it.

Snakemake runs a rule's script as `bash -c "...; python script.py"`: when snakemake itself is
killed with SIGKILL (no chance to stop its jobs), the script would run on alone, e.g. a PubMed
fetch for up to its window deadline, and keep the directory's lock looking alive.
`stop_with_snakemake` watches the snakemake process (the nearest ancestor that is one, else the
parent) and sends this process SIGTERM when it is gone; the script's SIGTERM handler then cleans
up as on Ctrl-C. Linux only (/proc); elsewhere it does nothing.

Standard library only (also used at parse time by workflow/lib/buildcheck.py).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

PROC = Path("/proc")
SCRIPTS = ".snakemake/scripts/"  # where snakemake puts the copy of a rule's script it runs


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of a process, or None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), fields[19]


def _argv(pid: int) -> list[str]:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def is_snakemake(argv: list[str]) -> bool:
    """Whether a command line is snakemake's own (`snakemake ...`, `python -m snakemake ...`),
    not a rule's script that merely lives under .snakemake/."""
    head = [arg for arg in argv[:4] if arg]
    if any(Path(arg).name == "snakemake" for arg in head):
        return True
    return any(a == "-m" and b == "snakemake" for a, b in zip(head, head[1:], strict=False))


def snakemake_ancestor(pid: int | None = None) -> int | None:
    """The nearest ancestor of `pid` (default: this process) that is snakemake, else None."""
    current = _stat(pid or os.getpid())
    while current is not None and current[0] > 1:
        parent = current[0]
        if is_snakemake(_argv(parent)):
            return parent
        current = _stat(parent)
    return None


def stop_with_snakemake(interval: float = 1.0, signum: int = signal.SIGTERM) -> int | None:
    """Send this process `signum` as soon as the snakemake that started it (or, without one, its
    parent) has gone. Returns the pid watched, or None where /proc is not available."""
    if not PROC.is_dir():
        return None
    watched = snakemake_ancestor()
    if watched is None and any(SCRIPTS in arg for arg in sys.argv[:1]):
        os.kill(os.getpid(), signum)  # a rule's script whose snakemake died before this call
        return None
    watched = watched or os.getppid()
    started = _stat(watched)
    if started is None:
        return None

    def watch() -> None:
        while True:
            now = _stat(watched)
            if now is None or now[1] != started[1]:  # gone (or its pid reused)
                os.kill(os.getpid(), signum)
                return
            threading.Event().wait(interval)

    threading.Thread(target=watch, daemon=True, name="stop_with_snakemake").start()
    return watched


def other_snakemake_in(folder: str | os.PathLike) -> list[int]:
    """Processes of snakemake (or of a rule script it started) other than this one and its
    ancestors whose working directory is `folder` (this machine only)."""
    if not PROC.is_dir():
        return []
    folder = Path(folder).resolve()
    mine = {os.getpid()}
    current = _stat(os.getpid())
    while current is not None and current[0] > 0:
        mine.add(current[0])
        current = _stat(current[0])
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        argv = _argv(int(entry.name))
        if not (is_snakemake(argv) or any(SCRIPTS in arg for arg in argv)):
            continue
        try:
            if Path(os.readlink(entry / "cwd")).resolve() == folder:
                found.append(int(entry.name))
        except OSError:
            continue
    return sorted(found)
