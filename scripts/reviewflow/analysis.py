"""The review's results (sections 4.1-4.6 of the source article) computed from the dataset.

One `Item` per figure, keyed as in config/reported_results.yaml. Each item is computed under the
article's wording (`values`); where the figure depends on a choice (a threshold read as > or >=,
a month of 30.44 days or 4 weeks, a "range" that may be an interquartile range, an outlier or a
zero left in or out, a misspelt drug name missed by a naive text count, the denominator) the
other readings are computed too (`alternatives`), so that the reconciliation can say which
reading reproduces a published figure. Items that Table 1 cannot give carry `not_derivable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

from reviewflow.legacy_columns import (
    LEVELS,
    RAW_TREATMENT,
    SYMPTOM_PREFIXES,
    SYMPTOMS,
    TREATMENTS,
)
from reviewflow.stats import (
    Continuous,
    Proportion,
    Settings,
    describe,
    extreme_outlier_bounds,
    extreme_outliers,
    fmt,
    month_wording,
    p_text,
    proportion,
    proportion_where,
    surely_exceeds,
    weeks_to_months,
)

PAIN_SITES = ["dorsalgia", "cervicalgia", "headache", "limb", "other"]
SYMPTOM_LABELS = {
    "pain": "pain",
    "pain_dorsalgia": "dorsalgia",
    "pain_cervicalgia": "cervicalgia",
    "pain_headache": "headache",
    "pain_limb": "limb pain",
    "pain_other": "pain elsewhere",
    "sensory_or_weakness": "sensory disturbance or weakness",
    "gait": "gait disorder",
    "urinary_fecal": "urinary or fecal dysfunction",
    "cranial_visual": "cranial nerve or visual",
    "other": "other",
}
IMMUNOSUPPRESSANTS = ["azathioprine", "methotrexate", "cyclophosphamide", "mycophenolate"]
NAMED_IMMUNOSUPPRESSANTS = ["azathioprine", "methotrexate", "cyclophosphamide"]  # as 4.6 lists
THERAPIES = [t for t in TREATMENTS if t != "biopsy"]  # a biopsy alone is diagnostic
SYMPTOM_HINT = (
    "Symptom categories come from the dataset's reading of the free-text symptoms "
    "(extraction/vocabulary.yaml): sorting one phrase differently changes the count."
)


@dataclass(frozen=True)
class Values:
    """The numbers of one figure; the fields that do not apply are None."""

    n: int | None = None
    denominator: int | None = None
    percent: float | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    text: str = ""

    @classmethod
    def of(cls, share: Proportion) -> Values:
        return cls(share.n, share.denominator, share.percent, text=share.text())

    @classmethod
    def count(cls, n: int) -> Values:
        return cls(n=int(n), text=str(int(n)))

    @classmethod
    def number(cls, value: float | None, n: int | None = None, decimals: int = 2) -> Values:
        return cls(n=n, value=value, text=fmt(value, decimals))

    @classmethod
    def interval(cls, low: float | None, high: float | None, decimals: int = 2) -> Values:
        return cls(low=low, high=high, text=f"{fmt(low, decimals)}–{fmt(high, decimals)}")


@dataclass(frozen=True)
class Reading:
    """The same figure computed under another reading; `label` says what that reading assumes."""

    label: str
    values: Values


@dataclass(frozen=True)
class Item:
    key: str
    section: str
    description: str
    values: Values | None = None
    alternatives: tuple[Reading, ...] = ()
    not_derivable: str = ""  # why the dataset cannot give this figure
    hint: str = ""  # what else may explain a difference that no reading reproduces
    remark: str = ""  # said whatever the status (e.g. a mean of a skewed variable)
    statistic: str = ""  # for a continuous summary: "mean ± SD" or "median (Q1, Q3)"


def compute_items(cases: pd.DataFrame, settings: Settings) -> list[Item]:
    """Every figure of sections 4.1-4.6 (and the descriptive figures behind them), in order."""
    return [
        *general(cases, settings),
        *symptoms(cases),
        *imaging(cases),
        *laboratory(cases, settings),
        *pathology(cases, settings),
        *treatment(cases, settings),
    ]


# ---------------------------------------------------------------------------------- helpers


def share_item(key: str, section: str, description: str, share: Proportion, **kw) -> Item:
    return Item(key, section, description, Values.of(share), **kw)


def continuous_items(
    key: str, section: str, label: str, summary: Continuous, decimals: int = 2
) -> list[Item]:
    """The summary chosen by Shapiro-Wilk (`key`) and every figure behind it (`key_mean`, ...)."""
    chosen = summary.mean if summary.normal else summary.median
    head = Item(
        key,
        section,
        f"{label}: {summary.summary_kind} ({summary.normality_text()}); "
        f"range {summary.range_text(decimals)}",
        Values(n=summary.n, value=chosen, text=summary.text(decimals)),
        statistic=summary.summary_kind,
    )
    parts = [
        ("mean", "mean", summary.mean),
        ("sd", "standard deviation (sample)", summary.sd),
        ("median", "median", summary.median),
        ("q1", "first quartile (SPSS definition)", summary.q1),
        ("q3", "third quartile (SPSS definition)", summary.q3),
        ("min", "minimum", summary.minimum),
        ("max", "maximum", summary.maximum),
        ("shapiro_w", "Shapiro-Wilk W", summary.shapiro_w),
        ("shapiro_p", "Shapiro-Wilk p-value", summary.shapiro_p),
    ]
    skewed = ""
    if summary.normal is False:
        skewed = (
            f"Shapiro-Wilk {p_text(summary.shapiro_p)}: not normal, so the article's methods "
            f"call for the median (Q1, Q3), {summary.text(decimals)}, rather than a mean."
        )
    items = [head]
    for suffix, what, value in parts:
        places = 3 if suffix.startswith("shapiro") else decimals
        items.append(
            Item(
                f"{key}_{suffix}",
                section,
                f"{label}: {what}",
                Values.number(value, n=summary.n, decimals=places),
                remark=skewed if suffix == "mean" else "",
            )
        )
    return items


def with_alternatives(items: list[Item], key: str, *readings: Reading) -> list[Item]:
    return [
        replace(i, alternatives=i.alternatives + readings) if i.key == key else i for i in items
    ]


def flag(cases: pd.DataFrame, column: str) -> pd.Series:
    return cases[column].fillna(False).astype(bool)


def case_list(
    cases: pd.DataFrame, mask: pd.Series, column: str | None = None, unit: str = ""
) -> str:
    """`C55 (3260 mg/dL)`: the ids of the masked cases, with the value of `column`."""
    chosen = cases[mask.fillna(False).astype(bool)]
    if column is None:
        return ", ".join(chosen["case_id"])
    return ", ".join(f"{row.case_id} ({row[column]:g} {unit})" for _, row in chosen.iterrows())


# ---------------------------------------------------------------------------------- 4.1


def general(cases: pd.DataFrame, settings: Settings) -> list[Item]:
    everyone = pd.Series(True, index=cases.index)
    known_sex = cases["sex"].notna()
    male = proportion_where(cases["sex"] == "male", known_sex)
    female = proportion_where(cases["sex"] == "female", known_sex)
    ratio = male.n / female.n if female.n else None
    items = [
        Item("n_cases", "4.1", "Patients in the dataset", Values.count(len(cases))),
        share_item("sex_male", "4.1", "Men (of patients whose sex is reported)", male),
        share_item("sex_female", "4.1", "Women (of patients whose sex is reported)", female),
        Item(
            "sex_ratio",
            "4.1",
            "Male-to-female ratio (men per woman)",
            Values(value=ratio, text=f"{fmt(ratio, 2)}:1" if ratio is not None else ""),
        ),
    ]
    items += continuous_items(
        "age", "4.1", "Age at onset (years)", summarise(cases["age_years"], settings)
    )
    weeks = cases["onset_to_diagnosis_weeks"]
    items.append(
        share_item(
            "onset_to_diagnosis_n",
            "4.1",
            "Patients whose time from onset to diagnosis is reported",
            proportion_where(weeks.notna(), everyone),
        )
    )
    items += continuous_items(
        "onset_to_diagnosis_weeks",
        "4.1",
        "Time from onset to diagnosis (weeks)",
        summarise(weeks, settings),
    )
    months = summarise(weeks_to_months(weeks, settings.days_per_month), settings)
    items += continuous_items(
        "onset_to_diagnosis_months",
        "4.1",
        f"Time from onset to diagnosis (months = weeks × 7 / {settings.days_per_month:g}, "
        f"{month_wording(settings.days_per_month)})",
        months,
    )
    items.append(
        Item(
            "onset_to_diagnosis_months_range",
            "4.1",
            f"Time from onset to diagnosis (months), range (min–max), "
            f"{month_wording(settings.days_per_month)}",
            Values.interval(months.minimum, months.maximum),
        )
    )
    return onset_alternatives(items, weeks, settings)


def onset_alternatives(items: list[Item], weeks: pd.Series, settings: Settings) -> list[Item]:
    """Alternatives for the months figures: a month of 4 weeks, a "range" that is an IQR."""
    four_weeks = 28.0
    conversions = [(settings.days_per_month, month_wording(settings.days_per_month))]
    if settings.days_per_month != four_weeks:
        conversions.append((four_weeks, month_wording(four_weeks)))
    mean_readings, range_readings = [], []
    for days, wording in conversions:
        months = summarise(weeks_to_months(weeks, days), settings)
        if days != settings.days_per_month:
            mean_readings.append(Reading(wording, Values.number(months.mean, n=months.n)))
            range_readings.append(
                Reading(f"min–max, {wording}", Values.interval(months.minimum, months.maximum))
            )
        range_readings.append(
            Reading(
                f"'range' read as the interquartile range (Q1–Q3), {wording}",
                Values.interval(months.q1, months.q3),
            )
        )
    items = with_alternatives(items, "onset_to_diagnosis_months_mean", *mean_readings)
    return with_alternatives(items, "onset_to_diagnosis_months_range", *range_readings)


def summarise(values: pd.Series, settings: Settings) -> Continuous:
    return describe(
        values, alpha=settings.normality_alpha, quantile_method=settings.quantile_method
    )


# ---------------------------------------------------------------------------------- 4.2


def symptoms(cases: pd.DataFrame) -> list[Item]:
    items: list[Item] = []
    everyone = pd.Series(True, index=cases.index)
    for prefix in SYMPTOM_PREFIXES:
        kind = "Initial symptom" if prefix == "initial_" else "Main symptoms"
        columns = [f"{prefix}{s}" for s in SYMPTOMS]
        recorded = cases[columns].notna().any(axis=1)
        items.append(
            share_item(
                f"{prefix}symptom_recorded",
                "4.2",
                f"{kind} recorded (of all patients)",
                proportion_where(recorded, everyone),
            )
        )
        for symptom in SYMPTOMS:
            column = f"{prefix}{symptom}"
            if symptom.startswith("pain_"):
                share = proportion_where(cases[column], flag(cases, f"{prefix}pain"))
                where = f"of patients with {kind.lower()} pain"
            else:
                share = proportion(cases[column])
                where = f"of patients with {kind.lower()} recorded"
            label = f"{kind}: {SYMPTOM_LABELS[symptom]} ({where})"
            items.append(share_item(column, "4.2", label, share, hint=SYMPTOM_HINT))
    items.append(
        Item(
            "other_organ_involvement",
            "4.2",
            "Involvement of other organ systems",
            not_derivable="Table 1 has no column for other organs involved",
        )
    )
    return items


# ---------------------------------------------------------------------------------- 4.3


def imaging(cases: pd.DataFrame) -> list[Item]:
    everyone = pd.Series(True, index=cases.index)
    level_columns = [f"level_{x}" for x in LEVELS]
    any_level = cases[level_columns].fillna(False).astype(bool).any(axis=1)
    evaluated = cases["mri_enhancement"].isin(["yes", "no"])
    described = cases["pattern_linear"].notna()
    linear = flag(cases, "pattern_linear")
    focal_or_nodular = flag(cases, "pattern_focal") | flag(cases, "pattern_nodular")
    items = [
        share_item(
            "mri_performed",
            "4.3",
            "Patients with an involved area on spinal MRI (Table 1 'Involved area')",
            proportion_where(any_level, everyone),
        ),
        share_item(
            "mri_enhancement_evaluated",
            "4.3",
            "Patients whose MRI enhancement is reported (yes or no)",
            proportion_where(evaluated, everyone),
        ),
        share_item(
            "mri_enhancement_positive",
            "4.3",
            "Enhancing lesions (of patients whose enhancement is reported)",
            proportion_where(cases["mri_enhancement"] == "yes", evaluated),
        ),
        share_item(
            "pattern_described",
            "4.3",
            "Patients whose pattern of enhancement is described",
            proportion_where(described, everyone),
        ),
        share_item(
            "pattern_linear",
            "4.3",
            "Diffuse linear enhancement, alone or with focal/nodular (of patterns described)",
            proportion_where(linear, described),
        ),
        share_item(
            "pattern_focal_or_nodular",
            "4.3",
            "Focal or nodular enhancement, alone or with linear (of patterns described)",
            proportion_where(focal_or_nodular, described),
            alternatives=(
                Reading(
                    "focal or nodular counted only without linear enhancement (the 'both' "
                    "cases counted once, under linear)",
                    Values.of(proportion_where(focal_or_nodular & ~linear, described)),
                ),
            ),
        ),
        share_item(
            "pattern_both",
            "4.3",
            "Both diffuse linear and focal or nodular enhancement (of patterns described)",
            proportion_where(linear & focal_or_nodular, described),
        ),
    ]
    for pattern in ["focal", "nodular"]:
        items.append(
            share_item(
                f"pattern_{pattern}_any",
                "4.3",
                f"{pattern.capitalize()} enhancement (of patterns described)",
                proportion_where(flag(cases, f"pattern_{pattern}"), described),
            )
        )
    for level in ["thoracic", "cervical", "lumbar", "sacral", "brain"]:
        where = "dura mater of the brain" if level == "brain" else f"{level} spine"
        items.append(
            share_item(
                f"level_{level}",
                "4.3",
                f"Involvement of the {where} (of patients with an involved area)",
                proportion_where(flag(cases, f"level_{level}"), any_level),
            )
        )
    items.append(
        share_item(
            "level_cervical_and_thoracic",
            "4.3",
            "Cervical and thoracic spine both involved (with or without other areas)",
            proportion_where(
                flag(cases, "level_cervical") & flag(cases, "level_thoracic"), any_level
            ),
        )
    )
    return items


# ---------------------------------------------------------------------------------- 4.4


def laboratory(cases: pd.DataFrame, settings: Settings) -> list[Item]:
    everyone = pd.Series(True, index=cases.index)
    measured = cases["serum_igg4"].isin(["normal", "elevated"])
    items = [
        share_item(
            "serum_igg4_measured",
            "4.4",
            "Serum IgG4 measured (normal or elevated reported)",
            proportion_where(measured, everyone),
        ),
        share_item(
            "serum_igg4_elevated",
            "4.4",
            "Elevated serum IgG4 (of patients measured)",
            proportion_where(cases["serum_igg4"] == "elevated", measured),
        ),
    ]
    none = pd.Series(False, index=cases.index)
    primary = csf_items(cases, none, settings)
    readings = csf_readings(cases, settings)
    for item in primary:
        alternatives = tuple(
            Reading(label, values[item.key].values)
            for label, values in readings
            if item.key in values and values[item.key].values != item.values
        )
        remark = ""
        if item.key == "csf_cells_increased":
            remark = threshold_remark(cases, settings)
        items.append(replace(item, alternatives=alternatives, remark=remark))
    return items


def threshold_remark(cases: pd.DataFrame, settings: Settings) -> str:
    """Say so when reading the reference range's upper limit as > or >= changes nothing."""
    upper = settings.csf_cells_upper_normal
    at_limit = (cases["csf_cells_per_ul"] == upper).fillna(False).astype(bool)
    if at_limit.any():
        return ""
    return (
        f"No cell count equals {upper:g}/µL, so reading the reference range 0-{upper:g} as "
        f"> {upper:g} or ≥ {upper:g} gives the same count."
    )


def csf_examined(cases: pd.DataFrame) -> pd.Series:
    return (
        cases["csf_cells_status"].isin(["normal", "increased"])
        | cases["csf_protein_status"].isin(["normal", "increased"])
        | cases["csf_cells_per_ul"].notna()
        | cases["csf_protein_mg_dl"].notna()
    )


def csf_items(
    cases: pd.DataFrame,
    left_out: pd.Series,
    settings: Settings,
    cells_status: pd.Series | None = None,
) -> list[Item]:
    """The CSF figures over the examined cases not `left_out`."""
    kept = cases[~left_out.astype(bool)]
    examined = csf_examined(kept)
    status = kept["csf_cells_status"] if cells_status is None else cells_status[kept.index]
    cells_known = status.isin(["normal", "increased"])
    protein_known = kept["csf_protein_status"].isin(["normal", "increased"])
    items = [
        share_item(
            "csf_examined",
            "4.4",
            "Cerebrospinal fluid examined (cell count or protein reported)",
            proportion_where(examined, pd.Series(True, index=kept.index)),
        ),
        share_item(
            "csf_cells_increased",
            "4.4",
            f"CSF cell count increased (> {settings.csf_cells_upper_normal:g}/µL, or printed "
            "'Increase'; of patients with a cell count)",
            proportion_where(status == "increased", cells_known),
        ),
        share_item(
            "csf_protein_increased",
            "4.4",
            "CSF protein increased (of patients with a protein result)",
            proportion_where(kept["csf_protein_status"] == "increased", protein_known),
        ),
    ]
    items += continuous_items(
        "csf_cells",
        "4.4",
        "CSF cell count (per µL = 10^6/L)",
        summarise(kept["csf_cells_per_ul"], settings),
    )
    items += continuous_items(
        "csf_protein", "4.4", "CSF protein (mg/dL)", summarise(kept["csf_protein_mg_dl"], settings)
    )
    return items


def csf_readings(cases: pd.DataFrame, settings: Settings) -> list[tuple[str, dict[str, Item]]]:
    """Other readings of the CSF figures: outliers or zero counts left out, the threshold."""
    readings: list[tuple[str, pd.Series, pd.Series | None]] = []
    outliers = pd.Series(False, index=cases.index)
    parts = []
    for column, unit in [("csf_protein_mg_dl", "mg/dL"), ("csf_cells_per_ul", "cells/µL")]:
        mask = extreme_outliers(
            cases[column], settings.outlier_iqr_factor, settings.quantile_method
        )
        if mask.any():
            _, high = extreme_outlier_bounds(
                cases[column], settings.outlier_iqr_factor, settings.quantile_method
            )
            parts.append(
                f"{case_list(cases, mask, column, unit)}, above Q3 + "
                f"{settings.outlier_iqr_factor:g} IQR = {fmt(high, 1)}"
            )
            outliers |= mask
    zeros = (cases["csf_cells_per_ul"] == 0).fillna(False).astype(bool)
    outlier_label = "cases with an extreme CSF value left out of the CSF analysis: " + "; ".join(
        parts
    )
    zero_label = (
        "a CSF cell count printed as 0 read as not examined (case left out of the CSF analysis): "
        + case_list(cases, zeros)
    )
    if outliers.any():
        readings.append((outlier_label, outliers, None))
    if zeros.any():
        readings.append((zero_label, zeros, None))
    if outliers.any() and zeros.any():
        readings.append((f"{outlier_label}; and {zero_label}", outliers | zeros, None))
    upper = settings.csf_cells_upper_normal
    numbers = cases["csf_cells_per_ul"]
    for sign, above in [(">", numbers > upper), ("≥", numbers >= upper)]:
        status = cases["csf_cells_status"].where(
            numbers.isna(), above.map({True: "increased", False: "normal"})
        )
        label = f"cell counts re-read against the reference range as {sign} {upper:g}/µL"
        readings.append((label, pd.Series(False, index=cases.index), status))
    computed = []
    for label, left_out, status in readings:
        items = csf_items(cases, left_out, settings, cells_status=status)
        computed.append((label, {item.key: item for item in items}))
    return computed


# ---------------------------------------------------------------------------------- 4.5


def pathology(cases: pd.DataFrame, settings: Settings) -> list[Item]:
    everyone = pd.Series(True, index=cases.index)
    reported = cases["path_fibrosis"].notna()
    items = [
        share_item(
            "biopsy",
            "4.5",
            "Patients with a pathological result (biopsy or surgical specimen)",
            proportion_where(reported, everyone),
        )
    ]
    for finding, wording in [
        ("fibrosis", "Fibrosis"),
        ("infiltration", "Inflammatory cell infiltration"),
        ("phlebitis", "Phlebitis"),
    ]:
        items.append(
            share_item(
                f"path_{finding}",
                "4.5",
                f"{wording} (of patients with a pathological result)",
                proportion_where(flag(cases, f"path_{finding}"), reported),
            )
        )
    cells_known = cases["igg4_cells_hpf_low"].notna()
    ratio_known = cases["igg4_igg_ratio_low"].notna()
    histology = cells_known | ratio_known
    items.append(
        share_item(
            "igg4_histology_reported",
            "4.5",
            "IgG4+ cells per HPF or IgG4+/IgG ratio reported",
            proportion_where(histology, everyone),
        )
    )
    cells, ratio = settings.igg4_cells_per_hpf, settings.igg4_ratio_percent
    shares = {}
    for inclusive in (False, True):
        met = cases.apply(criteria_met, axis=1, args=(cells, ratio, inclusive))
        shares[inclusive] = proportion_where(met.astype(bool), histology)
    items.append(
        share_item(
            "igg4_histology_criteria_met",
            "4.5",
            f"IgG4+/IgG ratio > {ratio:g}% or > {cells:g} IgG4+ cells/HPF (of patients with "
            "either reported; a printed range counts when its lower bound meets the criterion)",
            shares[False],
            alternatives=(
                Reading(
                    f"the criteria read as ≥ {ratio:g}% or ≥ {cells:g} cells/HPF",
                    Values.of(shares[True]),
                ),
            ),
        )
    )
    return items


def criteria_met(case: pd.Series, cells: float, ratio: float, inclusive: bool) -> bool:
    def value(column: str):
        item = case[column]
        return None if pd.isna(item) else item

    return surely_exceeds(
        value("igg4_cells_hpf_low"),
        value("igg4_cells_hpf_high"),
        value("igg4_cells_hpf_qualifier") or None,
        cells,
        inclusive,
    ) or surely_exceeds(
        value("igg4_igg_ratio_low"),
        value("igg4_igg_ratio_high"),
        value("igg4_igg_ratio_qualifier") or None,
        ratio,
        inclusive,
    )


# ---------------------------------------------------------------------------------- 4.6


def treatment(cases: pd.DataFrame, settings: Settings) -> list[Item]:
    everyone = pd.Series(True, index=cases.index)
    given = {t: flag(cases, f"treatment_{t}") for t in TREATMENTS}
    treated = pd.concat([given[t] for t in THERAPIES], axis=1).any(axis=1)
    with_biopsy = treated | given["biopsy"]
    treated_alternatives = ()
    if (with_biopsy != treated).any():
        treated_alternatives = (
            Reading(
                "a biopsy alone counted as a treatment",
                Values.of(proportion_where(with_biopsy, everyone)),
            ),
        )
    items = [
        share_item(
            "treated",
            "4.6",
            "Patients who received at least one treatment (a biopsy alone is diagnostic)",
            proportion_where(treated, everyone),
            alternatives=treated_alternatives,
        )
    ]
    for drug in ["decompression", "glucocorticoid", "rituximab", *IMMUNOSUPPRESSANTS]:
        label = "Decompression surgery" if drug == "decompression" else drug.capitalize()
        items.append(
            share_item(
                f"treatment_{drug}",
                "4.6",
                f"{label} (of patients treated)",
                proportion_where(given[drug], treated),
            )
        )
    items.append(
        share_item(
            "treatment_biopsy_only",
            "4.6",
            "A biopsy and no treatment (of all patients)",
            proportion_where(given["biopsy"] & ~treated, everyone),
        )
    )
    items += immunosuppression(cases, given, treated, settings)
    items += outcomes(cases)
    return items


def immunosuppression(cases, given, treated, settings: Settings) -> list[Item]:
    def shares(flags: dict[str, pd.Series], drugs: list[str]) -> tuple[Proportion, Proportion]:
        immuno = pd.concat([flags[d] for d in drugs], axis=1).any(axis=1)
        combined = flags["glucocorticoid"] & (immuno | flags["rituximab"])
        return proportion_where(immuno, treated), proportion_where(combined, treated)

    immuno, combined = shares(given, IMMUNOSUPPRESSANTS)
    named, named_combined = shares(given, NAMED_IMMUNOSUPPRESSANTS)
    immuno_readings, combined_readings, hint = [], [], ""
    label = (
        "only the immunosuppressants the article names (azathioprine, methotrexate, "
        "cyclophosphamide)"
    )
    if named != immuno:
        immuno_readings.append(Reading(label, Values.of(named)))
    if named_combined != combined:
        combined_readings.append(Reading(label, Values.of(named_combined)))
    naive = naive_text_flags(cases, RAW_TREATMENT)
    if naive is None:
        hint = (
            "A naive text count could miss a misspelt drug name; the dataset has no "
            f"'{RAW_TREATMENT}' column (the Treatment text as printed, from the extraction "
            "stage's raw table) to check it."
        )
    else:
        missed = pd.concat([given[d] & ~naive[d] for d in naive], axis=1).any(axis=1)
        if missed.any():
            shown = "; ".join(
                f"{row.case_id} '{row[RAW_TREATMENT]}'" for _, row in cases[missed].iterrows()
            )
            label = (
                "a naive text count (a drug counted only where a word begins with its name), "
                f"which misses misspelt or run-together names: {shown}"
            )
            naive_immuno, naive_combined = shares(naive, IMMUNOSUPPRESSANTS)
            immuno_readings.append(Reading(label, Values.of(naive_immuno)))
            combined_readings.append(Reading(label, Values.of(naive_combined)))
    return [
        share_item(
            "treatment_immunosuppressant",
            "4.6",
            "Conventional immunosuppressant: azathioprine, methotrexate, cyclophosphamide or "
            "mycophenolate (of patients treated)",
            immuno,
            alternatives=tuple(immuno_readings),
            hint=hint,
        ),
        share_item(
            "treatment_glucocorticoid_combined",
            "4.6",
            "Glucocorticoid combined with an immunosuppressant and/or rituximab (of patients "
            "treated)",
            combined,
            alternatives=tuple(combined_readings),
            hint=hint,
        ),
    ]


def naive_text_flags(cases: pd.DataFrame, column: str) -> dict[str, pd.Series] | None:
    """Per drug: does a word of the raw Treatment text begin with the drug's name?"""
    if column not in cases.columns:
        return None
    text = cases[column].fillna("").astype(str)
    return {
        drug: text.str.contains(rf"\b{re.escape(drug)}", case=False, regex=True)
        for drug in ["glucocorticoid", "rituximab", *IMMUNOSUPPRESSANTS]
    }


def outcomes(cases: pd.DataFrame) -> list[Item]:
    reported = cases["outcome_improved"].notna()
    not_described = ~reported
    lost = flag(cases, "outcome_lost_to_follow_up")
    lost_alternatives = ()
    if (not_described & ~lost).any():
        lost_alternatives = (
            Reading(
                "an outcome not described (ND) read as lost to follow-up: "
                + case_list(cases, not_described),
                Values.count(int((lost | not_described).sum())),
            ),
        )
    return [
        share_item(
            "outcome_reported",
            "4.6",
            "Patients whose outcome is described",
            proportion_where(reported, pd.Series(True, index=cases.index)),
        ),
        Item(
            "lost_to_follow_up",
            "4.6",
            "Patients reported as lost to follow-up",
            Values.count(int(lost.sum())),
            alternatives=lost_alternatives,
        ),
        share_item(
            "died",
            "4.6",
            "Patients who died (of patients whose outcome is described)",
            proportion_where(flag(cases, "outcome_death"), reported),
        ),
        Item(
            "died_of_infection",
            "4.6",
            "Deaths from secondary infection after glucocorticoid and immunosuppressant treatment",
            not_derivable="Table 1 gives no cause of death",
        ),
        share_item(
            "recurrence",
            "4.6",
            "Patients with a recurrence (of patients whose outcome is described)",
            proportion_where(flag(cases, "outcome_recurrence"), reported),
        ),
        share_item(
            "improved",
            "4.6",
            "Improved (of patients whose outcome is described)",
            proportion_where(flag(cases, "outcome_improved"), reported),
        ),
        share_item(
            "no_improvement",
            "4.6",
            "No improvement (of patients whose outcome is described)",
            proportion_where(flag(cases, "outcome_no_improvement"), reported),
        ),
    ]


# ---------------------------------------------------------------------------------- summary

SUMMARY_COLUMNS = ["item", "section", "description", "n", "denominator", "value", "text"]


def summary_frame(items: list[Item]) -> pd.DataFrame:
    """`results/statistics/summary.tsv`: one row per figure the dataset gives."""
    rows = []
    for item in items:
        if item.values is None:
            continue
        v = item.values
        value = v.percent if v.percent is not None else v.value
        rows.append(
            {
                "item": item.key,
                "section": item.section,
                "description": item.description,
                "n": v.n,
                "denominator": v.denominator,
                "value": None if value is None else round(value, 6),
                "text": v.text,
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("n", "denominator"):
        frame[column] = frame[column].astype("Int64")
    return frame
