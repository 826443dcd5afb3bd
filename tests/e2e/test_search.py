"""The whole search update path, offline: snakemake in a private copy of the workflow, PubMed
replaced by a local fake E-utilities server (REVIEWFLOW_EUTILS_URL) replaying real replies."""

import csv
import hashlib
import json
import os
import shutil
import socket
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import run_snakemake
from tests.fake_eutils import FakeEutils

TARGETS = [
    "results/search/records.tsv",
    "results/search/search_counts.json",
    "results/search/search_report.md",
]
WINDOW = "2024-09-26_2025-03-31"  # v1 ended 2024-09-30; overlap 5 days


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def records(workdir: Path) -> list[dict]:
    with open(workdir / "results/search/records.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def counts(workdir: Path) -> list[dict]:
    return json.loads((workdir / "results/search/search_counts.json").read_text())["windows"]


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/entrez/eutils"


@pytest.fixture
def env(monkeypatch):
    """What snakemake sees: no API key, a contact address, and (per step) the E-utilities URL."""
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.setenv("NCBI_EMAIL", "reviewer@example.org")
    return os.environ


@pytest.mark.e2e
def test_search_update_path_offline(workflow_dir, shared, httpserver, env, monkeypatch):
    config_path = workflow_dir / "config/config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["search"]["pubmed"].update(
        batch_size=5, backoff_seconds=0.01, max_retries=1, timeout_seconds=5
    )
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    searches = workflow_dir / "resources/searches"

    # 1. A fresh clone has no stored window: the build runs offline (any request would fail).
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", closed_port_url())
    run_snakemake(workflow_dir, *TARGETS)
    assert records(workdir=workflow_dir) == []
    header = (workflow_dir / "results/search/records.tsv").read_text().splitlines()
    assert header[0].startswith("record_id\twindow\tsource_db\tsource_file\tsource_id\ttitle")
    assert [w["window"] for w in counts(workflow_dir)] == ["v1"]

    # 2. search_until adds a window: fetched from the fake server, stored, turned into records.
    fake = FakeEutils(shared)
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", fake.install(httpserver))
    run_snakemake(workflow_dir, *TARGETS, "--config", "search_until=2025-03-31")
    assert (fake.count("esearch"), fake.count("efetch")) == (1, 3)  # 13 records, batches of 5
    stored = digest(searches)
    assert f"{WINDOW}/search_log.json" in stored and f"{WINDOW}/pubmed_esearch.xml" in stored
    rows = records(workflow_dir)
    assert [r["pmid"] for r in rows] == [a.pmid for a in fake.articles]
    assert {r["window"] for r in rows} == {WINDOW}
    assert rows[0]["record_id"] == f"{WINDOW}:pubmed:{fake.articles[0].pmid}"
    windows = counts(workflow_dir)
    assert [w["window"] for w in windows] == ["v1", WINDOW]
    assert windows[1]["databases"] == {"PubMed": 13, "Web of Science": None, "Embase": None}
    report = (workflow_dir / "results/search/search_report.md").read_text()
    assert f"## Window {WINDOW}" in report and "[crdt]" in report

    # 3. The same command again fetches nothing and rebuilds nothing.
    again = run_snakemake(workflow_dir, *TARGETS, "--config", "search_until=2025-03-31")
    assert "Nothing to be done" in again.stdout + again.stderr
    assert len(fake.requests) == 4 and digest(searches) == stored

    # 4. A reviewer drops the Web of Science export into the window: the next run imports it.
    shutil.copy(
        shared / "data/formats/bibliometrix/wos_sample.txt", searches / WINDOW / "savedrecs.txt"
    )
    run_snakemake(workflow_dir, *TARGETS)
    rows = records(workflow_dir)
    assert sum(r["source_db"] == "wos" for r in rows) == 8 and len(rows) == 21
    assert counts(workflow_dir)[1]["databases"]["Web of Science"] == 8
    assert len(fake.requests) == 4
    stored = digest(searches)

    # 5. A later window that cannot be fetched (no network) fails cleanly: nothing changes.
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", closed_port_url())
    failed = run_snakemake(
        workflow_dir, *TARGETS, "--config", "search_until=2025-06-30", check=False
    )
    assert failed.returncode != 0
    assert "window 2025-03-27_2025-06-30 not fetched, nothing stored" in failed.stderr
    assert digest(searches) == stored
    assert sorted(p.name for p in searches.iterdir()) == sorted(["README.md", WINDOW])
    assert len(records(workflow_dir)) == 21  # the last good records.tsv is kept
