"""The traffic-light figure of the appraisal, drawn the way robvis draws risk of bias: one row per
appraised study, one column per checklist item and one for the overall judgement, each cell a
coloured circle with the answer's symbol; the items' questions and the answers' colours in a
legend below. Colours and symbols come from the checklist file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from reviewflow.appraisal.appraise import Checklist  # noqa: E402
from reviewflow.core.io import atomic_path  # noqa: E402

ROW_HEIGHT = 0.42  # inches per study
COLUMN_WIDTH = 0.62  # inches per item
LABEL_WIDTH = 2.2  # inches for the study labels
CIRCLE_SIZE = 330  # points^2 of a cell's circle
LEGEND_WRAP = 110  # characters per line of an item's question


def traffic_light_figure(table: pd.DataFrame, checklist: Checklist) -> plt.Figure:
    """The figure of the appraised studies of `table` (results/appraisal/appraisal.tsv); with none
    appraised, a figure that says so and why."""
    appraised = table[table["status"] == "appraised"]
    if appraised.empty:
        return empty_figure(table, checklist)
    answers = {a.label: a for a in checklist.answers}
    overall = {j.label: j for j in checklist.judgements}
    columns = [*checklist.item_ids, "Overall"]
    n_rows, n_cols = len(appraised), len(columns)
    questions = [
        textwrap.fill(f"{i.id}: {i.question}", LEGEND_WRAP, subsequent_indent="      ")
        for i in checklist.items
    ]
    question_lines = sum(q.count("\n") + 1 for q in questions)
    # heights in inches, top to bottom: title, item labels, grid, two legend rows, questions
    top, grid, legend, text = 0.75, n_rows * ROW_HEIGHT, 0.9, 0.135 * question_lines + 0.15
    height = top + grid + legend + text
    width = max(LABEL_WIDTH + n_cols * COLUMN_WIDTH + 0.4, 7.5)
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes(
        (
            LABEL_WIDTH / width,
            (legend + text) / height,
            n_cols * COLUMN_WIDTH / width,
            grid / height,
        )
    )
    for y, row in enumerate(appraised.to_dict("records")):
        for x, item in enumerate(checklist.item_ids):
            answer = answers[row[item]]
            draw_cell(ax, x, y, answer.colour, answer.symbol)
        judgement = overall[row["judgement"]]
        draw_cell(ax, n_cols - 1, y, judgement.colour, judgement.symbol)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_xticks(range(n_cols), columns, fontsize=9, fontweight="bold")
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_rows), list(appraised["study"]), fontsize=9)
    ax.tick_params(length=0)
    for x in range(n_cols + 1):
        ax.axvline(x - 0.5, color="#DDDDDD", linewidth=0.8)
    for y in range(n_rows + 1):
        ax.axhline(y - 0.5, color="#DDDDDD", linewidth=0.8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.text(0.5, 1 - 0.3 / height, checklist.name, ha="center", fontsize=11, fontweight="bold")
    entries = [
        [
            (legend_handle(a.colour), f"{a.label} ({a.symbol})" if a.symbol else a.label)
            for a in checklist.answers
        ],
        [
            (
                legend_handle(j.colour),
                f"Overall: {j.label}" + (f" ({j.symbol})" if j.symbol else ""),
            )
            for j in checklist.judgements
        ],
    ]
    for row, pairs in enumerate(entries):
        fig.legend(
            handles=[h for h, _ in pairs],
            labels=[label for _, label in pairs],
            loc="center left",
            bbox_to_anchor=(0.02, (text + legend * (0.55 - 0.3 * row)) / height),
            ncol=len(pairs),
            fontsize=8,
            frameon=False,
            handletextpad=0.4,
            columnspacing=1.4,
        )
    fig.text(0.02, 0.08 / height, "\n".join(questions), fontsize=7.5, va="bottom")
    not_shown = len(table) - n_rows
    if not_shown:
        fig.text(
            0.02,
            (text + legend) / height - 0.08 / height,
            f"{not_shown} of {len(table)} included studies not shown (not appraised, in "
            "conflict or incomplete): see appraisal.tsv",
            fontsize=7,
            ha="left",
            va="top",
            color="#555555",
        )
    return fig


def legend_handle(colour: str) -> Line2D:
    """A legend entry's coloured circle, as in the grid."""
    return Line2D(
        [],
        [],
        marker="o",
        linestyle="",
        markersize=12,
        markerfacecolor=colour,
        markeredgecolor="white",
    )


def draw_cell(ax, x: int, y: int, colour: str, symbol: str) -> None:
    """One coloured circle with its symbol (white, bold) at column x, row y."""
    ax.scatter([x], [y], s=CIRCLE_SIZE, c=colour, edgecolors="white", linewidths=0.5, zorder=3)
    if symbol:
        ax.text(
            x,
            y,
            symbol,
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            color="white",
            zorder=4,
        )


def empty_figure(table: pd.DataFrame, checklist: Checklist) -> plt.Figure:
    """Said in a figure: no study is appraised yet, and how many are waiting for what."""
    counts = table["status"].value_counts()
    parts = [f"{n} {status.replace('_', ' ')}" for status, n in counts.items()]
    fig = plt.figure(figsize=(7.5, 1.6))
    fig.text(
        0.5,
        0.62,
        f"{checklist.name}: no study appraised",
        ha="center",
        fontsize=11,
        fontweight="bold",
    )
    fig.text(
        0.5,
        0.32,
        f"{len(table)} included studies: {', '.join(parts)}. Nothing is "
        "invented:\nthe figure shows studies once their appraisal is complete.",
        ha="center",
        fontsize=9,
    )
    return fig


def write_traffic_light(table: pd.DataFrame, checklist: Checklist, png: str, svg: str) -> None:
    """The figure as PNG (200 dpi) and SVG, each written atomically."""
    fig = traffic_light_figure(table, checklist)
    try:
        # stable clip-path ids: the same appraisal gives the same SVG
        with plt.rc_context({"svg.hashsalt": "reviewflow-appraisal"}):
            for path in (png, svg):
                with atomic_path(path) as tmp:
                    fig.savefig(
                        tmp, dpi=200, format=Path(path).suffix[1:], metadata=svg_metadata(path)
                    )
    finally:
        plt.close(fig)


def svg_metadata(path: str) -> dict | None:
    """No creation date in an SVG (the same figure gives the same file)."""
    return {"Date": None} if path.endswith(".svg") else None
