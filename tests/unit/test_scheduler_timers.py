"""workflow/lib/scheduler_timers.py: Snakemake's scheduler woken by daemon timers, so that its
process does not wait, idle, for the last timer of its job rate limit before it exits."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from snakemake.scheduling.job_scheduler import JobScheduler

LIB = Path(__file__).resolve().parents[2] / "workflow" / "lib"
sys.path.insert(0, str(LIB))
import scheduler_timers  # noqa: E402


class Scheduler:
    """A stand-in for Snakemake's class, with its method as Snakemake 9 writes it."""

    def __init__(self):
        self._open_jobs = threading.Semaphore(0)

    def _schedule_reevalutation(self, delay: int) -> None:
        threading.Timer(
            delay,
            lambda: self._open_jobs.release(),
        ).start()


class OtherScheduler(Scheduler):
    """Another version's method: not the one the module replaces."""

    def _schedule_reevalutation(self, delay: int) -> None:
        self.delays = [delay]


def test_the_scheduler_is_woken_as_before_by_a_daemon_timer(monkeypatch):
    monkeypatch.setattr(Scheduler, "_schedule_reevalutation", Scheduler._schedule_reevalutation)
    assert scheduler_timers.reevaluate_with_daemon_timers(Scheduler)
    scheduler, before = Scheduler(), set(threading.enumerate())
    scheduler._schedule_reevalutation(0.05)
    (timer,) = set(threading.enumerate()) - before
    assert timer.daemon
    assert scheduler._open_jobs.acquire(timeout=5)  # released by the timer


def test_another_method_is_left_alone():
    own = OtherScheduler.__dict__["_schedule_reevalutation"]
    assert not scheduler_timers.reevaluate_with_daemon_timers(OtherScheduler)
    assert OtherScheduler.__dict__["_schedule_reevalutation"] is own
    assert not scheduler_timers.reevaluate_with_daemon_timers(object)


def test_the_installed_snakemakes_method_is_the_one_replaced(monkeypatch):
    own = JobScheduler.__dict__["_schedule_reevalutation"]
    monkeypatch.setattr(JobScheduler, "_schedule_reevalutation", own)  # restored afterwards
    assert scheduler_timers.is_timer_releasing_open_jobs(own)
    assert scheduler_timers.reevaluate_with_daemon_timers()
    assert JobScheduler.__dict__["_schedule_reevalutation"] is not own


STAND_IN = """
import sys, threading
sys.path.insert(0, {lib!r})
import scheduler_timers

class Scheduler:
    def __init__(self):
        self._open_jobs = threading.Semaphore(0)

    def _schedule_reevalutation(self, delay):
        threading.Timer(delay, lambda: self._open_jobs.release()).start()

if {patched}:
    assert scheduler_timers.reevaluate_with_daemon_timers(Scheduler)
Scheduler()._schedule_reevalutation(120)
"""


@pytest.mark.parametrize(("patched", "wait"), [(False, 3), (True, 60)])
def test_a_process_with_a_timer_pending_exits_at_once_only_when_patched(patched, wait):
    """A Python whose scheduler armed a 120 s timer, then ended: unpatched, it is still there
    after 3 s (the interpreter waits for the timer); patched, it exits (Python starts and
    ends in well under a second)."""
    code = STAND_IN.format(lib=str(LIB), patched=patched)
    python = subprocess.Popen([sys.executable, "-c", code])
    try:
        exited = python.wait(timeout=wait) == 0
    except subprocess.TimeoutExpired:
        exited = False
    finally:
        python.kill()
        python.wait()
    assert exited == patched
