"""The first version's reported counts: one reader, every problem located at once."""

from datetime import date
from pathlib import Path

import pytest

from reviewflow.core.errors import InputProblems
from reviewflow.core.first_version import read_first_version

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_file_reads_with_every_section_and_null_kept():
    first = read_first_version(REPO / "config" / "first_version.yaml")
    assert first["search"]["until"] == date(2024, 9, 30)
    assert first["search"]["records_total"] == 362
    assert [d["records"] for d in first["search"]["databases"]] == [162, 98, 102]
    assert first["dedup"]["duplicates_removed"] == 140
    assert first["screening"]["records_excluded"] is None  # not reported, never 0
    assert first["screening"]["records_pending"] is None  # absent from the file: not reported
    assert first["included"] == {"studies": 50, "reports": 50, "patients": 55}


def test_a_minimal_file_gets_every_section(tmp_path):
    path = tmp_path / "first_version.yaml"
    path.write_text("search:\n  until: 2020-01-31\n", encoding="utf-8")
    first = read_first_version(path)
    assert first["dedup"] == {"duplicates_removed": None}
    assert first["screening"]["reports_excluded"] is None  # not reported: never an empty list
    assert first["included"]["patients"] is None


def test_every_problem_is_listed_at_once_and_located(tmp_path):
    path = tmp_path / "first_version.yaml"
    path.write_text(
        "search:\n"
        "  until: September 2024\n"
        "  databases:\n"
        "    - {name: PubMed, records: many}\n"
        "  records_total: -1\n"
        "dedup:\n"
        "  duplicates_removed: 1.5\n"
        "  removed: 3\n"
        "screening:\n"
        "  reports_excluded:\n"
        "    - {reason: Not a case, n: two}\n"
        "included:\n"
        "  patients: true\n"
        "extra: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputProblems) as caught:
        read_first_version(path)
    assert sorted(caught.value.problems) == sorted(
        f"{path}: {problem}"
        for problem in (
            "extra: unknown key: one of source, search, dedup, screening, included",
            "dedup.removed: unknown key: one of duplicates_removed",
            "search.records_total: -1: a whole number or null",
            "dedup.duplicates_removed: 1.5: a whole number or null",
            "included.patients: True: a whole number or null",
            "search.until: 'September 2024': a date (YYYY-MM-DD): the last day the first "
            "version's search covered",
            "search.databases[1].records: 'many': a whole number or null",
            "screening.reports_excluded[1].n: 'two': a whole number or null",
        )
    )


def test_a_duplicate_key_is_refused_by_the_strict_reader(tmp_path):
    path = tmp_path / "first_version.yaml"
    path.write_text("search:\n  until: 2020-01-31\n  until: 2021-01-31\n", encoding="utf-8")
    with pytest.raises(InputProblems, match="until"):
        read_first_version(path)
