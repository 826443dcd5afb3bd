"""Report pages (reviewflow.report.pages): tables, Markdown and JSON outputs as self-contained
HTML pages that Snakemake's report shows inline."""

import json
import re

import pytest

from reviewflow.report import pages as report


def assert_self_contained(page: str) -> None:
    """No script, no external resource: the report shows the page in an iframe as it is."""
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|javascript:)""", page, re.I)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page


def test_table_page_escapes_cells_and_keeps_them_as_written(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text(
        "record_id\ttitle\tyear\nw1:pubmed:1\t<script>alert(1)</script> & co\t2020\n"
        "w1:pubmed:2\t=HYPERLINK()\t\n",
        encoding="utf-8",
    )
    page = tmp_path / "t.html"
    report.table_file_page(table, page, "Records <all>", note="a note")
    html = page.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<title>Records &lt;all&gt;</title>" in html
    assert '<p class="note">a note</p>' in html
    assert "<td>=HYPERLINK()</td>" in html and "<td>2020</td>" in html  # strings, as written
    assert html.count("<tr>") == 3  # header + 2 rows
    assert "<td></td>" in html  # the empty year


def test_table_page_first_columns_moved_to_the_front(tmp_path):
    table = tmp_path / "prisma_counts.csv"
    table.write_text("data,node,box,n\ndatabase_results,node7,box2,362\n", encoding="utf-8")
    page = tmp_path / "p.html"
    report.table_file_page(table, page, "PRISMA", first_columns=["data", "n", "absent"])
    html = page.read_text(encoding="utf-8")
    heads = re.findall(r"<th>(.*?)</th>", html)
    assert heads == ["data", "n", "node", "box"]
    assert "<td>database_results</td><td>362</td><td>node7</td><td>box2</td>" in html


def test_empty_table_page_says_so(tmp_path):
    table = tmp_path / "screening_log.tsv"
    table.write_text("record_id\tstage\tdecision\n", encoding="utf-8")
    page = tmp_path / "s.html"
    report.table_file_page(table, page, "Screening log")
    html = page.read_text(encoding="utf-8")
    assert "No rows." in html
    assert re.findall(r"<th>(.*?)</th>", html) == ["record_id", "stage", "decision"]


def test_markdown_page_renders_tables_and_escapes_raw_html(tmp_path):
    source = tmp_path / "reconciliation.md"
    source.write_text(
        "# Reconciliation\n\n61 figures: **39 match**.\n\n"
        "| item | status |\n|---|---|\n| `n_cases` | match |\n| `age_mean` | **differs** |\n\n"
        "<img src=x onerror=alert(1)> [click](javascript:alert(1)) "
        "&nbsp;&nbsp;indented\n",
        encoding="utf-8",
    )
    page = tmp_path / "reconciliation.html"
    report.markdown_file_page(source, page, "Reconciliation")
    html = page.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "<h1>Reconciliation</h1>" in html
    assert "<table>" in html and "<th>item</th>" in html
    assert "<td><code>n_cases</code></td>" in html
    assert "<td><strong>differs</strong></td>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert 'href="javascript' not in html
    assert "\u00a0\u00a0indented" in html  # entities decoded, not escaped


def test_markdown_page_puts_the_note_first(tmp_path):
    source = tmp_path / "a.md"
    source.write_text("# A\n", encoding="utf-8")
    page = tmp_path / "a.html"
    report.markdown_file_page(source, page, "A", note="read me")
    html = page.read_text(encoding="utf-8")
    assert html.index('<p class="note">read me</p>') < html.index("<h1>A</h1>")


SCREENING_COUNTS = {
    "previous_version": {
        "records_screened": 222,
        "records_excluded": None,
        "reports_excluded": [{"reason": "Irrelevant & incomplete", "n": 172}],
        "studies_included": 50,
    },
    "update": None,
    "per_window": {},
    "agreement": {"title_abstract": {"records": 0, "kappa": None, "pairs": []}},
}


def test_json_sections_scalars_lists_and_nested_objects():
    sections = report.json_sections(SCREENING_COUNTS, "counts.json")
    by_heading = {s.heading: s for s in sections}
    assert list(by_heading) == [
        "counts.json",
        "counts.json › previous_version",
        "counts.json › previous_version › reports_excluded",
        "counts.json › per_window",
        "counts.json › agreement › title_abstract",
        "counts.json › agreement › title_abstract › pairs",
    ]
    top = by_heading["counts.json"].table
    assert top.to_dict("records") == [{"item": "update", "value": "null"}]
    previous = by_heading["counts.json › previous_version"].table
    assert previous.to_dict("records") == [
        {"item": "records_screened", "value": 222},
        {"item": "records_excluded", "value": "null"},  # null shown, never as 0 or blank
        {"item": "studies_included", "value": 50},
    ]
    reasons = by_heading["counts.json › previous_version › reports_excluded"].table
    assert reasons.to_dict("records") == [{"reason": "Irrelevant & incomplete", "n": 172}]
    assert by_heading["counts.json › per_window"].note == "Empty."
    assert by_heading["counts.json › agreement › title_abstract › pairs"].table.empty


def test_json_list_of_objects_flattens_nested_objects_into_columns():
    counts = {
        "windows": [
            {"window": "v1", "reported": True, "databases": {"PubMed": 162, "Embase": 102}},
            {"window": "2024-09-25_2025-06-30", "reported": False, "databases": {"PubMed": 7}},
        ]
    }
    (section,) = report.json_sections(counts, "search_counts.json")
    assert section.heading == "search_counts.json › windows"
    assert list(section.table.columns) == [
        "window",
        "reported",
        "databases.PubMed",
        "databases.Embase",
    ]
    assert section.table["reported"].tolist() == ["true", "false"]
    assert section.table["databases.PubMed"].tolist() == [162, 7]


def test_json_cell_lists_and_objects_compactly():
    assert report.json_cell([{"reason": "A", "n": 1}, {"reason": "B", "n": 2}]) == (
        "reason: A; n: 1; reason: B; n: 2"
    )
    assert report.json_cell(["x", None, False]) == "x; null; false"
    assert report.json_cell(1.5) == 1.5


def test_json_page_escapes_and_is_self_contained(tmp_path):
    source = tmp_path / "counts.json"
    source.write_text(json.dumps(SCREENING_COUNTS), encoding="utf-8")
    page = tmp_path / "counts.html"
    report.json_file_page(source, page, "Screening counts", note="null: not reported")
    html = page.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "Irrelevant &amp; incomplete" in html
    assert '<td class="number">222</td>' in html
    assert html.index("null: not reported") < html.index("records_screened")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.tsv", "x\ty\n1\t2\n", "<th>y</th>"),
        ("a.csv", "x,y\n1,2\n", "<th>y</th>"),
        ("a.md", "# Title\n", "<h1>Title</h1>"),
        ("a.json", '{"n": 3}', '<td class="number">3</td>'),
    ],
)
def test_file_page_dispatches_on_the_suffix(tmp_path, name, content, expected):
    source = tmp_path / name
    source.write_text(content, encoding="utf-8")
    page = tmp_path / "page.html"
    report.file_page(source, page, "T")
    assert expected in page.read_text(encoding="utf-8")


def test_file_page_refuses_an_unknown_suffix_and_writes_nothing(tmp_path):
    source = tmp_path / "to_screen.xlsx"
    source.write_bytes(b"PK")
    page = tmp_path / "page.html"
    with pytest.raises(ValueError, match=r"to_screen\.xlsx: no report page for a \.xlsx file"):
        report.file_page(source, page, "T")
    assert not page.exists()


def test_named_file_pages_show_the_source_of_the_same_name_titled_and_noted_by_name(tmp_path):
    sources = {"counts": tmp_path / "counts.json", "log": tmp_path / "log.tsv"}
    sources["counts"].write_text('{"n": 3}', encoding="utf-8")
    sources["log"].write_text("n\tdata\n1\tx\n", encoding="utf-8")
    pages = {name: tmp_path / f"{name}.html" for name in ("log", "counts")}
    written = report.named_file_pages(
        sources, pages, {"counts": "Counts", "log": "Log"}, {"log": "a note"}, {"log": ["data"]}
    )
    assert written == [(str(sources[n]), str(pages[n])) for n in ("log", "counts")]
    log = pages["log"].read_text(encoding="utf-8")
    assert "<title>Log</title>" in log and "a note" in log
    assert log.index("<th>data</th>") < log.index("<th>n</th>")
    assert "<title>Counts</title>" in pages["counts"].read_text(encoding="utf-8")


def test_a_job_writes_the_page_of_each_titled_output_beside_it(tmp_path):
    table, document = tmp_path / "cases.csv", tmp_path / "notes.md"
    table.write_text("case_id,age\nC01,37\n", encoding="utf-8")
    document.write_text("# Notes\n\nkept\n", encoding="utf-8")
    outputs = {
        "cases": str(table),
        "cases_page": str(tmp_path / "cases.html"),
        "notes": str(document),
        "notes_page": str(tmp_path / "notes.html"),
        "untitled": str(tmp_path / "other.tsv"),
    }
    written = report.write_own_pages(
        outputs, {"cases": "One row per patient", "notes": "Notes"}, {"cases": "Empty: not said."}
    )
    assert written == [(str(table), outputs["cases_page"]), (str(document), outputs["notes_page"])]
    cases = (tmp_path / "cases.html").read_text(encoding="utf-8")
    assert "One row per patient" in cases and "Empty: not said." in cases and ">C01<" in cases
    assert "kept" in (tmp_path / "notes.html").read_text(encoding="utf-8")
    assert not (tmp_path / "other.html").exists()
