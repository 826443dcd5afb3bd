"""The methods text of extraction and appraisal (results/appraisal/methods.md): how many
extractors and appraisers, their agreement, and how disagreements were resolved, in sentences
made from the workflow's own tables (PRISMA 2020 items 9 and 11)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reviewflow.appraisal.appraise import Checklist


def extraction_methods(
    extractors: Sequence[str],
    workbook: str,
    agreement: pd.DataFrame | None,
    disagreements: pd.DataFrame | None,
) -> str:
    """Sentences on data extraction: single extraction, or double with agreement and
    adjudication (tables of rule extraction_compare)."""
    if not extractors:
        return (
            f"Data were extracted into one workbook ({workbook}), single extraction: no second "
            "extractor's copy exists, so no agreement between extractors is computed."
        )
    text = (
        f"Data were extracted independently by {len(extractors)} extractors "
        f"({', '.join(extractors)}), each into their own copy of the workbook, and compared cell "
        "by cell."
    )
    if agreement is not None and len(agreement):
        cells = int(agreement["rows"].sum())
        agreed = int(agreement["agreed"].sum())
        text += f" They agreed on {agreed} of {cells} cells ({percent(agreed, cells)})"
        kappas = pd.to_numeric(agreement["kappa"], errors="coerce").dropna()
        if len(kappas):
            text += (
                f"; Cohen's kappa of the {len(kappas)} choice fields ranged from "
                f"{kappas.min():.2f} to {kappas.max():.2f} (median {kappas.median():.2f})"
            )
        text += "."
    if disagreements is not None:
        status = disagreements["status"].value_counts()
        text += (
            f" {plural(len(disagreements), 'cell')} in disagreement: "
            f"{int(status.get('adjudicated', 0))} "
            "settled by adjudication (extraction adjudication file: reviewer and note per cell)"
        )
        if status.get("row_dropped", 0):
            text += f", {int(status['row_dropped'])} in rows dropped by adjudication"
        if status.get("open", 0):
            text += f", {int(status['open'])} still open (the dataset is not built until settled)"
        text += "."
    return text


def appraisal_methods(
    checklist: Checklist,
    appraisers: Sequence[str],
    table: pd.DataFrame,
    agreement: pd.DataFrame,
    conflicts: pd.DataFrame,
) -> str:
    """Sentences on the critical appraisal: checklist, appraisers, agreement, conflicts and how
    they were settled, the overall rule, and what is not appraised."""
    n = len(table)
    status = table["status"].value_counts()
    appraised = int(status.get("appraised", 0))
    rule = "; ".join(f"{j.label}: {j.description}" for j in checklist.judgements)
    text = (
        f"Checklist: {checklist.name} ({len(checklist.items)} items; {checklist.citation}). "
        f"Answers: {', '.join(checklist.answer_labels)}. Overall judgement per study: {rule}."
    )
    if not appraisers:
        return text + (
            f" No appraiser is declared and no appraisal file exists: none of the {n} included "
            "studies is appraised (judgement not_appraised); nothing is invented."
        )
    text += (
        f" {len(appraisers)} appraiser{'s' if len(appraisers) != 1 else ''} "
        f"({', '.join(appraisers)}) appraised the studies independently. "
        f"{appraised} of {n} included studies are appraised"
    )
    others = [
        f"{int(status[s])} {s.replace('_', ' ')}"
        for s in ("in_conflict", "incomplete", "not_appraised")
        if status.get(s, 0)
    ]
    text += f" ({', '.join(others)}: judgement not_appraised)." if others else "."
    pooled = agreement[agreement["item"] == "all"]
    for row in pooled.to_dict("records"):
        kappa = "undefined" if pd.isna(row["kappa"]) else f"{float(row['kappa']):.2f}"
        text += (
            f" Agreement of {row['appraiser_a']} and {row['appraiser_b']} over "
            f"{row['studies']} answers: {row['agreed']} agreed "
            f"({percent(row['agreed'], row['studies'])}), Cohen's kappa {kappa} "
            "(per item in agreement.tsv)."
        )
    if len(conflicts):
        settled = int((conflicts["status"] == "adjudicated").sum())
        text += (
            f" {plural(len(conflicts), 'answer')} differed between appraisers; {settled} "
            f"{'was' if settled == 1 else 'were'} settled by adjudication "
            "(appraisal adjudication file: reviewer and note per answer)"
        )
        still = len(conflicts) - settled
        text += f", {still} {'is' if still == 1 else 'are'} still open." if still else "."
    if appraised:
        judged = table.loc[table["status"] == "appraised", "judgement"].value_counts()
        text += (
            " Judgements: "
            + ", ".join(
                f"{label} {int(judged.get(label, 0))}"
                for label in [j.label for j in checklist.judgements]
            )
            + "."
        )
    return text


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def percent(part: int, whole: int) -> str:
    return "n/a" if not whole else f"{100 * part / whole:.1f}%"


def methods_markdown(extraction: str, appraisal: str) -> str:
    return (
        "# Methods: data extraction and critical appraisal\n\n"
        f"## Data extraction\n\n{extraction}\n\n## Critical appraisal\n\n{appraisal}\n"
    )
