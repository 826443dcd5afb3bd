"""Errors about inputs that people edit: every problem is collected and reported at once."""

from __future__ import annotations

import re

CONSOLE_PER_GROUP = 3  # problems shown on the console per kind of problem (all are in the log)
CONSOLE_GROUPS = 20  # kinds of problem shown on the console

# The place a problem starts with: "cases!E12", "line 7", "path:3:5", "path".
_CELL = re.compile(r"^([^!:\s]+!)([A-Z]+)\d+\b")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d+")


class InputProblems(ValueError):
    """One or more problems found in a user-edited input (workbook, TSV, YAML, export).

    `problems` are complete sentences, each naming where (file, sheet!cell or line), the value,
    what is wrong and what is allowed, e.g.
    ``cases!E12: 'Mle': sex must be one of Male, Female, ND``. `consequence` ends the first line
    (a check that writes nothing passes ``consequence=""``).
    """

    def __init__(self, source: str, problems: list[str], consequence: str = "nothing was written"):
        self.source = str(source)
        self.problems = list(problems)
        self.consequence = consequence
        super().__init__(str(self))

    def head(self) -> str:
        n = len(self.problems)
        ending = f", {self.consequence}:" if self.consequence else ":"
        return f"{self.source}: {n} problem{'s' if n != 1 else ''}{ending}"

    def __str__(self) -> str:
        return "\n".join([self.head(), *(f"  {p}" for p in self.problems)])

    def summary(
        self, per_group: int = CONSOLE_PER_GROUP, groups: int = CONSOLE_GROUPS, full_list: str = ""
    ) -> str:
        """The problems grouped by kind (same column or file and same complaint), the first
        `per_group` of each and the count of the others; `full_list` names where all are."""
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem_kind(problem), []).append(problem)
        lines = [self.head()]
        for members in list(grouped.values())[:groups]:
            lines += [f"  {p}" for p in members[:per_group]]
            if len(members) > per_group:
                lines.append(f"  ... and {len(members) - per_group} more like the above")
        hidden = sum(len(m) for m in list(grouped.values())[groups:])
        if hidden:
            lines.append(f"  ... and {hidden} more problems of other kinds")
        if full_list and len(lines) - 1 < len(self.problems):
            lines.append(f"  (all {len(self.problems)} problems are listed in {full_list})")
        return "\n".join(lines)


class OutputNotWritten(SystemExit):
    """An output that could not be written (a full, read-only or forbidden disk): its one
    located line ends the rule without a traceback (a SystemExit); nothing was replaced."""


def problem_kind(problem: str) -> str:
    """What makes two problems alike: the place without its row or line number, the complaint
    without its quoted values and numbers (``cases!E12: 'Mle': sex ...`` ~ ``cases!E: ...``)."""
    first = problem.splitlines()[0] if problem else ""
    first = _CELL.sub(r"\1\2", first)
    first = _QUOTED.sub("…", first)
    return _NUMBER.sub("#", first)


def raise_if_any(source: str, problems: list[str]) -> None:
    if problems:
        raise InputProblems(source, problems)
