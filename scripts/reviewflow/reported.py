"""The figures the source article reported (`config/reported_results.yaml`), loaded and checked.

The file is transcribed by hand, so it is validated on load: every required item present, no
unknown item, every value well formed; all problems are reported at once. Decimal numbers keep
the precision they were printed with (`98.0` has one decimal), so that a recomputed figure is
compared at the printed precision.

Shape of one item (the fields that the article printed, no others)::

    mri_enhancement_positive:
      section: "4.3"
      wording: "of them, 98.0% (48/49) exhibited lesion enhancement on the enhanced MRI"
      n: 48
      denominator: 49
      percent: 98.0

Numbers: `n` (a count), `denominator`, `percent`, `value` (a mean, median, minimum, ratio...),
`low` and `high` (a printed range); optional `unit` and `comment` (text).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from reviewflow.errors import raise_if_any
from reviewflow.yamlfile import read_yaml

COUNT_FIELDS = ("n", "denominator")
NUMBER_FIELDS = ("percent", "value", "low", "high")
TEXT_FIELDS = ("section", "wording", "unit", "comment")
ALLOWED_FIELDS = COUNT_FIELDS + NUMBER_FIELDS + TEXT_FIELDS
SECTION = re.compile(r"^\d+(\.\d+)*$")
# The figures whose item keys are fixed so that results stay comparable between versions of the
# review (issue 3); the file may hold more.
REQUIRED_ITEMS = (
    # 4.1
    "n_cases",
    "sex_male",
    "sex_female",
    "age_mean",
    "age_min",
    "age_max",
    "onset_to_diagnosis_n",
    "onset_to_diagnosis_months_mean",
    "onset_to_diagnosis_months_range",
    # 4.2
    "initial_symptom_recorded",
    "initial_pain",
    "initial_pain_dorsalgia",
    "initial_pain_cervicalgia",
    "initial_sensory_or_weakness",
    "initial_gait",
    "main_sensory_or_weakness",
    "main_pain",
    "main_urinary_fecal",
    "other_organ_involvement",
    # 4.3
    "mri_enhancement_evaluated",
    "mri_enhancement_positive",
    "pattern_described",
    "pattern_linear",
    "pattern_focal_or_nodular",
    "pattern_both",
    "level_thoracic",
    "level_cervical",
    "level_lumbar",
    "level_sacral",
    "level_cervical_and_thoracic",
    "level_brain",
    # 4.4
    "serum_igg4_measured",
    "serum_igg4_elevated",
    "csf_examined",
    "csf_cells_increased",
    "csf_protein_increased",
    "csf_cells_min",
    "csf_cells_max",
    "csf_cells_median",
    "csf_protein_min",
    "csf_protein_max",
    "csf_protein_median",
    # 4.5
    "biopsy",
    "path_fibrosis",
    "path_phlebitis",
    "igg4_histology_reported",
    "igg4_histology_criteria_met",
    # 4.6
    "treated",
    "treatment_decompression",
    "treatment_glucocorticoid",
    "treatment_immunosuppressant",
    "treatment_rituximab",
    "treatment_glucocorticoid_combined",
    "lost_to_follow_up",
    "died",
    "died_of_infection",
    "recurrence",
    "improved",
)


@dataclass(frozen=True)
class Reported:
    """One published figure; numbers are Decimals that keep their printed precision."""

    key: str
    section: str
    wording: str
    n: int | None = None
    denominator: int | None = None
    percent: Decimal | None = None
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    unit: str = ""
    comment: str = ""

    def fields(self) -> dict[str, int | Decimal]:
        """The numbers this figure printed, by field name."""
        names = COUNT_FIELDS + NUMBER_FIELDS
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def text(self) -> str:
        """The figure in the summary's style: `38/53 (71.7%)`, `48.29`, `0.50–6.00`."""
        return figure_text(self.fields())


def figure_text(fields: dict) -> str:
    n, den, pct = fields.get("n"), fields.get("denominator"), fields.get("percent")
    parts = []
    if n is not None and den is not None:
        parts.append(f"{n}/{den}")
    elif n is not None:
        parts.append(str(n))
    if pct is not None:
        parts.append(f"({pct}%)" if parts else f"{pct}%")
    if fields.get("value") is not None:
        parts.append(str(fields["value"]))
    if fields.get("low") is not None or fields.get("high") is not None:
        parts.append(f"{fields.get('low', '')}–{fields.get('high', '')}")
    return " ".join(parts)


def read_reported(
    path: str | os.PathLike, known_items: Iterable[str], required: Iterable[str] = REQUIRED_ITEMS
) -> dict[str, Reported]:
    """The reported figures by item key; raises `InputProblems` listing every problem.

    `known_items`: the item keys the analysis can compute or declares not derivable; an item
    outside them is a problem (a misspelt key would otherwise never be compared).
    """
    path = Path(path)
    data = read_yaml(path, decimals=True)
    return parse_reported(data, str(path), known_items, required)


def parse_reported(
    data, source: str, known_items: Iterable[str], required: Iterable[str] = REQUIRED_ITEMS
) -> dict[str, Reported]:
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise_if_any(source, ["the file must be a mapping with an 'items' mapping: item -> figure"])
    items = data["items"]
    known = set(known_items)
    problems: list[str] = [
        f"unknown top-level key {key!r}; allowed: source, items"
        for key in data
        if key not in ("source", "items")
    ]
    for key in required:
        if key not in items:
            problems.append(
                f"item {key!r} is missing: every figure of the results must be transcribed "
                "(section, wording, and the numbers as printed)"
            )
    reported = {}
    for key, entry in items.items():
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see the summary's items"
            problems.append(f"item {key!r}: unknown item (no computation defined for it); {hint}")
            continue
        figure, found = parse_item(str(key), entry)
        problems += found
        if figure is not None:
            reported[key] = figure
    raise_if_any(source, problems)
    return reported


def show(value) -> str:
    """A value as the reviewer typed it: 98.0 for a Decimal, quotes around text."""
    return str(value) if isinstance(value, Decimal) else repr(value)


def parse_item(key: str, entry) -> tuple[Reported | None, list[str]]:
    """One item, or None and the problems found in it."""
    where = f"item {key!r}"
    if not isinstance(entry, dict):
        return None, [
            f"{where}: {entry!r}: must be a mapping of fields ({', '.join(ALLOWED_FIELDS)})"
        ]
    problems = []
    for field in entry:
        if field not in ALLOWED_FIELDS:
            problems.append(
                f"{where}: unknown field {field!r}; allowed: {', '.join(ALLOWED_FIELDS)}"
            )
    section = entry.get("section")
    section = str(section) if isinstance(section, (str, Decimal, int)) else None
    if section is None or not SECTION.match(section):
        problems.append(
            f"{where}: section {show(entry.get('section'))}: must be the article's section "
            'number as text, e.g. "4.1"'
        )
    wording = entry.get("wording")
    if not isinstance(wording, str) or not wording.strip():
        problems.append(f"{where}: wording {wording!r}: must quote the article's sentence")
    values: dict = {}
    for field in COUNT_FIELDS:
        if field in entry:
            value = entry[field]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{where}: {field} {show(value)}: must be a whole number >= 0")
            else:
                values[field] = value
    for field in NUMBER_FIELDS:
        if field in entry:
            value = entry[field]
            if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
                problems.append(f"{where}: {field} {show(value)}: must be a number as printed")
            elif not Decimal(value).is_finite():
                problems.append(f"{where}: {field} {value}: must be a finite number")
            else:
                values[field] = Decimal(value)
    for field in ("unit", "comment"):
        if field in entry and not isinstance(entry[field], str):
            problems.append(f"{where}: {field} {entry[field]!r}: must be text")
    if not any(field in values for field in COUNT_FIELDS + NUMBER_FIELDS) and not any(
        field in entry for field in COUNT_FIELDS + NUMBER_FIELDS
    ):
        problems.append(
            f"{where}: no number: give at least one of {', '.join(COUNT_FIELDS + NUMBER_FIELDS)}"
        )
    if "percent" in values and not 0 <= values["percent"] <= 100:
        problems.append(f"{where}: percent {entry['percent']}: must be between 0 and 100")
    n, den = values.get("n"), values.get("denominator")
    if n is not None and den is not None and n > den:
        problems.append(f"{where}: n {n} is larger than its denominator {den}")
    if "low" in values and "high" in values and values["low"] > values["high"]:
        problems.append(f"{where}: low {entry['low']} is above high {entry['high']}")
    if problems:
        return None, problems
    figure = Reported(
        key=key,
        section=section,
        wording=wording.strip(),
        unit=entry.get("unit", ""),
        comment=entry.get("comment", ""),
        **values,
    )
    return figure, []
