"""The screening rules end to end, on hand-made upstream files placed in a temporary copy of the
workflow (results/dedup/unique_records.tsv, results/extraction/studies.tsv).

`run_screening` restricts snakemake to the screening rules, so that these tests keep testing this
stage once the upstream rules exist; the full update path (search with a fake server -> dedup ->
screening) builds on `place_upstream` and `run_screening`.
"""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from reviewflow.core.io import write_table

from ..unit.test_screening import W1, W2, make_records, rid, write_decisions
from .conftest import run_snakemake

pytestmark = pytest.mark.e2e

SCREENING_RULES = ["screening"]
OUT = "results/screening"
TARGETS = [
    f"{OUT}/counts.json",
    f"{OUT}/to_screen.xlsx",
    f"{OUT}/asreview/to_screen.csv",
    f"{OUT}/new_studies.tsv",
]
TA = "Not relevant to the review question"  # reasons of config/config.yaml
FT = "Incomplete clinical report"


def place_upstream(workdir: Path, records: pd.DataFrame, studies: int = 50) -> None:
    """What dedup and extraction hand to screening (ARCHITECTURE.md contracts)."""
    write_table(records, workdir / "results" / "dedup" / "unique_records.tsv")
    related = pd.DataFrame(columns=["record_id_1", "record_id_2", "relation"])
    write_table(related, workdir / "results" / "dedup" / "related_versions.tsv")
    rows = [
        {
            "study_id": f"S{n:02d}",
            "first_author": f"Author{n}",
            "year": "2015",
            "title": f"Case {n}",
            "journal": "J",
            "doi": f"10.5555/v1.{n}",
            "pmid": "",
        }
        for n in range(1, studies + 1)
    ]
    write_table(pd.DataFrame(rows), workdir / "results" / "extraction" / "studies.tsv")


def run_screening(workdir: Path, check: bool = True):
    return run_snakemake(workdir, *TARGETS, "--allowed-rules", *SCREENING_RULES, check=check)


def counts(workdir: Path) -> dict:
    return json.loads((workdir / OUT / "counts.json").read_text())


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_committed_repository_gives_the_first_versions_counts(workflow_dir):
    place_upstream(workflow_dir, make_records(W1, []))  # no search window yet: header only
    run_screening(workflow_dir)
    result = counts(workflow_dir)
    previous = result["previous_version"]
    assert previous["records_screened"] == 222
    assert previous["reports_excluded"] == [
        {"reason": "Irrelevant records and incomplete reports", "n": 172}
    ]
    assert previous["studies_included"] == 50 and previous["records_excluded"] is None
    assert result["update"] is None and result["per_window"] == {}
    assert result["workbook"]["studies_in_workbook"] == 50
    book = load_workbook(workflow_dir / OUT / "to_screen.xlsx")
    assert book["title_abstract"].max_row == 1  # header only
    assert (workflow_dir / OUT / "new_studies.tsv").read_text().count("\n") == 1
    assert (workflow_dir / "results/logs/screening/screening.log").exists()


def test_update_decisions_bad_input_and_a_second_update(workflow_dir):
    folder = workflow_dir / "extraction" / "screening"
    window1 = make_records(W1, [1, 2, 3])
    place_upstream(workflow_dir, window1)
    r1, r2, r3 = (rid(W1, n) for n in [1, 2, 3])
    for reviewer in ("alice", "bob"):
        write_decisions(
            folder / f"title_abstract_{reviewer}.tsv",
            [
                (r1, "include"),
                (r2, "exclude", TA),
                (r3, "include" if reviewer == "alice" else "maybe"),
            ],
        )
        write_decisions(
            folder / f"full_text_{reviewer}.tsv", [(r1, "include"), (r3, "exclude", FT)]
        )
    run_screening(workflow_dir)
    update = counts(workflow_dir)["update"]
    assert (update["records_screened"], update["records_excluded"], update["records_pending"]) == (
        3,
        1,
        0,
    )
    assert update["reports_excluded"] == [{"reason": FT, "n": 1}]
    assert update["studies_included"] == 1
    new_studies = pd.read_csv(workflow_dir / OUT / "new_studies.tsv", sep="\t", dtype=str)
    assert list(new_studies["record_id"]) == [r1] and new_studies.loc[0, "study_id"] == "S51"
    log = (workflow_dir / OUT / "screening_log.tsv").read_text().splitlines()
    reviewer_files = digests(folder)

    # Bad input: every problem reported with file, line and value; nothing written.
    write_decisions(
        folder / "title_abstract_carol.tsv",
        [
            (r1, "exclude", "Boring"),
            ("nope", "include"),
            (r2, "exclude"),
            (r3, "include"),
            (r3, "maybe"),
        ],
    )
    failed = run_screening(workflow_dir, check=False)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "4 problems, nothing was written" in output
    for fragment in [
        "title_abstract_carol.tsv, line 2: reason 'Boring' is not one of",
        "title_abstract_carol.tsv, line 3: record_id 'nope' is not a record",
        f"title_abstract_carol.tsv, line 4: record '{r2}' is excluded without a reason",
        f"title_abstract_carol.tsv, line 6: carol decided record '{r3}' twice",
    ]:
        assert fragment in output
    assert "Not IgG4-related disease" in output  # what is allowed
    # snakemake removed the stale outputs of the failed job; none was written half-way
    assert not (workflow_dir / OUT / "counts.json").exists()
    assert not list((workflow_dir / OUT).glob(".*.tmp"))
    (folder / "title_abstract_carol.tsv").unlink()

    # A second update adds records: they are pending; every earlier decision is unchanged.
    place_upstream(workflow_dir, pd.concat([window1, make_records(W2, [4, 5])]))
    run_screening(workflow_dir)
    result = counts(workflow_dir)
    assert result["per_window"][W2]["records_pending"] == 2
    assert result["per_window"][W1]["records_screened"] == 3
    again = (workflow_dir / OUT / "screening_log.tsv").read_text().splitlines()
    assert again[: len(log)] == log
    assert digests(folder) == reviewer_files
    book = load_workbook(workflow_dir / OUT / "to_screen.xlsx")
    assert [row[0] for row in book["title_abstract"].iter_rows(min_row=2, values_only=True)] == [
        rid(W2, 4),
        rid(W2, 5),
    ]
    exported = pd.read_csv(workflow_dir / OUT / "asreview/to_screen.csv", dtype=str)
    assert list(exported["reviewflow_record_id"]) == [rid(W2, 4), rid(W2, 5)]
