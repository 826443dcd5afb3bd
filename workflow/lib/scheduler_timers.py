"""Snakemake's process ends when its last job and its handlers have, not up to a second later
(parse time: standard library only).

Snakemake (9.x) limits how many jobs it starts per timespan (`--max-jobs-per-timespan`, 100 per
second by default). While jobs run, each pass of its scheduler that waits starts a
`threading.Timer` (`JobScheduler._schedule_reevalutation`) that, one timespan later, releases the
scheduler's semaphore so that it looks at the jobs again. Such a timer is not a daemon thread:
at exit the interpreter waits for the last one to fire. So every build that ran a job ended up
to one timespan (1 s) after its last job had, idle: a fifth of a one-cell edit's wall time.

A daemon timer fires alike while Snakemake runs; at exit, when no job is left to start, it no
longer holds the process. Only the method Snakemake has (a `threading.Timer` that releases
`_open_jobs`) is replaced; another one, of another Snakemake version, is left alone.
"""

from __future__ import annotations

import threading
import types


def reevaluate_with_daemon_timers(scheduler_class: type | None = None) -> bool:
    """Make Snakemake's `JobScheduler` (or `scheduler_class`) wake its scheduler with daemon
    timers. Returns False, changing nothing, when its method is not the one described in the
    module (another Snakemake version)."""
    if scheduler_class is None:
        import snakemake.scheduling.job_scheduler

        scheduler_class = getattr(snakemake.scheduling.job_scheduler, "JobScheduler", None)
    own = getattr(scheduler_class, "__dict__", {}).get("_schedule_reevalutation")
    if not is_timer_releasing_open_jobs(own):
        return False

    def schedule_reevaluation(self, delay) -> None:
        """Snakemake's: the scheduler's semaphore released `delay` seconds from now, by a
        daemon timer."""
        timer = threading.Timer(delay, self._open_jobs.release)
        timer.daemon = True
        timer.start()

    scheduler_class._schedule_reevalutation = schedule_reevaluation
    return True


def is_timer_releasing_open_jobs(method) -> bool:
    """Whether `method` starts a `threading.Timer` whose function releases `_open_jobs` (what
    Snakemake 9's `_schedule_reevalutation` does), read from its code."""
    code = getattr(method, "__code__", None)
    if code is None or "Timer" not in code.co_names:
        return False
    inner = [const for const in code.co_consts if isinstance(const, types.CodeType)]
    return any({"_open_jobs", "release"} <= set(const.co_names) for const in inner)
