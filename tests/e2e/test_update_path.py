"""The living review's update path, end to end through every stage, in a private copy of the
workflow: the committed first version -> a new search window fetched from a local fake
E-utilities server (hand-made PubMed records, so no ../shared is needed) plus a Web of Science
export dropped into it -> dedup -> screening (pending, then two reviewers' decisions, a conflict
and its resolution) -> PRISMA's updated-review diagram -> the new study extracted -> a second
window -> a run with nothing to do -> a fetch that fails and changes nothing.

Every expected number below was worked out by hand from the records and decisions of this file.
"""

import csv
import hashlib
import html
import json
import re
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from tests.e2e.conftest import run_snakemake
from tests.fake_eutils import FakeArticle, FakeEutils, pubmed_article

pytestmark = pytest.mark.e2e

WA = "2024-09-26_2025-03-31"  # v1 searched up to 2024-09-30; windows overlap by 5 days
WB = "2025-03-27_2025-06-30"
WC = "2025-06-26_2025-09-30"  # the window whose fetch fails


def pmid_id(window: str, pmid: str) -> str:
    return f"{window}:pubmed:{pmid}"


A1, A2, A3, A4, A5, A6 = (pmid_id(WA, f"3950000{n}") for n in (1, 2, 3, 4, 5, 7))
A5_AGAIN = pmid_id(WA, "39500006")  # the same article indexed twice in PubMed, same window
A6_IN_WB = pmid_id(WB, "39500007")  # created in the overlap: found again by the next window
WOS1, WOS2, WOS3 = (f"{WA}:wos:WOS:00135000000000{n}" for n in (1, 2, 3))
B1, B2 = pmid_id(WB, "39600001"), pmid_id(WB, "39600002")

A1_TITLE = (
    "Hypertrophic spinal pachymeningitis as the first manifestation of IgG4-related disease: "
    "a case report"
)
A5_FIELDS = dict(
    title="Serum IgG4 in idiopathic hypertrophic pachymeningitis: a multicentre cohort",
    authors=[("Chen", "Wei"), ("Li", "Na")],
    journal="Journal of Neuroimmunology",
    year="2025",
    volume="399",
    pages="578512",
)


# Text from outside is data (issue 24): a PubMed title and journal holding Markdown links and
# images, raw HTML and a table breaker must show as those characters in every output.
HOSTILE_TITLE = (
    "Relapse of IgG4-related pachymeningitis [click here](https://evil.example/phish) "
    "![pixel](https://evil.example/pixel.png) <script>alert(1)</script></table><h1>owned</h1> "
    "after glucocorticoid withdrawal"
)
HOSTILE_JOURNAL = "Internal Medicine | *[x](javascript:alert(1))* <img src=x onerror=alert(2)>"
# markup that must not reach an output: in Markdown unescaped (no backslash before it), in HTML
# at all (as a tag or a link; the characters themselves show escaped)
MARKDOWN_MARKUP = ("<script", "</table>", "<h1>", "<img", "[click here]", "](https://evil", "[x]")
HTML_MARKUP = ("<script", "<h1>owned", "<img", 'href="https://evil', 'href="javascript')


def article(pmid: str, created: date, **fields) -> FakeArticle:
    return FakeArticle(pmid, created, pubmed_article(pmid, **fields))


ARTICLES = [
    article(
        "39500001", date(2024, 10, 14), title=A1_TITLE,
        authors=[("Tanaka", "Akira"), ("Sato", "Kei")], journal="Journal of Neurology",
        year="2024", volume="271", issue="12", pages="7720-7726",
        doi="10.1007/s00415-024-12701-3",
        abstract="A 58-year-old man with progressive paraparesis had thoracic dural thickening.",
    ),
    article(
        "39500002", date(2024, 11, 5),
        title="Thoracic IgG4-related pachymeningitis with cord compression treated with rituximab",
        authors=[("Okafor", "Nneka"), ("Mensah", "Kofi")],
        journal="Modern Rheumatology Case Reports", year="2025", volume="9", issue="1",
        pages="41-45", doi="10.1093/mrcr/rxae061",
    ),
    article(
        "39500003", date(2024, 12, 2),
        title="IgG4-related disease of the central nervous system: a narrative review",
        authors=[("Rossi", "Giulia")], journal="Autoimmunity Reviews", year="2025",
        volume="24", issue="1", pages="103690", doi="10.1016/j.autrev.2024.103690",
        publication_type="Review",
    ),
    article(
        "39500004", date(2025, 1, 9),
        title="Hypertrophic spinal pachymeningitis in granulomatosis with polyangiitis",
        authors=[("Müller", "Jonas")], journal="Clinical Rheumatology", year="2025",
        volume="44", issue="1", pages="210-214", doi="10.1007/s10067-024-07300-1",
    ),
    article("39500005", date(2025, 2, 3), doi="10.1016/j.jneuroim.2025.578512", **A5_FIELDS),
    article("39500006", date(2025, 2, 24), **A5_FIELDS),
    article(
        "39500007", date(2025, 3, 28),
        title="Cervical IgG4-related spinal pachymeningitis mimicking meningioma",
        authors=[("Kowalski", "Piotr")], journal="Neuroradiology", year="2025", volume="67",
        issue="5", pages="955-959", doi="10.1007/s00234-025-03601-2",
    ),
    article(
        "39600001", date(2025, 4, 22), title="Spinal IgG4-related pachymeningitis in a child",
        authors=[("Silva", "Ana")], journal="Pediatric Neurology", year="2025", volume="165",
        pages="12-15", doi="10.1016/j.pediatrneurol.2025.01.002",
    ),
    article(
        "39600002", date(2025, 6, 3), title=HOSTILE_TITLE, authors=[("Nguyen", "Linh")],
        journal=HOSTILE_JOURNAL, year="2025", volume="64", issue="11", pages="1701-1705",
        doi="10.2169/internalmedicine.4521-24",
    ),
]  # fmt: skip

# The reviewer's Web of Science export for window A: A1 (same DOI, upper case), A2 (no DOI:
# matched on its citation) and a record PubMed does not have.
SAVEDRECS = """\
FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Tanaka, A
   Sato, K
AF Tanaka, Akira
   Sato, Kei
TI HYPERTROPHIC SPINAL PACHYMENINGITIS AS THE FIRST MANIFESTATION OF
   IGG4-RELATED DISEASE: A CASE REPORT
SO JOURNAL OF NEUROLOGY
PY 2024
VL 271
IS 12
BP 7720
EP 7726
DI 10.1007/S00415-024-12701-3
UT WOS:001350000000001
ER

PT J
AU Okafor, N
   Mensah, K
AF Okafor, Nneka
   Mensah, Kofi
TI Thoracic IgG4-related pachymeningitis with cord compression treated
   with rituximab
SO MODERN RHEUMATOLOGY CASE REPORTS
PY 2025
VL 9
IS 1
BP 41
EP 45
UT WOS:001350000000002
ER

PT J
AU Haddad, R
AF Haddad, Rami
TI IgG4-related hypertrophic pachymeningitis of the lumbar spine: a case
   report and review of the literature
SO CUREUS JOURNAL OF MEDICAL SCIENCE
PY 2025
VL 17
IS 2
AR e78901
DI 10.7759/cureus.78901
UT WOS:001350000000003
ER

EF
"""

# Exclusion reasons of config/config.yaml
REVIEW = "Review, commentary or guideline without new patients"
NOT_IGG4 = "Not IgG4-related disease"
NOT_CASE = "Not a case report or single-centre study"
INCOMPLETE = "Incomplete clinical report"


# ---------------------------------------------------------------------------------- helpers


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/entrez/eutils"


def digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not str(p.relative_to(folder)).startswith(skip)
    }


def read_json(workdir: Path, name: str) -> dict:
    return json.loads((workdir / "results" / name).read_text(encoding="utf-8"))


def table(workdir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(workdir / "results" / name, sep="\t", dtype=str, keep_default_na=False)


def prisma_counts(workdir: Path) -> dict[str, str]:
    path = workdir / "results/prisma/prisma_counts.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["data"]: row["n"] for row in csv.DictReader(handle) if row["data"] != "NA"}


def drawn(workdir: Path) -> str:
    """The text of the PRISMA diagram's SVG, its wrapped lines joined by spaces."""
    svg = (workdir / "results/prisma/prisma.svg").read_text(encoding="utf-8")
    return " ".join(html.unescape(t.strip()) for t in re.findall(r"<text[^>]*>([^<]*)", svg))


def to_screen(workdir: Path) -> dict[str, list[str]]:
    book = load_workbook(workdir / "results/screening/to_screen.xlsx", read_only=True)
    return {
        stage: [row[0] for row in book[stage].iter_rows(min_row=2, values_only=True) if row[0]]
        for stage in ("title_abstract", "full_text")
    }


def finals(workdir: Path) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(record, stage) -> (status, decision, reason) of the screening log's `final` rows."""
    log = table(workdir, "screening/screening_log.tsv")
    log = log[log["by"] == "final"]
    return {(r.record_id, r.stage): (r.status, r.decision, r.reason) for r in log.itertuples()}


def write_decisions(path: Path, rows: list[tuple[str, ...]]) -> None:
    lines = ["record_id\tdecision\treason\tnote"]
    lines += ["\t".join([*row, *[""] * (4 - len(row))]) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def extract_the_new_study(workdir: Path, template: pd.DataFrame) -> None:
    """What reviewers do with new_studies.xlsx: the study's row into the workbook's `studies`
    sheet, its patient into `cases` (a patient like the last one, with its own values)."""
    path = workdir / "extraction/cases.xlsx"
    book = load_workbook(path)
    study = template.iloc[0]
    studies = book["studies"]
    row = [study[c] for c in ("study_id", "first_author")] + [int(study["year"])]
    row += [study[c] for c in ("title", "journal", "doi", "pmid")]
    studies.append(row)
    cases = book["cases"]
    patient = [cell.value for cell in cases[cases.max_row]]
    patient[:6] = ["C56", study["study_id"], int(study["year"]), "Tanaka et al.", "Male", 58]
    cases.append(patient)
    book.save(path)


def update_config(workdir: Path) -> None:
    """Fast retries for the failing fetch (the same code paths, shorter waits)."""
    path = workdir / "config/config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["search"]["pubmed"].update(max_retries=1, backoff_seconds=0.01, timeout_seconds=5)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------------------------- the path

# what every run writes about itself (results/run_state.json: the state of the last build)
SKIP_RUN_FILES = ("results/logs", "results/benchmarks", ".snakemake", "results/run_state.json")


def test_living_review_update_path(workflow_dir, httpserver, monkeypatch):
    update_config(workflow_dir)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.setenv("NCBI_EMAIL", "reviewer@example.org")
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", closed_port_url())  # any request would fail
    first_version_builds_offline(workflow_dir)

    fake = FakeEutils(None, articles=ARTICLES)
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", fake.install(httpserver))
    window_a_is_fetched_and_screening_waits(workflow_dir, fake)
    an_export_joins_window_a_and_prisma_draws_the_update(workflow_dir)
    counts, template = two_reviewers_decide_window_a(workflow_dir)
    second_window_keeps_every_decision(workflow_dir, fake, counts, template)

    again = run_snakemake(workflow_dir, "--config", "search_until=2025-06-30")
    assert "Nothing to be done" in again.stdout + again.stderr
    assert len(fake.requests) == 4  # nothing asked of the server either

    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", closed_port_url())  # the server is down
    a_failed_fetch_changes_nothing(workflow_dir)


def first_version_builds_offline(review: Path) -> None:
    run_snakemake(review)
    n = prisma_counts(review)
    assert (n["database_results"], n["duplicates"], n["records_screened"]) == ("362", "140", "222")
    assert n["dbr_excluded"] == "Irrelevant records and incomplete reports, 172"
    assert (n["new_studies"], n["total_studies"], n["previous_studies"]) == ("50", "50", "NA")
    svg = drawn(review)
    for text in ("PubMed (n = 162)", "Web of Science (n = 98)", "Embase (n = 102)",
                 "Duplicate records removed (n = 140)", "Records screened (n = 222)",
                 "Irrelevant records and incomplete reports (n = 172)",
                 "Studies included in review (n = 50)", "Patients (n = 55)"):  # fmt: skip
        assert text in svg, text
    assert read_json(review, "screening/counts.json")["update"] is None


def window_a_is_fetched_and_screening_waits(review: Path, fake: FakeEutils) -> None:
    """search_until fetches window A and stores it; its 7 PubMed records (A5 twice) flow
    through dedup (6 unique) into screening, all pending."""
    run_snakemake(review, "--config", "search_until=2025-03-31")
    assert (fake.count("esearch"), fake.count("efetch")) == (1, 1)  # 7 records, one batch
    assert sorted(p.name for p in (review / "resources/searches" / WA).iterdir()) == [
        f"pubmed_efetch_{WA}_0001.xml", "pubmed_esearch.xml", "search_log.json",
    ]  # fmt: skip
    dedup_a = read_json(review, "dedup/dedup_counts.json")["windows"][1]
    assert (dedup_a["records"], dedup_a["duplicates_removed"], dedup_a["unique_records"]) == (
        7, 1, 6
    )  # fmt: skip
    assert to_screen(review) == {"title_abstract": [A1, A2, A3, A4, A5, A6], "full_text": []}
    assert read_json(review, "screening/counts.json")["update"]["records_pending"] == 6


def an_export_joins_window_a_and_prisma_draws_the_update(review: Path) -> None:
    """The reviewer drops the Web of Science export into the window: 3 more records, 2 of
    them PubMed's. 10 records - 3 duplicates (WoS1, WoS2, A5 again) = 7, all pending."""
    (review / "resources/searches" / WA / "savedrecs.txt").write_text(SAVEDRECS, encoding="utf-8")
    run_snakemake(review)
    window = read_json(review, "search/search_counts.json")["windows"][1]
    assert window["databases"] == {"PubMed": 7, "Web of Science": 3, "Embase": None}
    dedup_a = read_json(review, "dedup/dedup_counts.json")["windows"][1]
    assert (dedup_a["records"], dedup_a["duplicates_removed"], dedup_a["unique_records"]) == (
        10, 3, 7
    )  # fmt: skip
    assert dedup_a["duplicates_removed_within_window"] == 3
    removed = table(review, "dedup/duplicates.tsv").set_index("record_id")["merged_into"]
    assert removed.to_dict() == {WOS1: A1, WOS2: A2, A5_AGAIN: A5}
    unique = table(review, "dedup/unique_records.tsv").set_index("record_id")
    assert list(unique.index) == [A1, A2, A3, A4, A5, A6, WOS3]
    assert unique.loc[A1, "member_ids"] == f"{A1};{WOS1}"
    assert unique.loc[A1, "wos_ut"] == "WOS:001350000000001"

    counts = read_json(review, "screening/counts.json")
    update = counts["update"]
    assert (update["records_screened"], update["records_excluded"], update["records_pending"]) == (
        0, 0, 7
    )  # fmt: skip
    assert (update["reports_sought"], update["studies_included"]) == (0, 0)
    assert counts["per_window"][WA]["records_pending"] == 7
    assert to_screen(review) == {"title_abstract": [A1, A2, A3, A4, A5, A6, WOS3], "full_text": []}
    exported = pd.read_csv(review / "results/screening/asreview/to_screen.csv", dtype=str)
    assert list(exported["reviewflow_record_id"]) == [A1, A2, A3, A4, A5, A6, WOS3]

    n = prisma_counts(review)
    assert (n["previous_studies"], n["previous_reports"]) == ("50", "50")
    assert (n["database_results"], n["duplicates"], n["records_screened"]) == ("10", "3", "0")
    assert (n["records_excluded"], n["dbr_sought_reports"], n["dbr_assessed"]) == ("0", "0", "0")
    assert n["dbr_excluded"] == "0"
    assert (n["new_studies"], n["total_studies"], n["total_reports"]) == ("0", "50", "50")
    svg = drawn(review)
    for text in ("Previous studies", "Identification of new studies via databases",
                 "Databases (n = 10)", "PubMed (n = 7)", "Web of Science (n = 3)",
                 "Search dates: 2024-09-26 to 2025-03-31", "Duplicate records removed (n = 3)",
                 "Records screened (n = 0)", "Records awaiting screening (n = 7)",
                 "Total studies included in review (n = 50)", "Patients (n = 55)"):  # fmt: skip
        assert text in svg, text
    assert "Embase" not in svg  # not searched in the window: not drawn, nor "not reported"


def two_reviewers_decide_window_a(review: Path) -> tuple[dict, pd.DataFrame]:
    """Title/abstract: A4 is a conflict that a resolution settles, WOS3 waits for a second
    reviewer. Full text: A1 included, A2 excluded, A6 not decided yet."""
    reviewers = review / "extraction/screening"
    write_decisions(reviewers / "title_abstract_alice.tsv", [
        (A1, "include"), (A2, "include"), (A3, "exclude", REVIEW), (A4, "exclude", NOT_IGG4),
        (A5, "exclude", NOT_CASE), (A6, "include"), (WOS3, "include"),
    ])  # fmt: skip
    write_decisions(reviewers / "title_abstract_bob.tsv", [
        (A1, "include"), (A2, "maybe"), (A3, "exclude", REVIEW), (A4, "include"),
        (A5, "exclude", NOT_CASE), (A6, "include"),
    ])  # fmt: skip
    write_decisions(
        reviewers / "title_abstract_resolution.tsv",
        [(A4, "exclude", NOT_IGG4, "vasculitis, not IgG4-related")],
    )
    for reviewer in ("alice", "bob"):
        write_decisions(
            reviewers / f"full_text_{reviewer}.tsv", [(A1, "include"), (A2, "exclude", INCOMPLETE)]
        )
    run_snakemake(review)

    assert finals(review) == {
        (A1, "title_abstract"): ("decided", "include", ""),
        (A1, "full_text"): ("decided", "include", ""),
        (A2, "title_abstract"): ("decided", "include", ""),  # include + maybe agree
        (A2, "full_text"): ("decided", "exclude", INCOMPLETE),
        (A3, "title_abstract"): ("decided", "exclude", REVIEW),
        (A4, "title_abstract"): ("decided", "exclude", NOT_IGG4),  # the resolution
        (A5, "title_abstract"): ("decided", "exclude", NOT_CASE),
        (A6, "title_abstract"): ("decided", "include", ""),
        (A6, "full_text"): ("pending", "", ""),
        (WOS3, "title_abstract"): ("pending", "", ""),
    }
    conflicts = table(review, "screening/conflicts.tsv")
    assert conflicts[["record_id", "stage", "kind", "resolved", "resolution"]].values.tolist() == [
        [A4, "title_abstract", "decision", "yes", f"exclude ({NOT_IGG4})"]
    ]
    assert conflicts.loc[0, "decisions"] == f"alice: exclude ({NOT_IGG4}); bob: include"
    # title/abstract: 6 records both decided, 5 agree; alice 3 include/3 exclude, bob 4/2:
    # chance agreement 3/6*4/6 + 3/6*2/6 = 1/2, kappa = (5/6 - 1/2) / (1 - 1/2) = 2/3
    assert table(review, "screening/agreement.tsv").values.tolist() == [
        ["title_abstract", "alice", "bob", "6", "5", "0.8333", "0.6667"],
        ["full_text", "alice", "bob", "2", "2", "1.0", "1.0"],
    ]
    counts = read_json(review, "screening/counts.json")
    assert round(counts["agreement"]["title_abstract"]["kappa"], 4) == 0.6667
    assert counts["update"] == {
        "records_screened": 6, "records_excluded": 3, "records_pending": 1,
        "reports_sought": 3, "reports_not_retrieved": 0, "reports_pending": 1,
        "reports_assessed": 2, "reports_excluded": [{"reason": INCOMPLETE, "n": 1}],
        "studies_included": 1, "reports_included": 1, "records_previously_included": 0,
    }  # fmt: skip
    assert to_screen(review) == {"title_abstract": [WOS3], "full_text": [A6]}

    n = prisma_counts(review)
    assert (n["database_results"], n["duplicates"], n["records_screened"]) == ("10", "3", "6")
    assert (n["records_excluded"], n["dbr_sought_reports"], n["dbr_notretrieved_reports"]) == (
        "3", "3", "0"
    )  # fmt: skip
    assert (n["dbr_assessed"], n["dbr_excluded"]) == ("2", f"{INCOMPLETE}, 1")
    assert (n["new_studies"], n["new_reports"], n["total_studies"]) == ("1", "1", "51")
    svg = drawn(review)
    for text in ("Records screened (n = 6)", "Records awaiting screening (n = 1)",
                 "Records excluded (n = 3)", "Reports sought for retrieval (n = 3)",
                 "Reports assessed for eligibility (n = 2)", "Reports awaiting assessment (n = 1)",
                 f"{INCOMPLETE} (n = 1)", "New studies included in review (n = 1)",
                 "Total studies included in review (n = 51)", "Patients (n = 55)",
                 "New studies awaiting data extraction (n = 1)"):  # fmt: skip
        assert text in svg, text

    template = table(review, "screening/new_studies.tsv")
    assert template.values.tolist() == [
        ["S51", "Tanaka", "2024", A1_TITLE, "Journal of Neurology",
         "10.1007/s00415-024-12701-3", "39500001", A1, WA],
    ]  # fmt: skip
    return counts, template


def second_window_keeps_every_decision(
    review: Path, fake: FakeEutils, counts: dict, template: pd.DataFrame
) -> None:
    """The reviewers extract the new study; the search is updated again: window B finds A6
    again (created in the overlap) and two new records. Every earlier decision, log row,
    reviewer file and stored file stays byte for byte what it was."""
    reviewers = review / "extraction/screening"
    extract_the_new_study(review, template)
    reviewer_files = digest(reviewers)
    window_a_files = digest(review / "resources/searches" / WA)
    log_before = (review / "results/screening/screening_log.tsv").read_bytes()
    pull_request_text = reviewflow_update(review, "2025-06-30")
    outside_text_is_data(review, pull_request_text)

    assert (fake.count("esearch"), fake.count("efetch")) == (2, 2)
    windows = read_json(review, "dedup/dedup_counts.json")["windows"]
    dedup_a, dedup_b = windows[1], windows[2]
    assert (dedup_b["window"], dedup_b["records"], dedup_b["duplicates_removed"]) == (WB, 3, 1)
    assert (dedup_b["duplicates_removed_of_earlier_records"], dedup_b["unique_records"]) == (1, 2)
    assert (dedup_a["duplicates_removed"], dedup_a["unique_records"]) == (3, 7)  # as before
    assert dedup_a["unique_records_matching_included_studies"] == 1  # A1 is study S51 now
    unique = table(review, "dedup/unique_records.tsv").set_index("record_id")
    assert list(unique.index) == [A1, A2, A3, A4, A5, A6, WOS3, B1, B2]
    assert unique.loc[A6, "member_ids"] == f"{A6};{A6_IN_WB}"
    assert unique.loc[A1, "matches_included_study"] == "S51"

    log_after = (review / "results/screening/screening_log.tsv").read_bytes()
    assert log_after.startswith(log_before) and log_after != log_before  # new rows at the end
    assert digest(reviewers) == reviewer_files
    assert digest(review / "resources/searches" / WA) == window_a_files
    after = read_json(review, "screening/counts.json")
    assert after["per_window"][WA] == counts["per_window"][WA]
    assert after["per_window"][WB]["records_pending"] == 2
    update = after["update"]
    assert (update["records_screened"], update["records_pending"], update["studies_included"]) == (
        6, 3, 1
    )  # fmt: skip
    assert to_screen(review) == {"title_abstract": [WOS3, B1, B2], "full_text": [A6]}
    assert table(review, "screening/new_studies.tsv").empty  # S51 is in the workbook now

    n = prisma_counts(review)
    assert (n["database_results"], n["duplicates"], n["records_screened"]) == ("13", "4", "6")
    assert (n["records_excluded"], n["dbr_assessed"], n["total_studies"]) == ("3", "2", "51")
    svg = drawn(review)
    for text in ("Databases (n = 13)", "PubMed (n = 10)", "Web of Science (n = 3)",
                 "Search dates: 2024-09-26 to 2025-06-30", "Duplicate records removed (n = 4)",
                 "Records awaiting screening (n = 3)",
                 "Total studies included in review (n = 51)", "Patients (n = 56)"):  # fmt: skip
        assert text in svg, text
    assert "awaiting data extraction" not in svg


def reviewflow_update(review: Path, until: str) -> str:
    """`reviewflow update --until <until>` in the review's folder; the pull request text it
    prints."""
    command = "import sys; from reviewflow.cli import main; sys.exit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", command, "update", "--until", until, "--cores", "2"],
        cwd=review, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def outside_text_is_data(review: Path, pull_request_text: str) -> None:
    """B2's hostile title and journal: in every Markdown and HTML output (and the pull request
    text) as escaped characters, never as a link, an image, a script or a broken table."""
    outputs = {
        str(path.relative_to(review)): path.read_text(encoding="utf-8")
        for path in sorted((review / "results").rglob("*"))
        if path.suffix in (".md", ".html") and "logs" not in path.parts
    }
    outputs["reviewflow update's pull request text"] = pull_request_text
    shown = [name for name, text in outputs.items() if "glucocorticoid withdrawal" in text]
    for name in ("results/living/update_digest.md", "results/living/update_digest.html",
                 "results/living/whats_new.md", "results/living/whats_new.html",
                 "reviewflow update's pull request text"):  # fmt: skip
        assert name in shown, name
    for name in shown:
        if name.endswith(".html"):
            for markup in HTML_MARKUP:
                assert markup not in outputs[name], (name, markup)
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outputs[name], name
            assert "[click here](https://evil.example/phish)" in outputs[name], name
        else:
            for markup in MARKDOWN_MARKUP:
                unescaped = re.search(r"(?<!\\)" + re.escape(markup), outputs[name])
                assert unescaped is None, (name, markup)
            assert "\\<script\\>alert(1)\\</script\\>" in outputs[name], name
            assert "\\[click here\\](https://evil.example/phish)" in outputs[name], name
    digest_md = (review / "results/living/update_digest.md").read_text(encoding="utf-8")
    assert digest_md.strip() in pull_request_text
    row = next(line for line in digest_md.splitlines() if "glucocorticoid withdrawal" in line)
    assert row.count(" | ") == 3  # the table's four cells: the title's "|" does not split it


def a_failed_fetch_changes_nothing(review: Path) -> None:
    """Every stored window, reviewer file and result stays as it was; the error says so."""
    before = digest(review, skip=SKIP_RUN_FILES)
    failed = run_snakemake(review, "--config", "search_until=2025-09-30", check=False)
    assert failed.returncode != 0
    state = json.loads((review / "results" / "run_state.json").read_text(encoding="utf-8"))
    assert state["state"] == "failed"  # recorded as failed: no report until a build succeeds
    assert f"window {WC} not fetched, nothing stored" in failed.stderr
    assert digest(review, skip=SKIP_RUN_FILES) == before
    searches = review / "resources/searches"
    assert sorted(p.name for p in searches.iterdir()) == sorted(["README.md", WA, WB])
