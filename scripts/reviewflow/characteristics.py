"""The review's characteristics table (its "Table 1" summary, like R's tableone or gtsummary):
the patients' characteristics grouped by domain, n/N (%) with denominators, continuous
variables as mean ± SD or median (Q1, Q3) by Shapiro-Wilk, with their range.

The rows are the declared items (`reviewflow.recompute`), so the table and the summary agree.
"""

from __future__ import annotations

import os

import pandas as pd
from openpyxl import Workbook

from reviewflow.io import atomic_path
from reviewflow.recompute import Item
from reviewflow.spreadsheet import Column, write_sheet

# (domain, item key, label, subgroup); continuous items are the summary keys of
# `continuous_items`. A subgroup row is a share of a subgroup (e.g. of patients treated): its
# patients outside the subgroup are not "not reported".
LAYOUT: list[tuple[str, str, str, bool]] = [
    ("Demographics", "sex_male", "Male sex", False),
    ("Demographics", "sex_female", "Female sex", False),
    ("Demographics", "age", "Age at onset (years)", False),
    ("Clinical course", "onset_to_diagnosis_weeks", "Onset to diagnosis (weeks)", False),
    ("Clinical course", "onset_to_diagnosis_months", "Onset to diagnosis (months)", False),
    ("Initial symptom", "initial_pain", "Pain", False),
    ("Initial symptom", "initial_pain_dorsalgia", "  dorsalgia (of pain)", True),
    ("Initial symptom", "initial_pain_cervicalgia", "  cervicalgia (of pain)", True),
    ("Initial symptom", "initial_pain_headache", "  headache (of pain)", True),
    ("Initial symptom", "initial_pain_limb", "  limb pain (of pain)", True),
    ("Initial symptom", "initial_pain_other", "  other site (of pain)", True),
    ("Initial symptom", "initial_sensory_or_weakness", "Sensory disturbance or weakness", False),
    ("Initial symptom", "initial_gait", "Gait disorder", False),
    ("Initial symptom", "initial_urinary_fecal", "Urinary or fecal dysfunction", False),
    ("Initial symptom", "initial_cranial_visual", "Cranial nerve or visual", False),
    ("Initial symptom", "initial_other", "Other", False),
    ("Main symptoms", "main_pain", "Pain", False),
    ("Main symptoms", "main_pain_dorsalgia", "  dorsalgia (of pain)", True),
    ("Main symptoms", "main_pain_cervicalgia", "  cervicalgia (of pain)", True),
    ("Main symptoms", "main_pain_headache", "  headache (of pain)", True),
    ("Main symptoms", "main_pain_limb", "  limb pain (of pain)", True),
    ("Main symptoms", "main_pain_other", "  other site (of pain)", True),
    ("Main symptoms", "main_sensory_or_weakness", "Sensory disturbance or weakness", False),
    ("Main symptoms", "main_gait", "Gait disorder", False),
    ("Main symptoms", "main_urinary_fecal", "Urinary or fecal dysfunction", False),
    ("Main symptoms", "main_cranial_visual", "Cranial nerve or visual", False),
    ("Main symptoms", "main_other", "Other", False),
    ("Imaging", "level_cervical", "Cervical spine", False),
    ("Imaging", "level_thoracic", "Thoracic spine", False),
    ("Imaging", "level_lumbar", "Lumbar spine", False),
    ("Imaging", "level_sacral", "Sacral spine", False),
    ("Imaging", "level_brain", "Brain dura mater", False),
    ("Imaging", "level_cervical_and_thoracic", "Cervical and thoracic", False),
    ("Imaging", "mri_enhancement_positive", "Enhancement on MRI", False),
    ("Imaging", "pattern_linear", "Linear enhancement (of patterns described)", False),
    ("Imaging", "pattern_focal_any", "Focal enhancement (of patterns described)", False),
    ("Imaging", "pattern_nodular_any", "Nodular enhancement (of patterns described)", False),
    ("Laboratory", "serum_igg4_elevated", "Elevated serum IgG4", False),
    ("Laboratory", "csf_cells_increased", "CSF cell count increased", False),
    ("Laboratory", "csf_protein_increased", "CSF protein increased", False),
    ("Laboratory", "csf_cells", "CSF cell count (per µL)", False),
    ("Laboratory", "csf_protein", "CSF protein (mg/dL)", False),
    ("Pathology", "path_fibrosis", "Fibrosis", False),
    ("Pathology", "path_infiltration", "Inflammatory cell infiltration", False),
    ("Pathology", "path_phlebitis", "Phlebitis", False),
    ("Pathology", "igg4_histology_criteria_met", "IgG4 histology criteria met", False),
    ("Treatment", "treated", "Any treatment", False),
    ("Treatment", "treatment_decompression", "Decompression surgery (of treated)", True),
    ("Treatment", "treatment_glucocorticoid", "Glucocorticoid (of treated)", True),
    ("Treatment", "treatment_rituximab", "Rituximab (of treated)", True),
    (
        "Treatment",
        "treatment_immunosuppressant",
        "Conventional immunosuppressant (of treated)",
        True,
    ),
    ("Treatment", "treatment_azathioprine", "  azathioprine", True),
    ("Treatment", "treatment_methotrexate", "  methotrexate", True),
    ("Treatment", "treatment_cyclophosphamide", "  cyclophosphamide", True),
    ("Treatment", "treatment_mycophenolate", "  mycophenolate", True),
    ("Outcome", "improved", "Improved", False),
    ("Outcome", "no_improvement", "No improvement", False),
    ("Outcome", "recurrence", "Recurrence", False),
    ("Outcome", "died", "Death", False),
]
COLUMNS = ["domain", "characteristic", "value", "statistic", "n_reported", "not_reported"]


def characteristics_frame(items: list[Item], n_cases: int) -> pd.DataFrame:
    """One row per characteristic: its value and how many patients it is reported for."""
    by_key = {item.key: item for item in items}
    rows = []
    for domain, key, label, subgroup in LAYOUT:
        item = by_key[key]
        values = item.values
        if item.statistic:
            statistic, reported = item.statistic, values.n
        elif values.denominator is not None:
            statistic, reported = "n/N (%)", values.denominator
        else:
            statistic, reported = "n", None
        text = values.text
        if item.statistic and values.n:
            text += f"; range {by_key[f'{key}_min'].values.text}–{by_key[f'{key}_max'].values.text}"
        rows.append(
            {
                "domain": domain,
                "characteristic": label,
                "value": text,
                "statistic": statistic,
                "n_reported": reported,
                "not_reported": None if reported is None or subgroup else n_cases - reported,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("n_reported", "not_reported"):
        frame[column] = frame[column].astype("Int64")
    return frame


def characteristics_markdown(frame: pd.DataFrame, n_cases: int) -> str:
    lines = [
        f"# Characteristics of the {n_cases} patients",
        "",
        "n/N (%): N counts the patients for whom the item is reported (not-reported patients are "
        "left out of the denominator). Continuous variables: mean ± SD when Shapiro-Wilk does not "
        "reject normality (p ≥ 0.05), else median (Q1, Q3); with the range (min–max). Indented "
        "rows are shares of the row above.",
        "",
        "| Domain | Characteristic | Value | Statistic | Reported | Not reported |",
        "|---|---|---|---|---|---|",
    ]
    previous = None
    for row in frame.itertuples(index=False):
        domain = f"**{row.domain}**" if row.domain != previous else ""
        previous = row.domain
        label = row.characteristic.replace("  ", "&nbsp;&nbsp;&nbsp;", 1)
        cells = [
            domain,
            label,
            row.value,
            row.statistic,
            cell(row.n_reported),
            cell(row.not_reported),
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def plain(value):
    """A cell value openpyxl can store: None for missing, Python int for pandas integers."""
    if pd.isna(value):
        return None
    return int(value) if hasattr(value, "__index__") else value


def cell(value) -> str:
    return "" if pd.isna(value) else str(value)


def write_characteristics_xlsx(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """The table as an .xlsx sheet (text never stored as a formula), written atomically."""
    book = Workbook()
    sheet = book.active
    sheet.title = "characteristics"
    columns = [
        Column("domain", width=18),
        Column("characteristic", width=46),
        Column("value", width=34),
        Column("statistic", width=17),
        Column("n_reported", width=12),
        Column("not_reported", width=13),
    ]
    rows = ([plain(value) for value in row] for row in frame.itertuples(index=False))
    write_sheet(sheet, columns, rows, validation_rows=0)
    with atomic_path(path) as tmp:
        book.save(tmp)
