"""The review's figures (SVG and PNG): spinal levels involved, initial vs main symptoms,
treatments and outcomes, and a per-case overview of the whole dataset.

Shares are drawn with the same denominators as the summary (patients with the item reported).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from reviewflow.io import atomic_path  # noqa: E402
from reviewflow.legacy_columns import LEVEL_CODES, levels_code  # noqa: E402
from reviewflow.stats import Proportion, proportion, proportion_where  # noqa: E402

FIGURES = ["levels", "symptoms", "treatments_outcomes", "case_overview"]
INITIAL, MAIN = "#4C72B0", "#DD8452"
BAR = "#4C72B0"
ABSENT, MISSING = "#E6E6E6", "#FFFFFF"
plt.rcParams.update({"svg.hashsalt": "reviewflow", "font.size": 10, "svg.fonttype": "none"})


def write_figures(cases: pd.DataFrame, out_dir: str | os.PathLike) -> list[Path]:
    """Draw every figure into `out_dir` as `<name>.svg` and `<name>.png`; returns the paths."""
    makers: dict[str, Callable[[pd.DataFrame], Figure]] = {
        "levels": levels_figure,
        "symptoms": symptoms_figure,
        "treatments_outcomes": treatments_outcomes_figure,
        "case_overview": case_overview_figure,
    }
    written = []
    for name in FIGURES:
        figure = makers[name](cases)
        written += save(figure, Path(out_dir) / name)
        plt.close(figure)
    return written


def save(figure: Figure, stem: Path) -> list[Path]:
    paths = []
    for suffix, options in [(".svg", {"metadata": {"Date": None}}), (".png", {"dpi": 150})]:
        path = stem.with_suffix(suffix)
        with atomic_path(path) as tmp:
            figure.savefig(tmp, bbox_inches="tight", **options)
        paths.append(path)
    return paths


def share_label(share: Proportion) -> str:
    if not share.denominator:
        return "n/a"
    return f"{share.n}/{share.denominator} ({share.percent:.1f}%)"


def hbar(ax, labels: list[str], shares: list[Proportion], color: str = BAR, title: str = ""):
    """Horizontal bars of percentages, labelled n/N (%), first label on top."""
    y = np.arange(len(labels))[::-1]
    percents = [s.percent or 0 for s in shares]
    ax.barh(y, percents, color=color, height=0.65)
    for yi, p, s in zip(y, percents, shares, strict=True):
        ax.text(p + 1.5, yi, share_label(s), va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("% of patients with the item reported")
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)


# ---------------------------------------------------------------------------------- levels

LEVEL_NAMES = {
    "brain": "Brain (dura)",
    "cervical": "Cervical",
    "thoracic": "Thoracic",
    "lumbar": "Lumbar",
    "sacral": "Sacral",
}


def levels_figure(cases: pd.DataFrame) -> Figure:
    level_columns = [f"level_{x}" for x in LEVEL_NAMES]
    known = cases[level_columns].fillna(False).astype(bool).any(axis=1)
    shares = [proportion_where(cases[f"level_{x}"], known) for x in LEVEL_NAMES]
    codes = cases[known].apply(levels_code, axis=1)
    combos = codes.value_counts()
    combos = combos.sort_index().sort_values(ascending=False, kind="stable")
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(12, max(3.8, 0.34 * len(combos) + 1.4)), width_ratios=[1, 1.1]
    )
    hbar(left, list(LEVEL_NAMES.values()), shares, title="Involved area, per segment")
    combo_shares = [Proportion(int(n), int(known.sum())) for n in combos.to_numpy()]
    combo_labels = [combo_name(code) for code in combos.index]
    hbar(right, combo_labels, combo_shares, color="#55A868", title="Combinations of areas")
    right.set_xlabel("% of patients")
    legend = ", ".join(f"{code} {name.lower()}" for name, code in LEVEL_CODES.items())
    figure.suptitle(f"Spinal levels involved (n = {int(known.sum())}; {legend})", x=0.01, ha="left")
    figure.tight_layout()
    return figure


def combo_name(code: str) -> str:
    return " + ".join(code.split()) if code else "none recorded"


# ---------------------------------------------------------------------------------- symptoms

SYMPTOM_GROUPS = [
    ("pain", "Pain"),
    ("sensory_or_weakness", "Sensory disturbance\nor weakness"),
    ("gait", "Gait disorder"),
    ("urinary_fecal", "Urinary or fecal"),
    ("cranial_visual", "Cranial nerve or visual"),
    ("other", "Other"),
]
PAIN_GROUPS = [
    ("pain_dorsalgia", "Dorsalgia"),
    ("pain_cervicalgia", "Cervicalgia"),
    ("pain_headache", "Headache"),
    ("pain_limb", "Limb pain"),
    ("pain_other", "Other site"),
]


def symptoms_figure(cases: pd.DataFrame) -> Figure:
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2), width_ratios=[1.15, 1])
    initial = [proportion(cases[f"initial_{k}"]) for k, _ in SYMPTOM_GROUPS]
    main = [proportion(cases[f"main_{k}"]) for k, _ in SYMPTOM_GROUPS]
    paired_bars(left, [label for _, label in SYMPTOM_GROUPS], initial, main)
    left.set_title("Symptom categories", loc="left", fontsize=11, fontweight="bold")
    initial_pain = [
        proportion_where(cases[f"initial_{k}"], cases["initial_pain"]) for k, _ in PAIN_GROUPS
    ]
    main_pain = [proportion_where(cases[f"main_{k}"], cases["main_pain"]) for k, _ in PAIN_GROUPS]
    paired_bars(right, [label for _, label in PAIN_GROUPS], initial_pain, main_pain)
    right.set_title(
        "Pain sites (% of patients with pain)", loc="left", fontsize=11, fontweight="bold"
    )
    n_initial = initial[0].denominator
    n_main = main[0].denominator
    figure.suptitle(
        f"Initial symptom (recorded for {n_initial}) vs main symptoms (recorded for {n_main})",
        x=0.01,
        ha="left",
    )
    figure.tight_layout()
    return figure


def paired_bars(ax, labels: list[str], first: list[Proportion], second: list[Proportion]):
    y = np.arange(len(labels))[::-1] * 1.0
    height = 0.38
    for offset, shares, color, name in [
        (height / 2, first, INITIAL, "Initial symptom"),
        (-height / 2, second, MAIN, "Main symptoms"),
    ]:
        percents = [s.percent or 0 for s in shares]
        ax.barh(y + offset, percents, height=height, color=color, label=name)
        for yi, p, s in zip(y + offset, percents, shares, strict=True):
            ax.text(p + 1.2, yi, share_label(s), va="center", fontsize=8)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 130)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("% of patients")
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)


# ---------------------------------------------------------------------------------- treatments

THERAPY_LABELS = [
    ("decompression", "Decompression surgery"),
    ("glucocorticoid", "Glucocorticoid"),
    ("rituximab", "Rituximab"),
    ("azathioprine", "Azathioprine"),
    ("methotrexate", "Methotrexate"),
    ("cyclophosphamide", "Cyclophosphamide"),
    ("mycophenolate", "Mycophenolate"),
]
OUTCOME_LABELS = [
    ("improved", "Improved"),
    ("no_improvement", "No improvement"),
    ("recurrence", "Recurrence"),
    ("death", "Death"),
]


def treatments_outcomes_figure(cases: pd.DataFrame) -> Figure:
    therapies = [t for t, _ in THERAPY_LABELS]
    given = cases[[f"treatment_{t}" for t in therapies]].fillna(False).astype(bool)
    treated = given.any(axis=1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    shares = [proportion_where(given[f"treatment_{t}"], treated) for t in therapies]
    hbar(
        left,
        [label for _, label in THERAPY_LABELS],
        shares,
        title=f"Treatments (of {int(treated.sum())} treated)",
    )
    left.set_xlabel("% of patients treated")
    described = cases["outcome_improved"].notna()
    outcome_shares = [proportion_where(cases[f"outcome_{o}"], described) for o, _ in OUTCOME_LABELS]
    not_described = int((~described).sum())
    hbar(
        right,
        [label for _, label in OUTCOME_LABELS],
        outcome_shares,
        color="#C44E52",
        title=f"Outcomes (of {int(described.sum())} described; {not_described} not described)",
    )
    right.set_xlabel("% of patients whose outcome is described")
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------------------------- overview

OVERVIEW_DOMAINS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Area", "#4C72B0", [(f"level_{x}", code) for x, code in LEVEL_CODES.items()]),
    (
        "MRI",
        "#55A868",
        [
            ("mri_enhancement", "enhancement"),
            ("pattern_linear", "linear"),
            ("pattern_focal", "focal"),
            ("pattern_nodular", "nodular"),
        ],
    ),
    (
        "Laboratory",
        "#8172B3",
        [
            ("serum_igg4", "serum IgG4 raised"),
            ("csf_cells_status", "CSF cells raised"),
            ("csf_protein_status", "CSF protein raised"),
        ],
    ),
    (
        "Pathology",
        "#937860",
        [
            ("path_fibrosis", "fibrosis"),
            ("path_infiltration", "infiltration"),
            ("path_phlebitis", "phlebitis"),
        ],
    ),
    (
        "Initial symptom",
        "#DD8452",
        [(f"initial_{k}", label.replace("\n", " ")) for k, label in SYMPTOM_GROUPS],
    ),
    (
        "Main symptoms",
        "#DA8BC3",
        [(f"main_{k}", label.replace("\n", " ")) for k, label in SYMPTOM_GROUPS],
    ),
    (
        "Treatment",
        "#64B5CD",
        [(f"treatment_{t}", label) for t, label in THERAPY_LABELS]
        + [("treatment_biopsy", "Biopsy")],
    ),
    ("Outcome", "#C44E52", [(f"outcome_{o}", label) for o, label in OUTCOME_LABELS]),
]
YES = {"yes", "elevated", "increased"}
NO = {"no", "normal"}


def tri_state(column: pd.Series) -> pd.Series:
    """1.0 present, 0.0 absent, NaN not reported, for booleans and status categories."""
    if column.dtype == "boolean" or column.dtype == bool:
        return column.astype("Float64").astype(float)
    return column.map(lambda v: 1.0 if v in YES else 0.0 if v in NO else np.nan).astype(float)


def case_overview_figure(cases: pd.DataFrame) -> Figure:
    columns = [
        (domain, color, col, label)
        for domain, color, cols in OVERVIEW_DOMAINS
        for col, label in cols
    ]
    n_rows, n_cols = len(cases), len(columns)
    image = np.ones((n_rows, n_cols, 3))
    absent = np.array(matplotlib.colors.to_rgb(ABSENT))
    for j, (_, color, column, _) in enumerate(columns):
        values = tri_state(cases[column]).to_numpy()
        rgb = np.array(matplotlib.colors.to_rgb(color))
        image[values == 1.0, j] = rgb
        image[values == 0.0, j] = absent
    width = 2.6 + 0.24 * n_cols
    height = 2.6 + 0.2 * n_rows
    figure, ax = plt.subplots(figsize=(width, height))
    ax.imshow(image, aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(n_cols), [label for *_, label in columns], rotation=90, fontsize=8)
    ax.xaxis.tick_top()
    row_labels = [
        f"{row.case_id} {short_author(row.first_author)} {row.year}" for row in cases.itertuples()
    ]
    ax.set_yticks(np.arange(n_rows), row_labels, fontsize=7)
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    start = 0
    for domain, color, cols in OVERVIEW_DOMAINS:
        end = start + len(cols)
        if start:
            ax.axvline(start - 0.5, color="black", linewidth=1.2)
        ax.text(
            (start + end - 1) / 2,
            n_rows - 0.5 + 0.6,
            domain,
            ha="center",
            va="top",
            fontsize=8,
            fontweight="bold",
            color=color,
        )
        start = end
    ax.set_ylim(n_rows - 0.5 + 1.6, -0.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [
        Patch(facecolor="#4C72B0", label="present / yes (colour of its domain)"),
        Patch(facecolor=ABSENT, label="absent / no"),
        Patch(facecolor=MISSING, edgecolor="#999999", label="not reported"),
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0, -0.005),
        ncol=3,
        frameon=False,
        fontsize=8,
    )
    ax.set_title(
        f"All {n_rows} cases: one row per patient, one column per finding", loc="left", pad=12
    )
    figure.tight_layout()
    return figure


def short_author(name) -> str:
    if not isinstance(name, str) or not name:
        return ""
    return name.replace(" et al.", "").split(",")[0].strip()[:18]
