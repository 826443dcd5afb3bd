"""The review's definitions (config/definitions.yaml): each named parameter and condition of the
review, defined once; every other file (analysis.yaml, reported_results.yaml, ...) refers to
them by name.

    parameters:   name -> a number, a text, or {status_threshold_of: <number column>} (the
                  threshold the codebook gives that column's status: its one owner)
    conditions:   name -> a condition (`reviewflow.core.conditions`), evaluated per patient;
                  usable as a true/false flag by name wherever a file takes a flag

A condition may also name (`{condition: name}`) a dataset column that the vocabulary derives by
a condition (`derived`): the condition is then evaluated, not the column read.

A name is defined once in a review: a parameter and a condition, or a condition and a dataset
column, cannot share a name (`name_problems`). Problems are located by file and key, all at
once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace

from reviewflow.core.conditions import condition_problems, cycle_problems
from reviewflow.core.errors import raise_if_any
from reviewflow.core.yamlfile import plain, read_yaml

SECTIONS = ("parameters", "conditions")
NAME = re.compile(r"^[A-Za-z_]\w*$")


@dataclass(frozen=True)
class Definitions:
    """The review's named parameters and conditions (in the file's order)."""

    path: str = ""
    parameters: dict = field(default_factory=dict)
    conditions: dict = field(default_factory=dict)
    derived: dict = field(default_factory=dict)  # the vocabulary's derived columns' conditions

    @property
    def named(self) -> dict:
        """Every condition a condition may name: the vocabulary's derived ones and these."""
        return {**self.derived, **self.conditions}


def read_definitions(path: str | os.PathLike, columns=None, derived=None) -> Definitions:
    """The definitions file, checked (its form, its names, its conditions' references and, when
    `columns` is given, the dataset columns they read; `derived`: the vocabulary's derived
    columns' conditions, which a condition may name); raises `InputProblems` listing every
    problem."""
    source = str(path)
    data = read_yaml(path) or {}
    problems = form_problems(source, data)
    raise_if_any(source, problems)
    found = Definitions(
        source,
        plain(dict(data.get("parameters") or {})),
        plain(dict(data.get("conditions") or {})),
        dict(derived or {}),
    )
    raise_if_any(source, definition_problems(found, columns))
    return found


def form_problems(source: str, data) -> list[str]:
    """The file is a mapping of `parameters` and `conditions`, each a mapping of names."""
    if not isinstance(data, dict):
        return [f"{source}: a mapping of {', '.join(SECTIONS)}"]
    problems = [
        f"{source}: {key}: unknown section: the definitions have {', '.join(SECTIONS)}"
        for key in data
        if key not in SECTIONS
    ]
    for section in SECTIONS:
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            problems.append(f"{source}: {section}: a mapping of names")
            continue
        problems += [
            f"{source}: {section}.{name}: not a name: letters, digits and _"
            for name in entries
            if not NAME.match(str(name))
        ]
    return problems


def definition_problems(found: Definitions, columns=None) -> list[str]:
    """Parameters of the wrong form, conditions that break the language or refer to unknown
    names (and, when `columns` is given, to columns the dataset lacks), cycles, names defined
    twice."""
    problems = []
    for name, value in found.parameters.items():
        where = f"{found.path}: parameters.{name}"
        if isinstance(value, dict):
            if set(value) != {"status_threshold_of"}:
                problems.append(f"{where}: {value!r}: a number, a text or {{status_threshold_of}}")
        elif isinstance(value, str) and (value.startswith("$") or re.match(r"^\{\w+\}$", value)):
            problems.append(
                f"{where}: {value!r}: a parameter cannot name another parameter: write its value"
            )
        elif not isinstance(value, int | float | str) or isinstance(value, bool):
            problems.append(f"{where}: {value!r}: a number, a text or {{status_threshold_of}}")
    for name, condition in found.conditions.items():
        problems += condition_problems(
            f"{found.path}: conditions.{name}",
            condition,
            columns,
            found.named,
            found.parameters,
        )
    problems += cycle_problems(f"{found.path}: conditions", found.conditions)
    problems += name_problems(found, columns or ())
    return problems


def name_problems(found: Definitions, columns=()) -> list[str]:
    """A name defined twice in the review: a parameter that is also a condition, a condition
    that is also a dataset column (a flag of the dataset or of the vocabulary)."""
    problems = [
        f"{found.path}: conditions.{name}: {name!r} is also defined under parameters: "
        "one name, one definition"
        for name in found.conditions
        if name in found.parameters
    ]
    problems += [
        f"{found.path}: {section}.{name}: {name!r} is already a dataset column (the codebook or "
        "the vocabulary defines it): one name, one definition; refer to the column by name"
        for section in SECTIONS
        for name in getattr(found, section)
        if name in set(columns)
    ]
    return problems


def with_thresholds(found: Definitions, thresholds: dict, codebook_path: str) -> Definitions:
    """`found` with each `{status_threshold_of: <column>}` parameter replaced by the threshold
    the codebook gives that column's status (`thresholds`: number column -> threshold); raises
    InputProblems naming every parameter that does not name such a column."""
    parameters, problems = dict(found.parameters), []
    for name, value in found.parameters.items():
        if not isinstance(value, dict):
            continue
        column = value["status_threshold_of"]
        if column in thresholds:
            parameters[name] = thresholds[column]
        else:
            problems.append(
                f"{found.path}: parameters.{name}: status_threshold_of: {column!r}: not a "
                f"number column with a status in the codebook ({codebook_path}); the number "
                f"columns with one: {', '.join(sorted(thresholds)) or 'none'}"
            )
    raise_if_any(found.path, problems)
    return replace(found, parameters=parameters)
