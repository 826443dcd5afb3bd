"""The review's figures (SVG and PNG), drawn as the analysis file declares them
(config/analysis.yaml, `figures`: one figure per name, panel by panel). Panel kinds:

- `bars`: horizontal bars of n/N (%), N = the patients where `of` holds, else those reporting
  the bar's column;
- `paired_bars`: two series side by side (e.g. two moments), each with its own `of`;
- `combinations`: how often each combination of flags occurs, labelled by their `codes`;
- `grid`: one row per patient, one column per finding, coloured by domain (white = not reported);
  at most `max_rows` patients (default GRID_MAX_ROWS: one page), the first in the dataset's order: a
  figure of thousands of rows is neither readable nor drawable in memory, and every patient's
  values are in the dataset's table (`cases.csv` and its page), which the figure then names.

Shares are drawn with the same denominators as the tables (patients with the item reported).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from reviewflow.core.io import atomic_path  # noqa: E402
from reviewflow.statistics.analysis_file import (  # noqa: E402
    Analysis,
    Settings,
    as_flag,
    figure_columns,
    fill_title,
    reported,
    with_flags,
)
from reviewflow.statistics.measures import Proportion, proportion_where  # noqa: E402

BAR = "#4C72B0"
# A grid panel's rows when its `max_rows` is not given (config/analysis.yaml may set another):
# one page (0.2 in a row); matplotlib draws the grid's image at the output's size, so its memory
# grows with the rows (about 330 MB at 55 rows, 500 MB at 100, as PNG at 150 dpi).
GRID_MAX_ROWS = 60
NAME_LINE = 0.8  # a further line of domain names below a grid, in rows (0.2 in each)
ABSENT, MISSING = "#E6E6E6", "#FFFFFF"
plt.rcParams.update({"svg.hashsalt": "reviewflow", "font.size": 10, "svg.fonttype": "none"})


def write_figure(
    cases: pd.DataFrame, analysis: Analysis, name: str, out_dir: str | os.PathLike
) -> list[Path]:
    """Draw the declared figure `name` into `out_dir` as `<name>.svg` and `<name>.png`, from
    the columns its declaration names only (`figure_columns`: what its cache key holds)."""
    frame = with_flags(cases, analysis)
    spec = analysis.figures[name]
    return draw_and_save(frame[figure_columns(spec, frame)], spec, analysis.settings, out_dir, name)


def draw_and_save(
    frame: pd.DataFrame, spec: dict, settings: Settings, out_dir: str | os.PathLike, name: str
) -> list[Path]:
    """The figure `spec` drawn from `frame`, saved as `<out_dir>/<name>.svg` and `.png`."""
    figure = draw(frame, spec, settings)
    try:
        return save(figure, Path(out_dir) / name)
    finally:
        plt.close(figure)


def save(figure: Figure, stem: Path) -> list[Path]:
    paths = []
    for suffix, options in [(".svg", {"metadata": {"Date": None}}), (".png", {"dpi": 150})]:
        path = stem.with_suffix(suffix)
        with atomic_path(path) as tmp:
            figure.savefig(tmp, bbox_inches="tight", **options)
        paths.append(path)
    return paths


def draw(frame: pd.DataFrame, spec: dict, settings: Settings) -> Figure:
    """One figure: its panels side by side, its title filled in."""
    panels = spec["panels"]
    if panels[0]["kind"] == "grid":
        return grid_figure(frame, panels[0], settings)
    width, height = spec.get("size", [6 * len(panels), 4])
    most = max(len(panel_rows(frame, panel)) for panel in panels)
    height = max(height, 0.34 * most + 1.4)
    figure, axes = plt.subplots(
        1, len(panels), figsize=(width, height), width_ratios=spec.get("width_ratios")
    )
    for ax, panel in zip(np.atleast_1d(axes), panels, strict=True):
        DRAWERS[panel["kind"]](ax, frame, panel, settings)
    if spec.get("title"):
        figure.suptitle(fill_title(spec["title"], frame, settings), x=0.01, ha="left")
    figure.tight_layout()
    fit_panel_titles(figure, list(np.atleast_1d(axes)))
    return figure


PANEL_TITLE = {"fontsize": 11, "fontweight": "bold"}  # every panel's title, left-aligned
TITLE_GAP = 8  # pixels kept between a panel's title and the next panel


def wrap_to_width(text: str, width: float, fits) -> str:
    """Greedy word wrap: each line satisfies `fits(line, width)` (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}", width):
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def fit_panel_titles(figure: Figure, axes: list, passes: int = 4) -> None:
    """Wrap each panel's title to the room it has, from its panel's left edge to the next
    panel's labels (or the figure's edge), so that a long title never runs into the next panel;
    the layout is redone for the wrapped titles (and the wrapping again for the new layout,
    until it holds). Titles that fit are left as they are."""
    renderer = figure.canvas.get_renderer()
    font = FontProperties(size=PANEL_TITLE["fontsize"], weight=PANEL_TITLE["fontweight"])
    titles = [ax.get_title(loc="left") for ax in axes]

    def fits(line: str, width: float) -> bool:
        return renderer.get_text_width_height_descent(line, font, ismath=False)[0] <= width

    for _ in range(passes):
        changed = False
        for number, (ax, title) in enumerate(zip(axes, titles, strict=True)):
            left = ax.get_window_extent(renderer).x0
            after = axes[number + 1].get_tightbbox(renderer).x0 if number + 1 < len(axes) else None
            room = (after if after is not None else figure.bbox.x1) - TITLE_GAP - left
            shown = title if not title or fits(title, room) else wrap_to_width(title, room, fits)
            if shown != ax.get_title(loc="left"):
                ax.set_title(shown, loc="left", **PANEL_TITLE)
                changed = True
        if not changed:
            return
        figure.tight_layout()


def panel_rows(frame: pd.DataFrame, panel: dict) -> list:
    """The bars a panel draws (for the figure's height)."""
    if panel["kind"] == "combinations":
        return list(combinations(frame, panel)[0].index)
    return panel["bars"]


def share_label(share: Proportion) -> str:
    if not share.denominator:
        return "n/a"
    return f"{share.n}/{share.denominator} ({share.percent:.1f}%)"


def share(frame: pd.DataFrame, column: str, of: str | None, settings: Settings) -> Proportion:
    """Patients with the flag among those where `of` holds, else among those reporting it."""
    if of:
        return proportion_where(frame[column], frame[of])
    known = reported(frame[column], settings.not_reported_values)
    return Proportion(int((as_flag(frame[column]) & known).sum()), int(known.sum()))


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
    ax.set_title(title, loc="left", **PANEL_TITLE)
    ax.spines[["top", "right"]].set_visible(False)


def bars_panel(ax, frame: pd.DataFrame, panel: dict, settings: Settings) -> None:
    shares = [share(frame, bar["column"], panel.get("of"), settings) for bar in panel["bars"]]
    labels = [bar["label"] for bar in panel["bars"]]
    title = fill_title(panel.get("title", ""), frame, settings)
    hbar(ax, labels, shares, color=panel.get("color", BAR), title=title)
    if "xlabel" in panel:
        ax.set_xlabel(panel["xlabel"])


def combinations(frame: pd.DataFrame, panel: dict) -> tuple[pd.Series, int]:
    """How many patients have each combination of the panel's flags (most frequent first; ties
    in code order), and the denominator."""
    codes = panel["codes"]
    if panel.get("of"):
        known = as_flag(frame[panel["of"]])
    else:
        known = pd.concat([as_flag(frame[c]) for c in codes], axis=1).any(axis=1)
    flags = pd.concat([as_flag(frame[c]) for c in codes], axis=1)[known]
    combos = [
        " ".join(code for (column, code) in codes.items() if row[column])
        for _, row in flags.iterrows()
    ]
    counts = pd.Series(combos, dtype="object").value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    return counts, int(known.sum())


def combinations_panel(ax, frame: pd.DataFrame, panel: dict, settings: Settings) -> None:
    counts, denominator = combinations(frame, panel)
    shares = [Proportion(int(n), denominator) for n in counts.to_numpy()]
    labels = [" + ".join(code.split()) if code else "none recorded" for code in counts.index]
    title = fill_title(panel.get("title", ""), frame, settings)
    hbar(ax, labels, shares, color=panel.get("color", BAR), title=title)
    if "xlabel" in panel:
        ax.set_xlabel(panel["xlabel"])


def paired_panel(ax, frame: pd.DataFrame, panel: dict, settings: Settings) -> None:
    of = panel.get("of") or [None, None]
    series = []
    for index, (style, among) in enumerate(zip(panel["series"], of, strict=True)):
        shares = [share(frame, bar["columns"][index], among, settings) for bar in panel["bars"]]
        series.append((style["label"], style["color"], shares))
    paired_bars(ax, [bar["label"] for bar in panel["bars"]], series)
    title = fill_title(panel.get("title", ""), frame, settings)
    ax.set_title(title, loc="left", **PANEL_TITLE)
    if "xlabel" in panel:
        ax.set_xlabel(panel["xlabel"])


def paired_bars(ax, labels: list[str], series: list[tuple[str, str, list[Proportion]]]):
    """Two bars per label (first series above), each labelled n/N (%)."""
    y = np.arange(len(labels))[::-1] * 1.0
    height = 0.38
    for offset, (name, color, shares) in zip([height / 2, -height / 2], series, strict=True):
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


DRAWERS = {"bars": bars_panel, "paired_bars": paired_panel, "combinations": combinations_panel}


# ---------------------------------------------------------------------------------- grid


def tri_state(column: pd.Series, present: list[str], absent: list[str]) -> pd.Series:
    """1.0 present, 0.0 absent, NaN not reported, for flags and categories."""
    if column.dtype == "boolean" or column.dtype == bool:
        return column.astype("Float64").astype(float)
    return column.map(lambda v: 1.0 if v in present else 0.0 if v in absent else np.nan).astype(
        float
    )


def grid_figure(frame: pd.DataFrame, panel: dict, settings: Settings) -> Figure:
    """One row per patient (at most `max_rows`, the first ones), one column per finding, grouped
    in coloured domains."""
    domains = panel["domains"]
    present, absent = panel.get("present", []), panel.get("absent", [])
    columns = [(d["color"], c["column"], c["label"]) for d in domains for c in d["columns"]]
    shown = frame.iloc[: panel.get("max_rows", GRID_MAX_ROWS)]
    n_rows, n_cols = len(shown), len(columns)
    image = np.ones((n_rows, n_cols, 3))
    absent_rgb = np.array(matplotlib.colors.to_rgb(ABSENT))
    for j, (color, column, _) in enumerate(columns):
        values = tri_state(shown[column], present, absent).to_numpy()
        image[values == 1.0, j] = np.array(matplotlib.colors.to_rgb(color))
        image[values == 0.0, j] = absent_rgb
    figure, ax = plt.subplots(figsize=(2.6 + 0.24 * n_cols, 2.6 + 0.2 * n_rows))
    ax.imshow(image, aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(n_cols), [label for *_, label in columns], rotation=90, fontsize=8)
    ax.xaxis.tick_top()
    parts = [shown[c].map(short_text).tolist() for c in panel["row_label"]]
    labels = [" ".join(row) for row in zip(*parts, strict=True)]
    ax.set_yticks(np.arange(n_rows), labels, fontsize=7)
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    names, separators, start = [], [], 0
    for domain in domains:
        end = start + len(domain["columns"])
        if start:
            separators.append(ax.axvline(start - 0.5, color="black", linewidth=1.2))
        text = ax.text(
            (start + end - 1) / 2,
            n_rows - 0.5 + 0.6,
            domain["name"],
            ha="center",
            va="top",
            fontsize=8,
            fontweight="bold",
            color=domain["color"],
        )
        names.append((text, (start, end)))
        start = end
    ax.set_ylim(n_rows - 0.5 + 1.6, -0.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [
        Patch(facecolor=domains[0]["color"], label="present / yes (colour of its domain)"),
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
    title = fill_title(panel.get("title", ""), frame, settings)
    if n_rows < len(frame):
        title += (
            f"\nthe first {n_rows} of {len(frame)} patients (max_rows); "
            "all of them: the dataset's table (cases.csv)"
        )
    ax.set_title(title, loc="left", pad=12)
    figure.tight_layout()
    lines = stagger_domain_names(figure, ax, names, n_rows - 0.5 + 0.6)  # on the final layout
    if lines > 1:
        bottom = n_rows - 0.5 + 1.6 + NAME_LINE * (lines - 1)
        ax.set_ylim(bottom, -0.5)
        for line in separators:  # between the columns, not through the names below
            line.set_ydata([(bottom - n_rows + 0.5) / (bottom + 0.5), 1])
    return figure


def stagger_domain_names(figure: Figure, ax, names: list[tuple], top: float) -> int:
    """Put each domain name on the first line below the grid where it runs into no name already
    there (a long name over a narrow domain would run into its neighbour: "Initial
    treatmeCourse"), kept within the grid's width; returns the lines used. Names that fit stay
    exactly where they were drawn."""
    renderer = figure.canvas.get_renderer()
    left, right = ax.get_window_extent(renderer).intervalx
    lines: list[list[tuple[float, float]]] = []
    for text, (start, end) in names:
        box = text.get_window_extent(renderer)
        if box.x0 < left:
            text.set_horizontalalignment("left")
            text.set_x(start - 0.5)
        elif box.x1 > right:
            text.set_horizontalalignment("right")
            text.set_x(end - 0.5)
        x0, x1 = text.get_window_extent(renderer).intervalx
        line = next(
            (i for i, used in enumerate(lines) if all(x1 + 4 < a or x0 > b + 4 for a, b in used)),
            len(lines),
        )
        if line == len(lines):
            lines.append([])
        lines[line].append((x0, x1))
        if line:
            text.set_y(top + NAME_LINE * line)
    return max(len(lines), 1)


def short_text(value) -> str:
    """A short row label part: a citation without `et al.` and what follows a comma, at most
    18 characters; a number as it is; empty when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if not isinstance(value, str):
        return str(value)
    return value.replace(" et al.", "").split(",")[0].strip()[:18]
