"""The review's definitions (config/definitions.yaml, `reviewflow.core.definitions`) as the
statistics stage uses them: checked against the dataset's columns (the codebook's) and with each
`{status_threshold_of: <column>}` parameter replaced by the codebook's threshold."""

from __future__ import annotations

import os

from reviewflow.core.definitions import Definitions, read_definitions, with_thresholds
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
    conditions (which a condition may name), thresholds from the codebook; raises
    `InputProblems` listing every problem."""
    vocabulary = codebook.vocabulary
    derived = {d.column: d.when for d in vocabulary.derived.values()} if vocabulary else {}
    found = read_definitions(path, codebook.column_names, derived)
    return with_thresholds(found, status_thresholds(codebook), str(codebook.path))
