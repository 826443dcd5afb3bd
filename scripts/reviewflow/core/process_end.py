"""How a build's processes end: without the interpreter's last garbage collection.

A rule's job (and Snakemake's own process) exits right after its files are written. At exit the
interpreter collects every object it still tracks, pandas', scipy's and Snakemake's modules
included: about 0.1-0.2 s of CPU per process, for memory the operating system frees anyway.
Freezing them (gc.freeze) at exit skips that collection. The exit handlers still run (logging's,
which flushes and closes the rule's log, runs after this one); only objects held in reference
cycles are left unfinalised, and every file of ours is written and closed before it (core.io's
atomic writes)."""

from __future__ import annotations

import atexit
import gc

_registered: list[bool] = []


def spare_final_collection() -> None:
    """Freeze the objects left at exit, so that the interpreter's final collection skips them
    (once per process, however often it is called)."""
    if not _registered:
        atexit.register(gc.freeze)
        _registered.append(True)
