"""The review's definitions (config/definitions.yaml, `reviewflow.core.definitions`) against the
dataset they are evaluated on: checked against the dataset's columns (the codebook's), with each
`{status_threshold_of: <column>}` parameter replaced by the codebook's threshold, and with the
named conditions and parameters the codebook's quality checks use checked too. The dataset's
quality checks and every statistics table read the definitions from here."""

from __future__ import annotations

import os

from reviewflow.core.conditions import condition_problems
from reviewflow.core.definitions import Definitions, read_definitions, with_thresholds
from reviewflow.core.errors import raise_if_any
from reviewflow.extraction.codebook import Codebook


def status_thresholds(codebook: Codebook) -> dict:
    """Number column -> the threshold of its status (`status.above` of the field it is made
    from)."""
    sheet = codebook.sheet(codebook.dataset_sheet)
    return {
        c.name: sheet.field(c.field).status["above"]
        for c in codebook.columns
        if c.part == "value" and c.field in sheet.names and sheet.field(c.field).status
    }


def load_definitions(path: str | os.PathLike, codebook: Codebook) -> Definitions:
    """The review's definitions, checked against the codebook's dataset columns (every column a
    condition reads exists; no name is also a column), with the vocabulary's derived columns'
    conditions (which a condition may name), thresholds from the codebook; the codebook's
    quality checks may name its conditions and parameters (`quality_check_references`); raises
    `InputProblems` listing every problem."""
    vocabulary = codebook.vocabulary
    derived = {d.column: d.when for d in vocabulary.derived.values()} if vocabulary else {}
    found = read_definitions(path, codebook.column_names, derived)
    found = with_thresholds(found, status_thresholds(codebook), str(codebook.path))
    raise_if_any(str(codebook.path), quality_check_references(codebook, found))
    return found


def quality_check_references(codebook: Codebook, definitions: Definitions) -> list[str]:
    """The named conditions (`{condition: name}`) and parameters (`"{name}"`) of the codebook's
    consistency checks that the definitions lack, each located in the codebook (the columns they
    read are checked when the codebook is loaded)."""
    where = f"{codebook.path}: quality_checks.consistency"
    problems = []
    for number, check in enumerate(codebook.quality_checks.get("consistency") or [], start=1):
        problems += condition_problems(
            f"{where}[{number}].when",
            check["when"],
            None,
            definitions.named,
            definitions.parameters,
        )
    return problems
