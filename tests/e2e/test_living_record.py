"""Records a review can trust (issue 24, the living review), end to end in a private copy of the
workflow: `reviewflow publish-version` refuses a failed or stale build (a rule's error, a
duplicate key stopping snakemake at parse time, a workbook cell changed without a rebuild) and
publishes the build once it is good again; every build refuses an edited published version or
stored window (its located line, nothing changed); `snakemake --report` onto a full disk leaves
the previous report; a snakemake killed with SIGKILL during a fetch leaves no fetch running and
no lock for the next run to --unlock."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reviewflow.core import lifeline
from reviewflow.search.entrez import EntrezClient, EntrezSettings
from reviewflow.search.windows import Window, fetch_window
from tests.e2e.conftest import copy_workflow, run_snakemake
from tests.e2e.test_update_path import ARTICLES, WA
from tests.fake_eutils import FakeEutils
from tests.reviewer_files import reviewer_files as review_state

pytestmark = pytest.mark.e2e

VERSION_2 = """
  - number: 2
    date: "2025-04-15"
    trigger: "A correction"
    windows: [v1]
"""


def publish(review: Path, number: int = 2) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "reviewflow.cli", "publish-version", str(number)]
    return subprocess.run(command, cwd=review, capture_output=True, text=True, timeout=600)


def refused_publication(review: Path) -> str:
    """stderr of a publication that must be refused, nothing changed."""
    before = review_state(review)
    result = publish(review)
    assert result.returncode == 2, result.stdout + result.stderr
    assert review_state(review) == before
    return result.stderr


def finished(review: Path) -> str:
    return json.loads((review / "results/run_state.json").read_text())["finished_utc"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The committed review with version 2 (a correction, no new window) declared, built."""
    review = copy_workflow(tmp_path_factory.mktemp("record") / "review")
    with open(review / "config/versions.yaml", "a", encoding="utf-8") as handle:
        handle.write(VERSION_2)
    run_snakemake(review)
    return review


def test_publish_only_what_a_green_build_of_the_current_files_made(built):
    review = built
    workbook = review / "extraction/cases.xlsx"
    original = workbook.read_bytes()

    # cases!F2 changed from 37 to 38 without a rebuild
    book = load_workbook(workbook)
    assert book["cases"]["F2"].value == 37
    book["cases"]["F2"].value = 38
    book.save(workbook)
    assert refused_publication(review) == (
        "reviewflow publish-version: publish version 2: 1 problem, nothing was published:\n"
        f"  changed since the last build finished ({finished(review)}): extraction/cases.xlsx: "
        "run snakemake --cores 4 again "
        "(when it says there is nothing to be done, snakemake --cores 4 --forceall records "
        "the build)\n"
    )
    workbook.write_bytes(original)  # the same content again: nothing to rebuild

    # a build that failed on the analysis file (a rule's error: onerror records it)
    analysis = review / "config/analysis.yaml"
    text = analysis.read_text(encoding="utf-8")
    analysis.write_text(text.replace("skip: [workbook_row]", "skip: [no_such_column]"))
    assert run_snakemake(review, check=False).returncode != 0
    # the statistics stage is one job: none of its tables outlives its failure
    assert refused_publication(review) == (
        "reviewflow publish-version: publish version 2: 3 problems, nothing was published:\n"
        f"  results/run_state.json: the last build failed ({finished(review)}): fix what it "
        "reported and run snakemake --cores 4 again\n"
        "  results/statistics/summary.tsv: missing; run the workflow (snakemake --cores 4) first\n"
        "  results/statistics/reconciliation.tsv: missing; run the workflow (snakemake --cores 4) "
        "first\n"
    )
    analysis.write_text(text, encoding="utf-8")
    run_snakemake(review)

    # a duplicate key in config.yaml stops snakemake at parse time: no handler runs, the state
    # stays the earlier success, but config.yaml is not what that build was made from
    config = review / "config/config.yaml"
    config_text = config.read_text(encoding="utf-8")
    config.write_text(config_text.replace("review:\n", 'review:\n  title: "again"\n', 1))
    stopped = run_snakemake(review, check=False)
    assert stopped.returncode != 0 and "key 'title' given twice" in stopped.stderr
    assert json.loads((review / "results/run_state.json").read_text())["state"] == "succeeded"
    assert refused_publication(review) == (
        "reviewflow publish-version: publish version 2: 1 problem, nothing was published:\n"
        f"  changed since the last build finished ({finished(review)}): config/config.yaml: "
        "run snakemake --cores 4 again "
        "(when it says there is nothing to be done, snakemake --cores 4 --forceall records "
        "the build)\n"
    )
    config.write_text(config_text, encoding="utf-8")

    # the files as built: version 2 is published, the build's dataset as it is
    published = publish(review)
    assert published.returncode == 0, published.stderr
    assert (review / "versions/v2/cases.csv").read_bytes() == (
        review / "results/dataset/cases.csv"
    ).read_bytes()


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def test_a_report_onto_a_full_disk_leaves_the_previous_report(built):
    """`snakemake --report rep/report.html` with rep/ a 200 kB tmpfs (the report is larger)."""
    review = built
    rep = review / "rep"
    rep.mkdir()
    if os.geteuid() != 0 or not mount("-t", "tmpfs", "-o", "size=200k", "tmpfs", str(rep)):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        (rep / "report.html").write_text("<html>the previous report</html>\n")
        before = review_state(review)
        made = run_snakemake(review, "--report", "rep/report.html", check=False)
        assert made.returncode != 0
        assert (
            "No report made: 1 problem:\n  rep/report.html: not written (No space left on "
            "device): rep/report.html is as it was before (never a truncated report); free "
            "space (or give another place) and run snakemake --report again"
        ) in made.stderr
        assert "Traceback" not in made.stderr
        assert [p.name for p in rep.iterdir()] == ["report.html"]
        assert (rep / "report.html").read_text() == "<html>the previous report</html>\n"
        assert review_state(review) == before
    finally:
        subprocess.run(["umount", str(rep)], check=True)


# ------------------------------------------------------------------------------------------
# Every build verifies the published versions and the stored windows


def dry_run(review: Path) -> subprocess.CompletedProcess:
    before = review_state(review)
    result = run_snakemake(review, "-n", check=False)
    assert review_state(review) == before
    return result


def store_window(review: Path, httpserver) -> Path:
    """Window WA fetched from the fake E-utilities into the review, as a fetch stores it."""
    fake = FakeEutils(None, articles=ARTICLES)
    client = EntrezClient(
        EntrezSettings(base_url=fake.install(httpserver), email="a@b.org", max_retries=0)
    )
    windows = review / "resources/searches"
    fetch_window(Window.from_id(WA), windows, query="x", client=client, progress=False)
    return windows / WA


def test_every_build_refuses_a_changed_published_version_or_window(workflow_dir, httpserver):
    review = workflow_dir
    window = store_window(review, httpserver)
    assert dry_run(review).returncode == 0

    cases = review / "versions/v1/cases.csv"
    original = cases.read_bytes()
    cases.chmod(0o644)
    cases.write_bytes(original.replace(b"C01,", b"C01 ,", 1))
    result = dry_run(review)
    assert result.returncode == 1
    assert (
        "A published version cannot be used: 1 problem:\n  versions/v1/cases.csv: changed since "
        "it was published (SHA-256): a published version is never changed; restore it (git "
        "checkout -- versions/v1)"
    ) in result.stderr
    cases.write_bytes(original)

    versions = review / "config/versions.yaml"
    declared = versions.read_text(encoding="utf-8")
    versions.write_text(declared.replace("date: null", "date: 2025-13-45"), encoding="utf-8")
    result = dry_run(review)
    assert result.returncode == 1
    assert (
        "A published version cannot be used: 1 problem:\n  config/versions.yaml:9:11: not valid "
        "YAML: '2025-13-45' is not a date (month must be in 1..12): write YYYY-MM-DD"
    ) in result.stderr
    versions.write_text(declared, encoding="utf-8")

    renamed = window.rename(window.parent / "2024-09-26_2025-04-21")
    result = dry_run(review)
    assert result.returncode == 1
    assert (
        "A stored search window cannot be used: 1 problem:\n  resources/searches/"
        "2024-09-26_2025-04-21/: its search_log.json is the search of window "
        f"{WA} (PubMed create dates 2024-09-26 to 2025-03-31), not of 2024-09-26_2025-04-21"
    ) in result.stderr
    renamed.rename(window)

    reply = window / f"pubmed_efetch_{WA}_0001.xml"
    shutil.copy2(reply, window / f"pubmed_efetch_{WA}_0001 (copy).xml")
    result = dry_run(review)
    assert result.returncode == 1
    assert (
        f"  resources/searches/{WA}/pubmed_efetch_{WA}_0001 (copy).xml: a copy of "
        f"pubmed_efetch_{WA}_0001.xml (same SHA-256) that search_log.json does not list"
    ) in result.stderr
    (window / f"pubmed_efetch_{WA}_0001 (copy).xml").unlink()

    reversed_window = review / "resources/searches/2025-06-30_2025-04-01"
    reversed_window.mkdir()
    (reversed_window / "savedrecs.txt").write_text("FN Clarivate\nER\n")
    result = dry_run(review)
    assert result.returncode == 1
    assert (
        "  resources/searches/2025-06-30_2025-04-01/: not a search window: its dates are "
        "reversed (from 2025-06-30 is after until 2025-04-01)"
    ) in result.stderr
    shutil.rmtree(reversed_window)
    assert dry_run(review).returncode == 0


# ------------------------------------------------------------------------------------------
# A snakemake killed with SIGKILL during a fetch


@pytest.fixture
def stalling_server():
    """A loopback server that accepts requests and answers one byte a second, never finishing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def answer(conn):
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                conn.sendall(b" ")
                stop.wait(1)
        except OSError:
            pass
        finally:
            conn.close()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/entrez/eutils"
    stop.set()
    thread.join(timeout=5)
    server.close()


def fetch_jobs(review: Path) -> list[int]:
    """Processes of rule scripts working in the review (snakemake's own excluded)."""
    return [
        pid
        for pid in lifeline.other_snakemake_in(review)
        if not lifeline.is_snakemake(lifeline._argv(pid))
    ]


def wait_until(condition, limit: float = 120.0) -> bool:
    """Poll `condition` until it holds (bounded; never a timed assertion)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_fetch_killed_with_sigkill_leaves_no_job_and_no_lock(
    workflow_dir, stalling_server, httpserver, monkeypatch
):
    """snakemake --config search_until=2025-03-31 against a server that never completes a reply,
    killed with SIGKILL while its fetch waits; then the same command against a working server."""
    review = workflow_dir
    monkeypatch.setenv("NCBI_EMAIL", "reviewer@example.org")
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", stalling_server)
    target = "results/search/search_counts.json"
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--directory", str(review)]
    command += ["--config", "search_until=2025-03-31", "--", target]
    first = subprocess.Popen(command, cwd=review, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: fetch_jobs(review)), "the fetch never started"
        assert list((review / ".snakemake/locks").glob("*.lock"))
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
        assert wait_until(lambda: not fetch_jobs(review)), "the fetch outlived snakemake"
    finally:
        if first.poll() is None:
            first.kill()
    windows = review / "resources/searches"
    # nothing stored (an empty folder snakemake made for the output is removed at the next start)
    assert [p.name for p in windows.rglob("*") if not p.is_dir()] == ["README.md"]
    assert not list(windows.glob(".*partial*"))

    fake = FakeEutils(None, articles=ARTICLES)
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", fake.install(httpserver))
    second = subprocess.run(command, cwd=review, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    assert re.search(
        r"\.snakemake/locks/: the lock of an earlier snakemake that was stopped without cleaning "
        r"up \(killed, or a power loss\); no snakemake works in this folder on this machine, so "
        r"the lock was removed and this run goes on",
        second.stderr,
    )
    assert (windows / WA / "search_log.json").is_file()
