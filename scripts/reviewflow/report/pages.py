"""Pages for the review's HTML report (`snakemake --report results/report.html`).

Snakemake's report (9.x) shows SVG/PNG/JPEG images, PDFs and HTML pages inline; every other file
(TSV, CSV, Markdown, JSON, XLSX) is only a download link. An output meant to be read in the report
is therefore also written as a small, self-contained HTML page (no scripts, no external
resources, every value escaped), which the report shows as it is:

- a TSV/CSV table as an HTML table, cells exactly as written;
- a Markdown document (the workflow's own reports) rendered as CommonMark with tables, raw HTML
  in it shown as text;
- a JSON document (counts) as tables: its scalar entries as an item/value table, each list of
  objects as a table of its own, nested objects as sub-sections.
"""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markdown_it import MarkdownIt

from reviewflow.core.io import write_text

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; margin: 1.5em;
       color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #dde7f3; position: sticky; top: 0; z-index: 1; }
td { background: #fff; }
tr:nth-child(even) td { background: #f6f8fb; }
/* wide tables scroll sideways with their first column (the row's id) kept in view */
th:first-child, td:first-child { position: sticky; left: 0; }
th:first-child { z-index: 2; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
p.note, p { max-width: 60em; }
p.note { color: #555; }
code { background: #f1f3f5; padding: 0 0.2em; }
"""

log = logging.getLogger(__name__)

# Suffixes `file_page` knows how to show.
TABLE_SUFFIXES = {".tsv": "\t", ".csv": ","}
MARKDOWN_SUFFIXES = {".md"}
JSON_SUFFIXES = {".json"}


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


def html_document(title: str, body: str) -> str:
    """A complete HTML page around `body` (already HTML): the title, the style, nothing else."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style></head><body>",
            body,
            "</body></html>\n",
        ]
    )


def sections_html(sections: Sequence[Section]) -> str:
    parts = []
    for section in sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.table is not None:
            if section.table.empty:
                parts.append('<p class="note">No rows.</p>')
            parts.append(table_html(section.table))
    return "\n".join(parts)


def html_page(title: str, sections: Sequence[Section]) -> str:
    return html_document(title, f"<h1>{html.escape(title)}</h1>\n" + sections_html(sections))


def write_html_page(path: str | os.PathLike, title: str, sections: Sequence[Section]) -> None:
    write_text(html_page(title, sections), path)


def table_file_page(
    table_path: str | os.PathLike,
    html_path: str | os.PathLike,
    title: str,
    note: str = "",
    first_columns: Sequence[str] = (),
) -> None:
    """Show a TSV/CSV output in the report: the table as an HTML page (cells as typed), with
    `first_columns` (those the table has) moved to the front and the others in their order."""
    sep = TABLE_SUFFIXES.get(Path(table_path).suffix.lower(), ",")
    frame = pd.read_csv(table_path, sep=sep, dtype=str, keep_default_na=False)
    front = [c for c in first_columns if c in frame.columns]
    frame = frame[front + [c for c in frame.columns if c not in front]]
    write_html_page(html_path, title, [Section(os.path.basename(table_path), frame, note)])


def markdown_html(text: str) -> str:
    """CommonMark with GitHub-style tables as HTML; raw HTML in `text` is escaped, not passed on,
    and markdown-it's link validator refuses javascript:, vbscript:, file: and data: links."""
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def markdown_file_page(
    markdown_path: str | os.PathLike, html_path: str | os.PathLike, title: str, note: str = ""
) -> None:
    """Show a Markdown output in the report: the document rendered (it has its own headings)."""
    body = markdown_html(Path(markdown_path).read_text(encoding="utf-8"))
    if note:
        body = f'<p class="note">{html.escape(note)}</p>\n{body}'
    write_text(html_document(title, body), html_path)


def json_cell(value: Any) -> Any:
    """A JSON value as one table cell: null and booleans as JSON writes them, lists and objects
    compactly (`a: 1; b: 2`), numbers and strings as they are."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {json_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(json_cell(v)) for v in value)
    return value


def _flat_record(record: dict, prefix: str = "") -> dict[str, Any]:
    """An object as table columns: nested objects become `outer.inner` columns."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict) and value:
            flat.update(_flat_record(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = json_cell(value)
    return flat


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def json_sections(data: Any, heading: str) -> list[Section]:
    """`data` as sections of tables: see the module's docstring."""
    if _is_table(data):
        frame = pd.DataFrame([_flat_record(v) for v in data])
        return [Section(heading, frame)]
    if not isinstance(data, dict):
        return [Section(heading, pd.DataFrame({"value": [json_cell(data)]}))]
    if not data:
        return [Section(heading, note="Empty.")]
    scalars = {k: v for k, v in data.items() if not (isinstance(v, dict) or _is_table(v))}
    nested = {k: v for k, v in data.items() if k not in scalars}
    sections = []
    if scalars:
        frame = pd.DataFrame(
            {"item": list(scalars), "value": [json_cell(v) for v in scalars.values()]}
        )
        sections.append(Section(heading, frame))
    for key, value in nested.items():
        sections += json_sections(value, f"{heading} › {key}")
    return sections


def json_file_page(
    json_path: str | os.PathLike, html_path: str | os.PathLike, title: str, note: str = ""
) -> None:
    """Show a JSON output in the report: its values as tables."""
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    sections = json_sections(data, os.path.basename(json_path))
    if note:
        sections[0] = Section(sections[0].heading, sections[0].table, note)
    write_html_page(html_path, title, sections)


def file_page(
    source: str | os.PathLike,
    html_path: str | os.PathLike,
    title: str,
    note: str = "",
    first_columns: Sequence[str] = (),
) -> None:
    """The report page of `source`, by its suffix (.tsv/.csv, .md, .json); `first_columns`
    applies to tables only."""
    suffix = Path(source).suffix.lower()
    if suffix in TABLE_SUFFIXES:
        table_file_page(source, html_path, title, note, first_columns)
    elif suffix in MARKDOWN_SUFFIXES:
        markdown_file_page(source, html_path, title, note)
    elif suffix in JSON_SUFFIXES:
        json_file_page(source, html_path, title, note)
    else:
        allowed = sorted([*TABLE_SUFFIXES, *MARKDOWN_SUFFIXES, *JSON_SUFFIXES])
        raise ValueError(
            f"{source}: no report page for a {suffix or 'suffix-less'} file "
            f"(allowed: {', '.join(allowed)})"
        )


def named_file_pages(
    sources: Mapping[str, str | os.PathLike],
    pages: Mapping[str, str | os.PathLike],
    titles: Mapping[str, str],
    notes: Mapping[str, str],
    first_columns: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, str]]:
    """The report page of each name of `pages`: `pages[name]` shows `sources[name]`
    (`file_page`), titled `titles[name]`, with `notes[name]` and `first_columns[name]` when
    given (a rule's outputs, inputs and params by name). Returns the (source, page) pairs
    written, in order."""
    written = []
    for name, page in pages.items():
        source = sources[name]
        columns = (first_columns or {}).get(name, ())
        file_page(source, page, titles[name], notes.get(name, ""), columns)
        written.append((str(source), str(page)))
    return written


def write_own_pages(
    outputs: Mapping[str, str],
    titles: Mapping[str, str],
    notes: Mapping[str, str] | None = None,
    first_columns: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, str]]:
    """The pages a job writes beside its own files: its output `<name>_page` shows its output
    `<name>`, for each name of `titles` (`named_file_pages`), each logged."""
    pages = {name: outputs[f"{name}_page"] for name in titles}
    written = named_file_pages(outputs, pages, titles, notes or {}, first_columns)
    for source, page in written:
        log.info("%s -> %s", source, page)
    return written
