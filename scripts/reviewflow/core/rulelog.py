"""Logging for the rule adapters (scripts/<rule>.py): each rule writes its own log file, and a
problem in an input that people edit (InputProblems) ends the rule before anything is written,
with every problem listed in the log and, grouped and capped (the first few of each kind with
the count of the others), on the console and in `<log>.problems.txt`, which the workflow's error
handler prints again at the very end of a failed build."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

from reviewflow.core.errors import InputProblems
from reviewflow.core.process_end import spare_final_collection

# Libraries whose INFO chatter would drown a rule's own lines.
QUIET_LIBRARIES = ("fontTools", "matplotlib", "PIL", "frictionless", "urllib3")
LOG_FORMAT = "%(message)s"  # a rule's log reads as the lines it says; problems as listed
PROBLEMS_SUFFIX = ".problems.txt"  # read by workflow/lib/buildcheck.py at the end of a build
_rule_log: list[str] = []  # the log file of this rule, once started


def start_rule_log(path: str | os.PathLike, *, console: bool = False) -> None:
    """Send this process's log records (the library's included) to the rule's log file, and with
    `console` to the terminal as well (for long rules such as a fetch). The job's process ends
    without the interpreter's last garbage collection (core.process_end)."""
    spare_final_collection()
    _rule_log[:] = [str(path)]
    with contextlib.suppress(FileNotFoundError):
        os.remove(f"{path}{PROBLEMS_SUFFIX}")
    handlers: list[logging.Handler] = [logging.FileHandler(path, mode="w", encoding="utf-8")]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.contextmanager
def stop_on_input_problems() -> Iterator[None]:
    """Turn InputProblems into a clean exit with their list (no traceback: the list says it all);
    any other error is logged with its traceback and raised as it is."""
    try:
        yield
    except InputProblems as problems:
        logging.getLogger("reviewflow").error("%s", problems)
        log_path = _rule_log[0] if _rule_log else ""
        summary = problems.summary(full_list=log_path)
        if log_path:
            with open(f"{log_path}{PROBLEMS_SUFFIX}", "w", encoding="utf-8") as handle:
                handle.write(summary + "\n")
        raise SystemExit(summary) from None
    except Exception:
        logging.getLogger("reviewflow").exception("the rule failed; nothing was written")
        raise
