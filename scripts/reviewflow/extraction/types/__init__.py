"""The field-type registry: one module per codebook type.

A type (a `FieldType` of `base.py`) owns its declaration keys and their checks, what a cell may
hold (`allowed`), how a cell is read and checked (`parse`, `check`), its dataset columns
(`columns`, from a `ColumnMaker`), its harmonisation (`values`) and its sentence of
docs/reference.md (`reference`). A new type is one module here plus its entry in `TYPES` and its
tests; nothing else compares type names.
"""

from __future__ import annotations

from reviewflow.extraction.types.base import Column, ColumnMaker, FieldType, readable
from reviewflow.extraction.types.bound import BOUND
from reviewflow.extraction.types.choice import CHOICE
from reviewflow.extraction.types.combined import COMBINED
from reviewflow.extraction.types.dimensions import DIMENSIONS
from reviewflow.extraction.types.duration import DURATION
from reviewflow.extraction.types.identifier import ID, REF
from reviewflow.extraction.types.integer import INTEGER
from reviewflow.extraction.types.levels import LEVELS
from reviewflow.extraction.types.number import NUMBER
from reviewflow.extraction.types.published import DOI, PMID
from reviewflow.extraction.types.text import TEXT

TYPES: dict[str, FieldType] = {
    kind.name: kind
    for kind in (
        ID,
        REF,
        INTEGER,
        NUMBER,
        CHOICE,
        DURATION,
        BOUND,
        LEVELS,
        TEXT,
        DOI,
        PMID,
        DIMENSIONS,
        COMBINED,
    )
}
FIELD_TYPES = set(TYPES)

__all__ = ["TYPES", "FIELD_TYPES", "Column", "ColumnMaker", "FieldType", "readable"]
