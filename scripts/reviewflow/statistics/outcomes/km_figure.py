"""The Kaplan-Meier figure of a survival analysis, drawn from its contract (the JSON): one step
curve per group with its shaded 95% interval and censoring marks (+), and the numbers at risk
under the curves (one row per group, at the x-axis ticks)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reviewflow.statistics.figures import save  # noqa: E402

COLOURS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860"]


def write_km_figure(result: dict, out_dir: str | os.PathLike) -> list[Path]:
    """`<name>.svg` and `<name>.png` of a survival analysis's contract `result`."""
    figure = draw_km(result)
    try:
        return save(figure, Path(out_dir) / result["name"])
    finally:
        plt.close(figure)


def groups_of(result: dict) -> list[tuple[str, list[dict]]]:
    rows = result["estimates"]["table"]
    order = list(dict.fromkeys(r["group"] for r in rows))
    return [(g, [r for r in rows if r["group"] == g]) for g in order]


def at_risk(rows: list[dict], tick: float) -> int:
    """Patients still at risk at `tick`: those of the first row at or after it."""
    later = [r["at_risk"] for r in rows if r["time"] >= tick]
    return later[0] if later else 0


def draw_km(result: dict) -> Figure:
    groups = groups_of(result)
    unit = result["columns"]["time"]["shown_in"]
    figure = plt.figure(figsize=(8, 4.2 + 0.35 * len(groups)))
    grid = figure.add_gridspec(2, 1, height_ratios=[5, 0.6 + 0.45 * len(groups)], hspace=0.35)
    axes, table = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
    end = max((r["time"] for _, rows in groups for r in rows), default=1.0) or 1.0
    for i, (group, rows) in enumerate(groups):
        colour = COLOURS[i % len(COLOURS)]
        times = np.array([0.0] + [r["time"] for r in rows])
        survival = np.array([1.0] + [r["survival"] for r in rows])
        lower = np.array([1.0] + [band(r, "ci_lower") for r in rows])
        upper = np.array([1.0] + [band(r, "ci_upper") for r in rows])
        label = (
            f"{group} (n = {rows[0]['at_risk']})"
            if len(groups) > 1
            else f"n = {rows[0]['at_risk']}"
        )
        axes.step(times, survival, where="post", color=colour, label=label, linewidth=1.6)
        axes.fill_between(times, lower, upper, step="post", color=colour, alpha=0.15, linewidth=0)
        censored = [(r["time"], r["survival"]) for r in rows if r["censored"]]
        if censored:
            x, y = zip(*censored, strict=True)
            axes.plot(x, y, "+", color=colour, markersize=8, markeredgewidth=1.4)
    axes.set_ylim(0, 1.05)
    axes.set_xlim(0, end * 1.03)
    axes.set_ylabel("Probability without the event")
    axes.set_xlabel(f"Time ({unit})")
    axes.set_title(result["title"], loc="left", fontweight="bold")
    rank = result["estimates"].get("log_rank")
    note = "Shaded: 95% CI (log-log); +: censored"
    if rank:
        note += f"; log-rank chi-square {rank['statistic']:.2f}, p = {rank['p']:.3f}"
    legend = axes.legend(title=note, loc="lower left", fontsize=8, title_fontsize=8, framealpha=0.9)
    legend.get_frame().set_edgecolor("#CCCCCC")
    ticks = [t for t in axes.get_xticks() if 0 <= t <= end * 1.03]
    axes.set_xticks(ticks)
    risk_table(table, groups, ticks, end * 1.03)
    return figure


def band(row: dict, key: str) -> float:
    """The interval limit to shade; where it is undefined (S = 1 or 0), S itself."""
    return row[key] if row[key] is not None else row["survival"]


def risk_table(axes, groups, ticks: list[float], right: float) -> None:
    """Numbers at risk under the curves: one row per group, one column per tick."""
    axes.set_xlim(0, right)
    axes.set_ylim(-0.5, len(groups) - 0.5)
    axes.set_xticks([])
    axes.set_yticks(range(len(groups)))
    axes.set_yticklabels([g for g, _ in reversed(groups)], fontsize=9)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.tick_params(left=False)
    axes.set_title("Number at risk", loc="left", fontsize=9)
    for i, (_, rows) in enumerate(reversed(groups)):
        colour = COLOURS[(len(groups) - 1 - i) % len(COLOURS)]
        for tick in ticks:
            axes.text(tick, i, str(at_risk(rows, tick)), ha="center", va="center", fontsize=9,
                      color=colour)  # fmt: skip
