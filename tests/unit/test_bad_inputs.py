"""Issue 12: one test per class of bad input or fault, each naming the input it breaks and the
exact message expected (located, every problem at once, nothing silent, no hang)."""

import hashlib
import json
import re
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from reviewflow.cli import main as cli_main
from reviewflow.core.errors import InputProblems
from reviewflow.core.yamlfile import read_yaml
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.workbook import read_workbook
from reviewflow.screening.folder import read_decisions
from reviewflow.search.entrez import EntrezClient, EntrezError, EntrezSettings
from reviewflow.search.importers import import_file
from reviewflow.search.windows import Window, fetch_window
from tests.fake_eutils import trickling_server as trickling_server_at

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow" / "lib"))
import buildcheck  # noqa: E402  (the Snakefile's parse-time checks: standard library + yaml)


def problems_of(error: pytest.ExceptionInfo) -> list[str]:
    return error.value.problems


# --- YAML files people own ----------------------------------------------------------------


def test_vocabulary_duplicate_key_is_refused_not_last_one_wins(tmp_path):
    """extraction/vocabulary.yaml with `Male: female` after `Male: male`."""
    path = tmp_path / "vocabulary.yaml"
    path.write_text("coded:\n  sex:\n    values:\n      Male: male\n      Male: female\n")
    with pytest.raises(InputProblems) as error:
        read_yaml(path)
    assert problems_of(error) == [
        f"{path}:5:7: key 'Male' given twice (first at line 4): each key may appear once in a "
        "mapping"
    ]


def test_codebook_syntax_error_is_located_not_a_traceback(tmp_path):
    """extraction/codebook.yaml with an unclosed flow sequence."""
    path = tmp_path / "codebook.yaml"
    path.write_text("workbook:\n  sheets: [cases\n")
    with pytest.raises(InputProblems) as error:
        load_codebook(path)
    assert problems_of(error) == [
        f"{path}:3:1: not valid YAML: while parsing a flow sequence expected ',' or ']', but got "
        "'<stream end>': the [ ... ] opened at line 2 is not closed, or an item in it holds an "
        'unquoted "," or ":": close the bracket, and quote such a value ("Size, cm")'
    ]


def test_config_duplicate_key_and_typo_are_located_without_a_schema_dump(tmp_path):
    """config/config.yaml with a second `normality_alpha:`, then with `overlap_day`."""
    schema = REPO / "workflow" / "schemas" / "config.schema.yaml"
    original = (REPO / "config" / "config.yaml").read_text(encoding="utf-8")
    twice = tmp_path / "twice.yaml"
    second = "  normality_alpha: 0.5\n  normality_alpha:"
    twice.write_text(original.replace("  normality_alpha:", second))
    config, _ = buildcheck.read_yaml_strict(REPO / "config" / "config.yaml")
    first = next(
        n for n, text in enumerate(twice.read_text().splitlines(), 1) if "normality_alpha" in text
    )
    assert buildcheck.config_problems(config, [str(twice)], schema) == [
        f"{twice}:{first + 1}:3: key 'normality_alpha' given twice (first at line {first}): "
        "each key may appear once in a mapping"
    ]

    typo = tmp_path / "typo.yaml"
    typo.write_text(original.replace("  overlap_days:", "  overlap_day:"))
    config, _ = buildcheck.read_yaml_strict(typo)
    line = next(
        n for n, text in enumerate(typo.read_text().splitlines(), 1) if "overlap_day:" in text
    )
    search_line = next(
        n for n, text in enumerate(typo.read_text().splitlines(), 1) if text == "search:"
    )
    assert buildcheck.config_problems(config, [str(typo)], schema) == [
        f"{typo}:{search_line}: search.overlap_days: missing (required)",
        f"{typo}:{line}: search.overlap_day: unknown key (did you mean overlap_days?); allowed "
        "here: csv_columns, exports, overlap_days, pubmed, windows_dir",
    ]


def test_config_value_given_on_the_command_line_is_named_as_such():
    """--config search_until=bad"""
    schema = REPO / "workflow" / "schemas" / "config.schema.yaml"
    config, _ = buildcheck.read_yaml_strict(REPO / "config" / "config.yaml")
    config["search_until"] = "bad"
    assert buildcheck.config_problems(
        config, ["config/config.yaml"], schema, overrides={"search_until": "bad"}
    ) == [
        "--config search_until=...: search_until: 'bad' does not match "
        "'^(\\\\d{4}-\\\\d{2}-\\\\d{2})?$'"
    ]


def test_config_defaults_of_the_sections_schemas_are_filled_in(tmp_path):
    """The first review's config without keys that have defaults in the sections' schema files
    (config.statistics.schema.yaml, ...): `fill_defaults` puts back each default, keeps what
    is given (Snakemake's `validate` filled in none of these: statistics.smk then stopped with
    a KeyError on a config without `normality_alpha`); a hand-made schema shows nested defaults
    and values kept."""
    schema = REPO / "workflow" / "schemas" / "config.schema.yaml"
    config, _ = buildcheck.read_yaml_strict(REPO / "config" / "config.yaml")
    given = json.loads(json.dumps(config))
    for section, key in [("statistics", "normality_alpha"), ("statistics", "quantile_method")]:
        del config[section][key]
    del config["search"]["pubmed"]["batch_size"]
    config["prisma"].pop("patients", None)
    buildcheck.fill_defaults(config, schema)
    assert config["statistics"]["normality_alpha"] == 0.05
    assert config["statistics"]["quantile_method"] == "weibull"
    assert config["search"]["pubmed"]["batch_size"] == 200
    assert config["prisma"]["patients"] is True
    assert config["search"]["pubmed"]["tool"] == "reviewflow"  # not given in the first review
    assert config["search"]["overlap_days"] == given["search"]["overlap_days"]  # kept
    assert config["search"]["pubmed"]["query"] == given["search"]["pubmed"]["query"]

    (tmp_path / "main.yaml").write_text(
        "$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\n"
        "properties:\n  name: {type: string, default: x}\n  kept: {type: integer, default: 1}\n"
        "  part: {type: object, properties: {depth: {type: integer, default: 3}}}\n"
    )
    config = {"part": {}, "kept": 5}
    buildcheck.fill_defaults(config, tmp_path / "main.yaml")
    assert config == {"part": {"depth": 3}, "kept": 5, "name": "x"}


# --- Stored search windows -----------------------------------------------------------------


def make_window(folder: Path) -> Path:
    window = folder / "2025-01-01_2025-03-31"
    window.mkdir(parents=True)
    reply = window / "pubmed_efetch_all_0001.xml"
    reply.write_bytes(b"<PubmedArticleSet/>\n")
    digest = hashlib.sha256(reply.read_bytes()).hexdigest()
    log = {
        "window": window.name,
        "limits": {"mindate": "2025-01-01", "maxdate": "2025-03-31"},
        "files": [{"file": reply.name, "role": "efetch", "records": 0, "sha256": digest}],
    }
    (window / "search_log.json").write_text(json.dumps(log))
    return reply


def test_a_stored_windows_edited_or_deleted_reply_stops_every_build(tmp_path):
    """resources/searches/<window>/pubmed_efetch_*.xml edited, then deleted."""
    reply = make_window(tmp_path)
    assert buildcheck.window_problems(tmp_path) == []
    reply.write_bytes(b"<PubmedArticleSet></PubmedArticleSet>\n")
    assert buildcheck.window_problems(tmp_path) == [
        f"{reply}: changed since it was fetched (SHA-256 differs from search_log.json): a "
        f"stored window is never edited; restore it (git checkout -- {reply})"
    ]
    reply.unlink()
    assert buildcheck.window_problems(tmp_path) == [
        f"{reply}: listed in search_log.json but missing: a stored window is never edited; "
        f"restore it (git checkout -- {reply.parent})"
    ]


# --- Workbooks -----------------------------------------------------------------------------


def codebook():
    return load_codebook(REPO / "extraction" / "codebook.yaml")


def test_password_protected_workbook_is_named_as_such(tmp_path):
    """extraction/cases.xlsx saved with a password (an OLE2 container, not a zip)."""
    path = tmp_path / "cases.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    with pytest.raises(InputProblems) as error:
        read_workbook(path, codebook())
    assert problems_of(error) == [
        f"{path}: is password-protected (encrypted) or an old .xls file: save it as an Excel "
        "2007-365 .xlsx workbook without a password"
    ]


def test_workbook_with_a_corrupted_member_is_a_located_error_not_a_parse_error(tmp_path):
    """extraction/cases.xlsx whose sheet XML is cut short."""
    import zipfile

    source = REPO / "extraction" / "cases.xlsx"
    path = tmp_path / "cases.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            new.writestr(item, data)
    with pytest.raises(InputProblems) as error:
        read_workbook(path, codebook())
    (message,) = problems_of(error)
    assert message.startswith(f"{path}: is damaged (ParseError: ")
    assert message.endswith(
        "restore the last good version (git checkout -- the file) and redo the latest edits"
    )


def test_a_workbook_saved_again_without_a_change_keeps_its_digest(tmp_path):
    """extraction/cases.xlsx opened and saved again (new bytes, new time stamps), then with one
    changed cell, one hidden row and one merged range."""
    from openpyxl import load_workbook

    original = REPO / "extraction" / "cases.xlsx"
    again = tmp_path / "cases.xlsx"
    load_workbook(original).save(again)
    assert again.read_bytes() != original.read_bytes()
    digest = buildcheck.workbook_digest(original)
    assert len(digest) == 64 and buildcheck.workbook_digest(again) == digest
    for change in (
        lambda sheet: sheet.cell(row=2, column=6, value=38),
        lambda sheet: setattr(sheet.row_dimensions[3], "hidden", True),
        lambda sheet: sheet.merge_cells("A4:B4"),
        lambda sheet: setattr(sheet.cell(row=2, column=6), "number_format", "0.00%"),
    ):
        book = load_workbook(original)
        change(book["cases"])
        book.save(again)
        assert buildcheck.workbook_digest(again) != digest
    again.write_bytes(b"not a workbook")
    assert buildcheck.workbook_digest(again) == ""


def test_rows_digest_changes_with_the_rows_and_the_column_only(tmp_path):
    """The PRISMA diagram's view of the cases sheet: which rows hold values and their study ids;
    another cell of a patient, or a blank typed in an empty row, leaves it as it was."""
    from openpyxl import load_workbook

    original = REPO / "extraction" / "cases.xlsx"
    digest = buildcheck.rows_digest(original, "cases", "study_id")
    assert len(digest) == 64
    again = tmp_path / "cases.xlsx"
    for change, same in (
        (lambda sheet: sheet.cell(row=2, column=6, value=38), True),
        (lambda sheet: sheet.cell(row=80, column=6, value="  "), True),
        (lambda sheet: sheet.cell(row=2, column=2, value="S02"), False),
        (lambda sheet: sheet.cell(row=80, column=6, value=38), False),
        (lambda sheet: sheet.delete_rows(3), False),
    ):
        book = load_workbook(original)
        change(book["cases"])
        book.save(again)
        assert (buildcheck.rows_digest(again, "cases", "study_id") == digest) is same
    assert buildcheck.rows_digest(original, "cases", "no_such_column") == ""
    assert buildcheck.rows_digest(original, "no_such_sheet", "study_id") == ""
    again.write_bytes(b"not a workbook")
    assert buildcheck.rows_digest(again, "cases", "study_id") == ""


def test_screening_workbook_formula_is_refused_with_its_cell(tmp_path):
    """extraction/screening/title_abstract_alice.xlsx with =IF(1,"include","exclude")."""
    book = Workbook()
    sheet = book.active
    sheet.title = "title_abstract"
    sheet.append(["record_id", "decision", "reason"])
    sheet.append(["2025-01-01_2025-03-31:pubmed:1", '=IF(1,"include","exclude")', None])
    book.save(tmp_path / "title_abstract_alice.xlsx")
    from reviewflow.core.yamlfile import read_yaml as strict
    from reviewflow.screening.decisions import ScreeningSettings

    settings = ScreeningSettings.from_config(strict(REPO / "config" / "config.yaml")["screening"])
    ids = {"2025-01-01_2025-03-31:pubmed:1": "2025-01-01_2025-03-31:pubmed:1"}
    with pytest.raises(InputProblems) as error:
        read_decisions(tmp_path, ids, settings)
    (message,) = problems_of(error)
    assert message.endswith(
        'title_abstract_alice.xlsx, title_abstract!B2: \'=IF(1,"include","exclude")\': a '
        "formula: type the value itself (a decision, reason or record id), not a formula"
    )


# --- Exports -------------------------------------------------------------------------------

WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Kim, A
TI IgG4-related pachymeningitis
PY twenty
UT WOS:000000000000001
ER

EF
"""


def test_wos_year_that_is_not_a_year_is_reported_not_dropped(tmp_path):
    """savedrecs.txt with `PY twenty`."""
    path = tmp_path / "savedrecs.txt"
    path.write_text(WOS)
    with pytest.raises(InputProblems) as error:
        import_file(path)
    assert problems_of(error) == [
        "line 3, record 1: PY 'twenty': not a year: a four-digit year (e.g. 2021), or no PY at "
        "all when the year is unknown"
    ]


def test_check_export_names_an_xlsx_from_any_directory_and_never_says_written(
    tmp_path, monkeypatch, capsys
):
    """`reviewflow check-export cases.xlsx` run outside the repository."""
    monkeypatch.chdir(tmp_path)
    assert cli_main(["check-export", str(REPO / "extraction" / "cases.xlsx")]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"{REPO / 'extraction' / 'cases.xlsx'}: 1 problem:",
        "  cases.xlsx: an Excel workbook (.xlsx) or another zip archive, not an export: export "
        "the records as RIS, plain text (Web of Science), MEDLINE, BibTeX or CSV",
    ]
    (tmp_path / "savedrecs.txt").write_text(WOS.replace("twenty", "2021"))
    assert cli_main(["check-export", "savedrecs.txt"]) == 0
    assert "Web of Science, 1 records" in capsys.readouterr().out


# --- Console -------------------------------------------------------------------------------


def test_ten_thousand_junk_rows_print_a_capped_grouped_list():
    """10,000 rows of junk in the workbook: 20,000 problems of 2 kinds."""
    problems = []
    for row in range(2, 10002):
        problems.append(f"cases!E{row}: 'x{row}': sex must be one of: Male, Female, ND")
        problems.append(f"cases!F{row}: 'y': age_years is not a number: a whole number")
    summary = InputProblems("extraction/cases.xlsx", problems).summary(full_list="the.log")
    assert summary.splitlines() == [
        "extraction/cases.xlsx: 20000 problems, nothing was written:",
        *[f"  {p}" for p in problems[0:6:2]],
        "  ... and 9997 more like the above",
        *[f"  {p}" for p in problems[1:6:2]],
        "  ... and 9997 more like the above",
        "  (all 20000 problems are listed in the.log)",
    ]


# --- E-utilities ---------------------------------------------------------------------------


@pytest.fixture
def trickling_server():
    """A loopback E-utilities server sending its reply one byte every 0.2 s, never finishing."""
    with trickling_server_at(0.2) as url:
        yield url


def test_a_server_trickling_bytes_times_out_at_the_request_deadline(trickling_server):
    """E-utilities reply trickling one byte at a time (each read well within `timeout`)."""
    settings = EntrezSettings(
        base_url=trickling_server, email="a@b.org", timeout=5, request_deadline=1, max_retries=0
    )
    client = EntrezClient(settings)
    started = time.monotonic()
    with pytest.raises(EntrezError) as error:
        client.get("esearch", {"db": "pubmed", "term": "x"})
    assert time.monotonic() - started < 4
    assert str(error.value) == (
        "esearch (db=pubmed, term=x) failed 1 times; last problem: no complete reply within 1 s "
        "(overall deadline)"
    )


def test_a_window_past_its_deadline_stops_and_leaves_nothing(tmp_path):
    """A fetch whose window deadline has passed; a `.partial-*` folder left by a killed fetch."""
    window = Window.from_id("2025-01-01_2025-03-31")
    leftover = tmp_path / f".{window.id}.partial-killed"
    leftover.mkdir()
    (leftover / "pubmed_esearch.xml").write_text("<half")
    settings = EntrezSettings(email="a@b.org", window_deadline=0.0)
    client = EntrezClient(settings)
    with pytest.raises(EntrezError) as error:
        fetch_window(window, tmp_path, query="x", client=client, progress=False)
    assert str(error.value) == (
        "esearch: the window's deadline of 0 s has passed "
        "(search.pubmed.window_deadline_seconds); nothing was stored"
    )
    assert list(tmp_path.iterdir()) == []


def test_empty_window_folders_of_a_killed_fetch_are_removed(tmp_path):
    """resources/searches/<window>/ left empty by a killed fetch."""
    (tmp_path / "2025-01-01_2025-03-31").mkdir()
    make_window(tmp_path / "kept")
    assert buildcheck.remove_empty_window_folders(tmp_path) == [tmp_path / "2025-01-01_2025-03-31"]
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]


# --- The state of the last build ---------------------------------------------------------


def test_report_is_refused_after_a_failed_or_unfinished_build_or_a_changed_source(tmp_path):
    """results/run_state.json after a failed build, one still running (or killed), then a
    changed codebook."""
    state = tmp_path / "run_state.json"
    source = tmp_path / "codebook.yaml"
    source.write_text("a: 1\n")
    assert buildcheck.report_problems(state, [source]) == [
        f"{state}: no record of a finished build here: run snakemake --cores 4 (when it says "
        "there is nothing to be done, snakemake --cores 4 --forceall records one)"
    ]
    failed = buildcheck.write_run_state(state, "failed")
    assert buildcheck.report_problems(state, [source]) == [
        f"{state}: the last build failed ({failed['finished_utc']}): fix what it reported and "
        "run snakemake --cores 4 again"
    ]
    running = buildcheck.write_run_state(state, "running")
    assert buildcheck.report_problems(state, [source]) == [
        f"{state}: a build started at {running['started_utc']} has not finished: wait for it "
        "or rerun"
    ]
    good = buildcheck.write_run_state(
        state, "succeeded", sources=buildcheck.source_hashes([source])
    )
    assert buildcheck.report_problems(state, [source]) == []
    time.sleep(0.01)
    source.touch()  # touched, same content: still current
    assert buildcheck.report_problems(state, [source]) == []
    source.write_text("a: 2\n")
    assert buildcheck.report_problems(state, [source]) == [
        f"changed since the last build finished ({good['finished_utc']}): {source}: run "
        "snakemake --cores 4 again "
        "(when it says there is nothing to be done, snakemake --cores 4 --forceall records "
        "the build)"
    ]


def test_pages_a_failed_build_did_not_remake_are_marked_and_keep_their_time(tmp_path):
    """results/dataset/cases.html left from a good build when extraction failed (its
    results/extraction/cases.tsv deleted by snakemake; cases.csv itself still there)."""
    import os

    results = tmp_path / "results"
    results.mkdir()
    page, table, raw = results / "cases.html", results / "cases.csv", results / "cases.tsv"
    table.write_text("id\n")
    page.write_text("<html><body><p>55 patients</p></body></html>")
    producers = {str(page): [str(table)], str(table): [str(raw)], str(raw): []}
    old = page.stat().st_mtime
    window_log = tmp_path / "2025-04-01_2025-09-30" / "search_log.json"  # a failed fetch
    producers[str(page)].append(str(window_log))
    state = {"finished_utc": "T"}
    marked = buildcheck.mark_stale_pages([str(page)], producers, state, results)
    assert marked == [str(page)]
    assert "Out of date: the build of T failed before remaking this page." in page.read_text()
    assert page.stat().st_mtime == old
    assert buildcheck.mark_stale_pages([str(page)], producers, state, results) == []
    fresh = results / "fresh.html"
    fresh.write_text("<html><body></body></html>")
    raw.write_text("x")
    os.utime(raw, (old - 10, old - 10))
    os.utime(table, (old - 5, old - 5))
    producers[str(fresh)] = [str(table), str(window_log)]
    assert buildcheck.mark_stale_pages([str(fresh)], producers, state, results) == []
    # a later build that succeeds made or found the page current: the banner goes, time kept
    assert buildcheck.clear_stale_pages([str(page), str(fresh)]) == [str(page)]
    assert page.read_text() == "<html><body><p>55 patients</p></body></html>"
    assert page.stat().st_mtime == old
    assert buildcheck.clear_stale_pages([str(page), str(results / "absent.html")]) == []


def test_a_deleted_source_file_is_named_with_the_rules_reading_it(tmp_path, monkeypatch):
    """extraction/codebook.yaml deleted from a built tree."""

    class Rule:
        def __init__(self, name, inputs, outputs=()):
            self.name, self.input, self.output = name, inputs, list(outputs)

        def products(self):
            return iter(self.output)

        def is_producer(self, path):
            patterns = [re.sub(r"\\\{\w+\\\}", ".+", re.escape(out)) for out in self.output]
            return any(re.fullmatch(pattern, path) for pattern in patterns)

    monkeypatch.chdir(tmp_path)
    rules = [
        Rule("extraction_read", ["extraction/codebook.yaml", "extraction/cases.xlsx"]),
        Rule("dataset_codebook", ["extraction/codebook.yaml", "results/x.tsv", "results/a.csv"]),
        Rule("make_any_csv", [], ["results/{name}.csv"]),  # makes results/a.csv by its pattern
        Rule("make_x", [], ["results/x.tsv"]),
        # another way to make results/y.tsv exists: a missing input of this one is no problem
        Rule("make_y_single", ["extraction/absent.xlsx"], ["results/y.tsv", "results/y.txt"]),
        Rule("make_y_double", ["extraction/cases.xlsx"], ["results/y.tsv"]),
    ]
    Path("extraction").mkdir()
    Path("extraction/cases.xlsx").write_bytes(b"")
    assert buildcheck.missing_inputs(rules) == [
        "extraction/codebook.yaml: missing (read by dataset_codebook, extraction_read): restore "
        "it (git checkout -- extraction/codebook.yaml) or correct its path in config/config.yaml"
    ]
