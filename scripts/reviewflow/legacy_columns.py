"""Transitional: the first review's dataset column groups, for the statistics modules that still
name them (analysis.py, figures.py) until they read their columns from the codebook and the
analysis file. The dataset stage never uses this module; delete it when nothing imports it.
"""

from __future__ import annotations

import pandas as pd

from reviewflow.cases_reader import RAW_TREATMENT, is_true  # noqa: F401  (re-exported)

LEVELS = ["brain", "cervical", "thoracic", "lumbar", "sacral"]
LEVEL_CODES = dict(zip(LEVELS, "BCTLS", strict=True))
TREATMENTS = [
    "decompression",
    "biopsy",
    "glucocorticoid",
    "azathioprine",
    "methotrexate",
    "cyclophosphamide",
    "mycophenolate",
    "rituximab",
]
SYMPTOMS = [
    "pain",
    "pain_dorsalgia",
    "pain_cervicalgia",
    "pain_headache",
    "pain_limb",
    "pain_other",
    "sensory_or_weakness",
    "gait",
    "urinary_fecal",
    "cranial_visual",
    "other",
]
SYMPTOM_PREFIXES = ["initial_", "main_"]


def levels_code(case: pd.Series) -> str:
    """The canonical involved-area code of a case, e.g. `C T`; empty when none is recorded."""
    return " ".join(code for level, code in LEVEL_CODES.items() if is_true(case[f"level_{level}"]))
