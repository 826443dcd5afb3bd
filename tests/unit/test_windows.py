"""Search windows: planning, fetching into storage (all or nothing), importing with exports
dropped in later, search counts and the PRISMA-S report."""

import hashlib
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from reviewflow.core.errors import InputProblems
from reviewflow.core.first_version import read_first_version
from reviewflow.search.entrez import EntrezClient, EntrezError, EntrezSettings
from reviewflow.search.windows import (
    SEARCH_LOG,
    Window,
    build_records,
    fetch_window,
    import_window,
    new_window,
    search_counts,
    search_inputs,
    search_report,
    stored_windows,
)
from tests.fake_eutils import FakeArticle, FakeEutils, pubmed_article

REPO = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["search"]
FIRST_VERSION = read_first_version(REPO / "config" / "first_version.yaml")
V1_UNTIL = date(2024, 9, 30)
WINDOW = Window(start=date(2024, 9, 26), until=date(2025, 3, 31))


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def fake(shared, httpserver):
    server = FakeEutils(shared)
    server.url = server.install(httpserver)
    return server


def client(fake, **overrides):
    options = dict(
        base_url=fake.url,
        email="reviewer@example.org",
        batch_size=5,
        requests_per_second=1000,
        backoff=0.001,
        timeout=0.2,
        max_retries=2,
    )
    options.update(overrides)
    return EntrezClient(EntrezSettings(**options), sleep=lambda seconds: None)


def fetched(fake, windows_dir: Path, window: Window = WINDOW) -> dict:
    return fetch_window(window, windows_dir, query="IgG4", client=client(fake), progress=False)


# -- planning -------------------------------------------------------------------------------


def test_first_new_window_starts_after_v1_minus_the_overlap():
    assert new_window([], V1_UNTIL, "2025-03-31", 5) == WINDOW
    assert WINDOW.id == "2024-09-26_2025-03-31"


def test_next_window_starts_after_the_last_stored_one():
    later = new_window([WINDOW], V1_UNTIL, "2025-06-30", 5)
    assert later.id == "2025-03-27_2025-06-30"
    assert new_window([WINDOW], V1_UNTIL, "2025-03-31", 5) is None  # stored already
    assert new_window([WINDOW], V1_UNTIL, "", 5) is None


@pytest.mark.parametrize(
    "until, message",
    [
        ("2025-02-01", "already covers PubMed up to 2025-03-31"),
        ("2999-01-01", "in the future"),
        ("31/03/2025", "not a date"),
    ],
)
def test_impossible_search_until(until, message):
    with pytest.raises(ValueError, match=message):
        new_window([WINDOW], V1_UNTIL, until, 5)


def test_stored_windows(tmp_path):
    (tmp_path / "2025-03-27_2025-06-30").mkdir()
    (tmp_path / "2025-03-27_2025-06-30" / SEARCH_LOG).write_text("{}")
    (tmp_path / WINDOW.id).mkdir()
    (tmp_path / WINDOW.id / SEARCH_LOG).write_text("{}")
    (tmp_path / "2025-07-01_2025-09-30").mkdir()  # empty: a failed fetch's leftover, ignored
    (tmp_path / "notes").mkdir()
    assert [w.id for w in stored_windows(tmp_path)] == [WINDOW.id, "2025-03-27_2025-06-30"]
    (tmp_path / "2025-07-01_2025-09-30" / "savedrecs.txt").write_text("x")
    with pytest.raises(InputProblems, match="2025-07-01_2025-09-30/: a window folder without"):
        stored_windows(tmp_path)


# -- fetch and import -------------------------------------------------------------------------


def test_fetch_stores_the_raw_replies_read_only_and_imports_them(fake, tmp_path):
    log = fetched(fake, tmp_path)
    folder = tmp_path / WINDOW.id
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "pubmed_efetch_2024-09-26_2025-03-31_0001.xml",
        "pubmed_efetch_2024-09-26_2025-03-31_0002.xml",
        "pubmed_efetch_2024-09-26_2025-03-31_0003.xml",
        "pubmed_esearch.xml",
        SEARCH_LOG,
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial folder
    assert all(not os.access(p, os.W_OK) or os.geteuid() == 0 for p in folder.iterdir())
    assert all(p.stat().st_mode & 0o222 == 0 for p in folder.iterdir())
    assert json.loads((folder / SEARCH_LOG).read_text()) == log
    assert (log["count"], log["records_fetched"], log["requests"]) == (13, 13, 4)
    assert log["query_translation"] == "(IgG4) AND 2024/09/26:2025/03/31[crdt]"
    assert log["limits"]["mindate"] == "2024-09-26" and log["api_key_used"] is False
    records, summaries = import_window(folder, csv_columns=CONFIG["csv_columns"])
    assert [r["pmid"] for r in records] == [a.pmid for a in fake.articles]
    assert records[0]["record_id"] == f"{WINDOW.id}:pubmed:{fake.articles[0].pmid}"
    assert sum(s.records for s in summaries) == 13
    with pytest.raises(FileExistsError, match="never rewritten"):
        fetched(fake, tmp_path)


def test_failed_fetch_leaves_nothing_and_stored_windows_byte_identical(fake, tmp_path):
    fetched(fake, tmp_path)
    before = tree_digest(tmp_path)
    later = Window(start=date(2025, 1, 20), until=date(2025, 6, 30))  # 8 of the articles
    fake.faults["efetch"] = ["none", "500", "500", "500"]  # batch 2 fails 3 times: give up
    with pytest.raises(EntrezError, match="failed 3 times"):
        fetched(fake, tmp_path, later)
    assert tree_digest(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [WINDOW.id]
    assert fake.count("efetch") == 3 + 4


def test_exports_dropped_in_later_are_imported(fake, tmp_path, shared):
    fetched(fake, tmp_path)
    folder = tmp_path / WINDOW.id
    formats = shared / "data" / "formats"
    shutil.copy(formats / "bibliometrix" / "wos_sample.txt", folder / "savedrecs.txt")
    shutil.copy(formats / "bibliometrix" / "scopus_sample.csv", folder / "scopus.csv")
    shutil.copy(
        formats / "rispy" / "edge_cases_synthetic" / "example_empty_tag.ris",
        folder / "embase_2025-03-31.ris",
    )
    (folder / "exports.yaml").write_text(
        "savedrecs.txt:\n  platform: Web of Science Core Collection\n  date_run: 2025-04-02\n"
        "  query: TS=(IgG4 AND pachymening*)\n"
    )
    assert str(folder / "savedrecs.txt") in search_inputs(tmp_path, [WINDOW], None)
    records, summaries, logs = build_records(
        tmp_path, [WINDOW.id], csv_columns=CONFIG["csv_columns"], export_patterns=CONFIG["exports"]
    )
    by_db = {}
    for record in records:
        by_db[record["source_db"]] = by_db.get(record["source_db"], 0) + 1
    assert by_db == {"pubmed": 13, "wos": 8, "scopus": 8, "embase": 1}
    assert len({r["record_id"] for r in records}) == len(records)
    counts = search_counts(FIRST_VERSION, logs, summaries)
    assert counts["windows"][0] == {
        "window": "v1",
        "reported": True,
        "from": None,
        "until": "2024-09-30",
        "databases": {"PubMed": 162, "Web of Science": 98, "Embase": 102},
    }
    assert counts["windows"][1] == {
        "window": WINDOW.id,
        "reported": False,
        "from": "2024-09-26",
        "until": "2025-03-31",
        "databases": {"PubMed": 13, "Web of Science": 8, "Embase": 1, "Scopus": 8},
    }
    report = search_report(FIRST_VERSION, logs, summaries, counts)
    assert "(IgG4) AND 2024/09/26:2025/03/31[crdt]" in report
    assert "Web of Science Core Collection" in report and "TS=(IgG4 AND pachymening*)" in report
    assert summaries[-1].sha256 in report or any(s.sha256 in report for s in summaries)
    assert "not documented (describe it in" in report  # the Scopus and Embase exports
    assert "| v1 | yes |  | 2024-09-30 | 162 | 98 | 102 |  |" in report


def test_one_report_of_all_problems_and_tampered_replies(fake, tmp_path):
    fetched(fake, tmp_path)
    folder = tmp_path / WINDOW.id
    reply = folder / "pubmed_efetch_2024-09-26_2025-03-31_0002.xml"
    reply.chmod(0o644)
    reply.write_bytes(reply.read_bytes().replace(b"<Year>", b"<Year>1", 1))
    (folder / "savedrecs.txt").write_text("PT J\nAUSato, K\nER\nEF\n")
    with pytest.raises(InputProblems) as error:
        import_window(folder, csv_columns=CONFIG["csv_columns"])
    message = str(error.value)
    assert "pubmed_efetch_2024-09-26_2025-03-31_0002.xml: changed since it was fetched" in message
    assert "savedrecs.txt" in message and "line 2, record 1" in message


def test_same_record_in_two_exports_keeps_both_with_distinct_ids(fake, tmp_path, shared):
    fetched(fake, tmp_path)
    folder = tmp_path / WINDOW.id
    wos = shared / "data" / "formats" / "bibliometrix" / "wos_sample.txt"
    shutil.copy(wos, folder / "savedrecs.txt")
    shutil.copy(wos, folder / "savedrecs(1).txt")
    records, _ = import_window(
        folder, csv_columns=CONFIG["csv_columns"], export_patterns=CONFIG["exports"]
    )
    wos_ids = [r["record_id"] for r in records if r["source_db"] == "wos"]
    assert len(wos_ids) == 16 and len(set(wos_ids)) == 16
    assert sum(i.endswith("#2") for i in wos_ids) == 8


def test_exports_yaml_is_checked(fake, tmp_path):
    fetched(fake, tmp_path)
    folder = tmp_path / WINDOW.id
    (folder / "exports.yaml").write_text("missing.txt:\n  database: medline\n  plattform: x\n")
    with pytest.raises(InputProblems) as error:
        import_window(folder, csv_columns=CONFIG["csv_columns"])
    message = str(error.value)
    assert "unknown keys ['plattform']" in message
    assert "database 'medline' must be one of" in message
    assert "missing.txt: described but no such file" in message


def test_check_export_command(tmp_path, capsys):
    from reviewflow.cli import main

    good = tmp_path / "savedrecs.txt"
    good.write_text("FN x\nVR 1.0\nPT J\nTI A title\nUT WOS:1\nER\n\nEF\n")
    bad = tmp_path / "embase.ris"
    bad.write_text("TY  - JOUR\nTI  - cut\n")
    config = str(REPO / "config" / "config.yaml")
    assert main(["check-export", str(good), "--config", config]) == 0
    assert (
        "wos_plain (utf-8), Web of Science, 1 records, the file declares 1"
        in capsys.readouterr().out
    )
    assert main(["check-export", str(good), str(bad), "--config", config]) == 1
    assert "embase.ris: 1 problem" in capsys.readouterr().out


def test_a_pubmed_search_that_found_nothing_counts_zero_not_null(httpserver, tmp_path):
    """A stored window's PubMed was searched even when it found nothing: 0, not null ("not
    searched"); a database with no export in the window stays null."""
    found = pubmed_article(
        "39500001", title="A case", authors=[("Tanaka", "Akira")], journal="J Neurol", year="2025"
    )
    server = FakeEutils(None, articles=[FakeArticle("39500001", date(2025, 5, 2), found)])
    server.url = server.install(httpserver)
    quiet = Window(start=date(2025, 1, 1), until=date(2025, 3, 31))  # the article came later
    log = fetched(server, tmp_path, quiet)
    assert log["count"] == 0 and [f["role"] for f in log["files"]] == ["esearch"]
    records, summaries, logs = build_records(
        tmp_path, [quiet.id], csv_columns=CONFIG["csv_columns"], export_patterns=CONFIG["exports"]
    )
    assert records == [] and summaries == []
    window = search_counts(FIRST_VERSION, logs, summaries)["windows"][1]
    assert window["databases"] == {"PubMed": 0, "Web of Science": None, "Embase": None}
    report = search_report(FIRST_VERSION, logs, summaries, {"windows": [window]})
    assert f"| {quiet.id} | no | 2025-01-01 | 2025-03-31 | 0 |  |  |" in report
