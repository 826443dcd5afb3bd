"""The screening folder read whole: every reviewer's decision file, whatever its kind (tables and
workbooks by `reviewflow.screening.files`, ASReview exports by `reviewflow.screening.asreview`),
checked together, one decision per record, reviewer and stage."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.screening.decisions import STAGES, Decision, ScreeningSettings
from reviewflow.screening.files import (
    UNREADABLE,
    Checker,
    find_decision_files,
    one_decision_each,
    read_reviewer_table,
)


def read_decisions(
    folder: str | Path, ids: Mapping[str, str], settings: ScreeningSettings
) -> list[Decision]:
    """Every decision of every file in `folder`, checked; raises InputProblems listing them all."""
    files, problems = find_decision_files(folder)
    checker = Checker(ids=ids, settings=settings, problems=problems)
    decisions: list[Decision] = []
    for file in files:
        try:
            if file.asreview:
                from reviewflow.screening.asreview import (
                    read_labelled_export,  # (it imports this module)
                )

                decisions += read_labelled_export(file, checker)
            else:
                decisions += read_reviewer_table(file, checker)
        except InputProblems as error:
            problems += [f"{file.display}, {problem}" for problem in error.problems]
        except UNREADABLE as error:
            problems.append(
                f"{file.display}: cannot be read as a {file.path.suffix} file "
                f"({type(error).__name__}: {error}); save it again from Excel or LibreOffice"
            )
    decisions = one_decision_each(decisions, problems)
    raise_if_any(str(folder), problems)
    order = {stage: i for i, stage in enumerate(STAGES)}
    return sorted(decisions, key=lambda d: (order[d.stage], d.record_id, d.by))
