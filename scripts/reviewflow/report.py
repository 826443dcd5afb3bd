"""Pages for the review's HTML report (`snakemake --report results/report.html`).

Snakemake's report shows images, PDFs and HTML pages inline but offers CSV/TSV files only as
downloads. A table meant to be read in the report is therefore also written as a small,
self-contained HTML page (no scripts, no external resources), which the report shows as it is.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from reviewflow.io import write_text

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; margin: 1.5em;
       color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #dde7f3; }
tr:nth-child(even) td { background: #f6f8fb; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
p.note { color: #555; max-width: 60em; }
"""


@dataclass(frozen=True)
class Section:
    """A heading, an optional paragraph, and an optional table."""

    heading: str
    table: pd.DataFrame | None = None
    note: str = ""


def table_html(frame: pd.DataFrame) -> str:
    """An HTML table of `frame`; every cell escaped, numbers right-aligned, missing cells empty."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            if value is None or (isinstance(value, float) and pd.isna(value)):
                cells.append("<td></td>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<td class="number">{value}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def html_page(title: str, sections: Sequence[Section]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.table is not None:
            parts.append(table_html(section.table))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_html_page(path: str | os.PathLike, title: str, sections: Sequence[Section]) -> None:
    write_text(html_page(title, sections), path)


def table_file_page(
    table_path: str | os.PathLike, html_path: str | os.PathLike, title: str, note: str = ""
) -> None:
    """Show a TSV/CSV output in the report: the table as an HTML page (cells as typed)."""
    sep = "\t" if str(table_path).endswith(".tsv") else ","
    frame = pd.read_csv(table_path, sep=sep, dtype=str, keep_default_na=False)
    write_html_page(html_path, title, [Section(os.path.basename(table_path), frame, note)])
