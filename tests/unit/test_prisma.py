"""PRISMA 2020 flow: counts from hand-made stage files, every arithmetic check, the app's CSV
layout, the diagram's text ("not reported", every number) and its measured layout."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewflow.core.errors import InputProblems
from reviewflow.prisma import diagram, outputs
from reviewflow.prisma import flow as prisma
from reviewflow.prisma.flow import Count, DatasetSummary

UPDATE = "2024-10-01_2025-06-30"


# ---------------------------------------------------------------- hand-made stage files


def first_version_search() -> dict:
    return {
        "windows": [
            {
                "window": "v1",
                "reported": True,
                "from": None,
                "until": "2024-09-30",
                "databases": {"PubMed": 162, "Web of Science": 98, "Embase": 102},
            }
        ]
    }


def first_version_dedup() -> dict:
    return {
        "windows": [
            {
                "window": "v1",
                "reported": True,
                "records": 362,
                "duplicates_removed": 140,
                "unique_records": 222,
            }
        ]
    }


def first_version_screening() -> dict:
    return {
        "previous_version": {
            "records_screened": 222,
            "records_excluded": None,
            "records_pending": 0,
            "reports_sought": None,
            "reports_not_retrieved": None,
            "reports_pending": 0,
            "reports_assessed": None,
            "reports_excluded": [{"reason": "Irrelevant records and incomplete reports", "n": 172}],
            "studies_included": 50,
            "reports_included": 50,
        },
        "update": None,
        "per_window": {},
        "agreement": {},
    }


def updated_inputs() -> tuple[dict, dict, dict]:
    """The first version plus one update window whose counts all add up."""
    search, dedup, screening = (
        first_version_search(),
        first_version_dedup(),
        first_version_screening(),
    )
    search["windows"].append(
        {
            "window": UPDATE,
            "reported": False,
            "from": "2024-10-01",
            "until": "2025-06-30",
            "databases": {"PubMed": 21, "Web of Science": 9, "Embase": 14},
        }
    )
    dedup["windows"].append(
        {
            "window": UPDATE,
            "reported": False,
            "records": 44,
            "duplicates_removed": 16,
            "unique_records": 28,
        }
    )
    screening["update"] = {
        "records_screened": 26,
        "records_excluded": 20,
        "records_pending": 2,
        "reports_sought": 6,
        "reports_not_retrieved": 1,
        "reports_pending": 0,
        "reports_assessed": 5,
        "reports_excluded": [
            {"reason": "Not IgG4-related disease", "n": 1},
            {"reason": "No spinal involvement", "n": 1},
        ],
        "studies_included": 3,
        "reports_included": 3,
        "records_previously_included": 0,
    }
    return search, dedup, screening


def cases_csv(patients: int, studies: int) -> str:
    """A dataset with `patients` rows over `studies` study ids (the first studies get one each)."""
    rows = ["case_id,study_id,sex"]
    for i in range(patients):
        rows.append(f"C{i + 1:03d},S{min(i, studies - 1) + 1:03d},female")
    return "\n".join(rows) + "\n"


def write_upstream(root: Path, *, updated: bool = False) -> None:
    """The four contract files of the stages before prisma, under `root`/results."""
    if updated:
        search, dedup, screening = updated_inputs()
        patients, studies = 59, 53
    else:
        search, dedup, screening = (
            first_version_search(),
            first_version_dedup(),
            first_version_screening(),
        )
        patients, studies = 55, 50
    for rel, data in (
        ("results/search/search_counts.json", search),
        ("results/dedup/dedup_counts.json", dedup),
        ("results/screening/counts.json", screening),
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(data, indent=2), encoding="utf-8")
    (root / "results/dataset").mkdir(parents=True, exist_ok=True)
    (root / "results/dataset/cases.csv").write_text(cases_csv(patients, studies), encoding="utf-8")


def flow_of(search, dedup, screening, patients=55, studies=50) -> prisma.Flow:
    return prisma.build_flow(
        title="test review",
        search=search,
        dedup=dedup,
        screening=screening,
        dataset=DatasetSummary(patients, studies, "results/dataset/cases.csv"),
        previous_patients=Count(55, "config/first_version.yaml: included.patients"),
    )


def first_version_flow() -> prisma.Flow:
    return flow_of(first_version_search(), first_version_dedup(), first_version_screening())


def updated_flow() -> prisma.Flow:
    return flow_of(*updated_inputs(), patients=59, studies=53)


def by_name(checks):
    return {c.name: c for c in checks}


# ---------------------------------------------------------------- reading the counts


def test_first_version_is_a_new_review_with_its_reported_counts():
    flow = first_version_flow()
    assert not flow.updated
    ident, screen = flow.identification, flow.screening
    assert [(name, c.value) for name, c in ident.databases] == [
        ("PubMed", 162),
        ("Web of Science", 98),
        ("Embase", 102),
    ]
    assert ident.records.value == 362
    assert ident.duplicates.value == 140
    assert ident.period == "up to 2024-09-30"
    assert screen.records_screened.value == 222
    assert screen.records_excluded.value is None  # not reported, never 0
    assert [(r.reason, r.count.value) for r in screen.reports_excluded] == [
        ("Irrelevant records and incomplete reports", 172)
    ]
    assert (flow.total_studies.value, flow.total_reports.value) == (50, 50)
    assert flow.patients.value == 55
    assert flow.reported_windows == ("v1",)
    assert screen.records_excluded.source == (
        "results/screening/counts.json: previous_version.records_excluded"
    )


def test_an_update_window_gives_an_updated_review():
    flow = updated_flow()
    assert flow.updated
    assert flow.identification.windows == (UPDATE,)
    assert flow.identification.records.value == 44
    assert flow.identification.period == "2024-10-01 to 2025-06-30"
    assert flow.previous.screening.studies_included.value == 50
    assert flow.previous.patients.value == 55
    assert flow.screening.studies_included.value == 3
    assert (flow.total_studies.value, flow.total_reports.value) == (53, 53)
    assert flow.patients.value == 59


def test_update_windows_are_summed_per_database():
    search, dedup, screening = updated_inputs()
    later = "2025-07-01_2025-12-31"
    search["windows"].append(
        {
            "window": later,
            "from": "2025-07-01",
            "until": "2025-12-31",
            "databases": {"PubMed": 4, "Embase": 1},
        }
    )
    dedup["windows"].append(
        {"window": later, "records": 5, "duplicates_removed": 1, "unique_records": 4}
    )
    screening["update"]["records_screened"] += 4
    screening["update"]["records_excluded"] += 4
    flow = flow_of(search, dedup, screening, patients=59, studies=53)
    assert dict((n, c.value) for n, c in flow.identification.databases) == {
        "PubMed": 25,
        "Web of Science": 9,  # not searched in the later window: nothing found there
        "Embase": 15,
    }
    assert flow.identification.period == "2024-10-01 to 2025-12-31"
    assert all(c.status != "failed" for c in prisma.check_flow(flow))


def test_a_database_not_searched_in_a_stored_window_is_left_out_not_unreported():
    """search_counts.json writes null for a database with no export in a stored window (not
    searched there); only in a reported window (v1) does null mean "not reported"."""
    search, dedup, screening = updated_inputs()
    search["windows"][0]["databases"]["Embase"] = None  # the article did not report it
    search["windows"][1]["databases"]["Embase"] = None  # no Embase export in the window
    dedup["windows"][1].update(records=30, duplicates_removed=2)
    flow = flow_of(search, dedup, screening, patients=59, studies=53)
    ident = flow.identification
    assert [(n, c.value) for n, c in ident.databases] == [("PubMed", 21), ("Web of Science", 9)]
    assert ident.records.value == 30
    assert flow.previous.identification.records.value is None  # v1: not reported
    checks = by_name(prisma.check_flow(flow))
    assert checks["update: databases add up to the records deduplicated"].status == "ok"
    assert checks["update: identified - removed before screening = screened"].status == "ok"
    assert prisma.csv_values(flow)["database_results"] == "30"
    lines = [line.text for line in diagram.identification_lines(flow)]
    assert "Databases (n = 30)" in lines and not any("Embase" in t for t in lines)


def test_records_of_included_studies_nobody_screened_are_removed_as_duplicates():
    """Deduplication keeps a record that matches an included study as a unique record;
    screening says whether it was screened (a reviewer decided it) or not (previously included,
    removed before screening with the duplicates)."""
    search, dedup, screening = updated_inputs()
    dedup["windows"][1].update(duplicates_removed=15, unique_records=29)
    screening["update"]["records_previously_included"] = 1
    flow = flow_of(search, dedup, screening, patients=59, studies=53)
    ident = flow.identification
    assert (ident.duplicates.value, ident.already_included.value) == (15, 1)
    assert ident.removed_duplicates.value == 16
    checks = by_name(prisma.check_flow(flow))
    assert checks["update: deduplication adds up"].status == "ok"  # 44 - 15 = 29
    check = checks["update: identified - removed before screening = screened"]
    assert check.status == "ok" and "Duplicate records removed (n = 16)" in check.detail
    assert prisma.csv_values(flow)["duplicates"] == "16"
    assert "Duplicate records removed (n = 16)" in [
        line.text for line in diagram.removed_lines(flow)
    ]
    # a record of an included study that reviewers screened is screened, not removed
    screening["update"].update(records_previously_included=0, records_screened=27)
    screening["update"].update(records_excluded=21)
    flow = flow_of(search, dedup, screening, patients=59, studies=53)
    assert all(c.status != "failed" for c in prisma.check_flow(flow))
    assert prisma.csv_values(flow)["duplicates"] == "15"
    del screening["update"]["records_previously_included"]
    with pytest.raises(InputProblems, match="key 'records_previously_included' is missing"):
        flow_of(search, dedup, screening)


def test_read_dataset_counts_patients_and_studies(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(cases_csv(55, 50))
    summary = prisma.read_dataset(path)
    assert (summary.patients, summary.studies) == (55, 50)


def test_read_dataset_names_missing_column_and_empty_ids(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,sex\nC1,male\n")
    with pytest.raises(InputProblems, match="no column 'study_id'"):
        prisma.read_dataset(path)
    path.write_text("case_id,study_id\nC1,S1\nC2,\nC3, \n")
    with pytest.raises(InputProblems) as err:
        prisma.read_dataset(path)
    assert "line 3: study_id is empty" in str(err.value)
    assert "line 4: study_id is empty" in str(err.value)


def test_first_version_patients_come_from_its_reported_counts(tmp_path, repo):
    assert prisma.read_first_version_patients(repo / "config/first_version.yaml").value == 55
    path = tmp_path / "fv.yaml"
    path.write_text("search:\n  until: 2024-01-31\nincluded:\n  patients: null\n")
    assert prisma.read_first_version_patients(path).value is None
    path.write_text("search:\n  until: 2024-01-31\nincluded:\n  patients: many\n")
    with pytest.raises(InputProblems, match="included.patients: 'many'"):
        prisma.read_first_version_patients(path)


def test_bad_counts_are_all_reported_at_once_with_key_and_value():
    screening = first_version_screening()
    screening["previous_version"]["records_screened"] = -3
    screening["previous_version"]["reports_sought"] = "12"
    del screening["previous_version"]["studies_included"]
    with pytest.raises(InputProblems) as err:
        flow_of(first_version_search(), first_version_dedup(), screening)
    text = str(err.value)
    assert text.startswith("results/screening/counts.json: 3 problems")
    assert "previous_version.records_screened: -3: must be a whole number >= 0" in text
    assert "previous_version.reports_sought: '12'" in text
    assert "key 'studies_included' is missing (write null" in text


def test_problems_in_search_and_dedup_counts_come_together():
    search, dedup = first_version_search(), first_version_dedup()
    search["windows"][0]["databases"]["Embase"] = 10.5
    dedup["windows"][0]["records"] = "362"
    with pytest.raises(InputProblems) as err:
        flow_of(search, dedup, first_version_screening())
    assert err.value.problems == [
        "results/search/search_counts.json: windows[0].databases.Embase: 10.5: must be a whole "
        "number >= 0, or null (not reported)",
        "results/dedup/dedup_counts.json: windows[0].records: '362': must be a whole number "
        ">= 0, or null (not reported)",
    ]


def test_a_bool_is_not_a_count():
    dedup = first_version_dedup()
    dedup["windows"][0]["duplicates_removed"] = True
    with pytest.raises(InputProblems, match="duplicates_removed: True"):
        flow_of(first_version_search(), dedup, first_version_screening())


def test_search_and_dedup_must_cover_the_same_windows():
    search, _, screening = updated_inputs()
    with pytest.raises(InputProblems, match="both stages must cover the same windows"):
        flow_of(search, first_version_dedup(), screening)


def test_update_windows_need_update_counts_and_the_reverse():
    search, dedup, screening = updated_inputs()
    screening["update"] = None
    with pytest.raises(InputProblems, match=r"'update' is null, but .* \(2024-10-01_2025-06-30\)"):
        flow_of(search, dedup, screening)
    _, _, screening = updated_inputs()
    with pytest.raises(InputProblems, match="no window after v1"):
        flow_of(first_version_search(), first_version_dedup(), screening)


def test_malformed_reasons_are_named():
    screening = first_version_screening()
    screening["previous_version"]["reports_excluded"] = [{"n": 3}, {"reason": "x", "n": -1}]
    with pytest.raises(InputProblems) as err:
        flow_of(first_version_search(), first_version_dedup(), screening)
    assert "reports_excluded[0]: {'n': 3}: needs a non-empty 'reason'" in str(err.value)
    assert "reports_excluded[1].n: -1" in str(err.value)


def test_invalid_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "counts.json"
    path.write_text('{"windows": [\n  {"window": "v1",}\n]}')
    with pytest.raises(InputProblems, match=r"counts.json: 1 problem.*\n  line 2: not valid JSON"):
        prisma.read_json(path)


# ---------------------------------------------------------------- arithmetic checks


def test_first_version_checks_pass_and_skip_what_was_not_reported():
    checks = by_name(prisma.check_flow(first_version_flow()))
    assert checks["identified - removed before screening = screened"].status == "ok"
    assert checks["databases add up to the records deduplicated"].status == "ok"
    skipped = checks["screened - excluded = sought"]
    assert skipped.status == "skipped"
    assert "Records excluded is not reported (results/screening/counts.json: " in skipped.detail
    assert checks["sought - not retrieved = assessed"].status == "skipped"
    assert checks["assessed - excluded = included"].status == "skipped"
    bound = checks["included + reported exclusions <= screened (chain has unreported counts)"]
    assert bound.status == "ok"
    assert "Reports excluded (n = 172) + Reports of included studies (n = 50) = 222" in bound.detail
    assert checks["studies included = studies of the dataset"].status == "ok"


def test_updated_review_checks_all_pass():
    checks = prisma.check_flow(updated_flow())
    assert [c.name for c in checks if c.status == "failed"] == []
    names = by_name(checks)
    assert names["update: sought - not retrieved = assessed"].status == "ok"
    # the 2 records awaiting screening are taken out, never counted as excluded
    assert "Records awaiting screening (n = 2)" in (
        names["update: identified - removed before screening = screened"].detail
    )
    assert names["previous version: screened - excluded = sought"].status == "skipped"


def _set(section, key, value):
    def change(search, dedup, screening):
        screening[section][key] = value

    return change


MISMATCHES = [
    (
        lambda s, d, c: d["windows"][1].update(records=45),
        "update: databases add up to the records deduplicated",
        ["PubMed (n = 21) + Web of Science (n = 9) + Embase (n = 14) = 44", "is 45"],
    ),
    (
        lambda s, d, c: d["windows"][1].update(unique_records=27),
        "update: deduplication adds up",
        ["Duplicate records removed (n = 16) = 28", "Unique records is 27"],
    ),
    (
        _set("update", "records_screened", 25),
        "update: identified - removed before screening = screened",
        [
            "Records identified from databases (n = 44) - Duplicate records removed (n = 16)",
            "Records screened is 25",
            "update.records_screened",
        ],
    ),
    (
        _set("update", "reports_sought", 7),
        "update: screened - excluded = sought",
        [
            "Records screened (n = 26) - Records excluded (n = 20) = 6",
            "Reports sought for retrieval is 7",
        ],
    ),
    (
        _set("update", "reports_assessed", 4),
        "update: sought - not retrieved = assessed",
        ["Reports not retrieved (n = 1) = 5", "Reports assessed for eligibility is 4"],
    ),
    (
        _set("update", "reports_included", 2),
        "update: assessed - excluded = included",
        ["Reports excluded (n = 2) = 3", "Reports of included studies is 2"],
    ),
    (
        lambda s, d, c: c["update"].update(studies_included=4),
        "update: studies included <= reports of included studies",
        ["Studies included (n = 4) outnumber their Reports (n = 3)"],
    ),
    (
        _set("previous_version", "reports_excluded", [{"reason": "Irrelevant", "n": 180}]),
        "previous version: included + reported exclusions <= screened "
        "(chain has unreported counts)",
        ["Reports excluded (n = 180) + Reports of included studies (n = 50) = 230"],
    ),
    (
        lambda s, d, c: s["windows"][0]["databases"].update(PubMed=160),
        "previous version: databases add up to the records deduplicated",
        ["PubMed (n = 160)", "= 360, but Records deduplicated is 362"],
    ),
]


@pytest.mark.parametrize("change, name, expected", MISMATCHES, ids=[m[1] for m in MISMATCHES])
def test_each_check_fails_naming_boxes_and_numbers(change, name, expected):
    search, dedup, screening = updated_inputs()
    change(search, dedup, screening)
    flow = flow_of(search, dedup, screening, patients=59, studies=53)
    failed = [c for c in prisma.check_flow(flow) if c.status == "failed"]
    assert name in [c.name for c in failed]
    detail = by_name(failed)[name].detail
    for text in expected:
        assert text in detail
    with pytest.raises(prisma.CountsDoNotAddUp) as err:
        prisma.raise_if_failed(prisma.check_flow(flow), "hand-made counts")
    assert name in str(err.value)


def test_dataset_studies_must_be_the_included_studies():
    flow = flow_of(first_version_search(), first_version_dedup(), first_version_screening(), 54, 49)
    failed = [c for c in prisma.check_flow(flow) if c.status == "failed"]
    assert [c.name for c in failed] == ["studies included = studies of the dataset"]
    assert "Studies included in review (n = 50" in failed[0].detail
    assert "patients of 49 studies (results/dataset/cases.csv: study_id)" in failed[0].detail


def test_new_studies_awaiting_data_extraction_are_drawn_not_a_failure():
    """An update's study is included at full text before its patients are extracted (the
    new-studies template comes first): the diagram says so instead of stopping the build."""
    name = "studies included = studies of the dataset"
    flow = flow_of(*updated_inputs(), patients=57, studies=51)  # 53 included, 2 not extracted
    assert flow.studies_awaiting_extraction.value == 2
    check = by_name(prisma.check_flow(flow))[name]
    assert check.status == "ok"
    assert "2 new studies awaiting data extraction" in check.detail
    lines = [line.text for line in diagram.total_lines(flow)]
    assert lines[-2:] == ["Patients (n = 57)", "New studies awaiting data extraction (n = 2)"]
    assert [line.text for line in diagram.total_lines(updated_flow())][-1] == "Patients (n = 59)"
    # the previous version's studies must all be in the dataset, and no study that is not
    # included may be there
    for studies, said in ((49, "fewer than the 50 studies of the previous version"), (54, "53")):
        flow = flow_of(*updated_inputs(), patients=59, studies=studies)
        check = by_name(prisma.check_flow(flow))[name]
        assert check.status == "failed" and said in check.detail, check.detail


def test_every_failed_check_is_reported_at_once():
    search, dedup, screening = updated_inputs()
    screening["update"]["reports_sought"] = 7
    screening["update"]["reports_included"] = 2
    flow = flow_of(search, dedup, screening, patients=59, studies=53)
    with pytest.raises(prisma.CountsDoNotAddUp) as err:
        prisma.raise_if_failed(prisma.check_flow(flow), "hand-made counts")
    assert len(err.value.problems) >= 3  # sought, sought->assessed, assessed->included
    assert str(err.value).startswith("PRISMA flow counts (hand-made counts): ")


def test_pending_records_not_reported_leave_the_plain_prisma_check():
    screening = first_version_screening()
    screening["previous_version"]["records_pending"] = None
    flow = flow_of(first_version_search(), first_version_dedup(), screening)
    check = by_name(prisma.check_flow(flow))["identified - removed before screening = screened"]
    assert check.status == "ok"
    assert "awaiting" not in check.detail


def test_a_count_not_reported_skips_only_its_checks():
    dedup = first_version_dedup()
    dedup["windows"][0]["duplicates_removed"] = None
    flow = flow_of(first_version_search(), dedup, first_version_screening())
    checks = by_name(prisma.check_flow(flow))
    assert checks["identified - removed before screening = screened"].status == "skipped"
    assert "Duplicate records removed is not reported" in (
        checks["identified - removed before screening = screened"].detail
    )
    assert checks["databases add up to the records deduplicated"].status == "ok"


# ---------------------------------------------------------------- the PRISMA2020 app's CSV


def csv_n(flow) -> dict[str, str]:
    rows = prisma.csv_rows(flow)
    return {row[0]: row[-1] for row in rows[1:] if row[0] != "NA"}


def test_counts_file_has_the_template_layout(shared, tmp_path):
    template_path = shared / "data/formats/prisma2020/PRISMA.csv"
    with open(template_path, encoding="utf-8", newline="") as handle:
        template = list(csv.reader(handle))
    for flow in (first_version_flow(), updated_flow()):
        out = tmp_path / "prisma_counts.csv"
        prisma.write_csv(flow, out)
        with open(out, encoding="utf-8", newline="") as handle:
            ours = list(csv.reader(handle))
        assert ours[0] == template[0]  # columns, in order
        assert len(ours) == len(template)
        assert [r[0] for r in ours] == [r[0] for r in template]  # data keys, in order
        for mine, theirs in zip(ours, template, strict=True):
            assert mine[:-1] == theirs[:-1]  # every cell but n is the template's
        # same dialect as the template: unix newlines, minimal quoting
        assert b"\r\n" not in out.read_bytes()
        assert out.read_bytes().count(b"\n") == template_path.read_bytes().count(b"\n")


def test_first_version_counts_file_values():
    n = csv_n(first_version_flow())
    assert n["database_results"] == "362"
    assert n["duplicates"] == "140"
    assert n["records_screened"] == "222"
    for key in ("records_excluded", "dbr_sought_reports", "dbr_notretrieved_reports"):
        assert n[key] == "NA"  # not reported: never 0
    assert n["dbr_assessed"] == "NA"
    assert n["dbr_excluded"] == "Irrelevant records and incomplete reports, 172"
    assert (n["new_studies"], n["new_reports"]) == ("50", "50")
    assert (n["total_studies"], n["total_reports"]) == ("50", "50")
    # not applicable: no previous version, no registers, no other methods, no automation
    for key in ("previous_studies", "register_results", "website_results", "excluded_automatic"):
        assert n[key] == "NA"


def test_updated_counts_file_values():
    n = csv_n(updated_flow())
    assert (n["previous_studies"], n["previous_reports"]) == ("50", "50")
    assert n["database_results"] == "44"
    assert n["duplicates"] == "16"
    assert n["dbr_excluded"] == "Not IgG4-related disease, 1; No spinal involvement, 1"
    assert (n["new_studies"], n["total_studies"], n["total_reports"]) == ("3", "53", "53")


def parse_reasons_like_the_app(cell: str) -> list[tuple[str, str]]:
    """PRISMA2020's PRISMA_parse_reasons_: split on ';', reason before the first ','."""
    items = re.split(r"; ?", cell)
    return [(i.split(",", 1)[0], i.split(",", 1)[1].strip() if "," in i else "") for i in items]


def test_reasons_survive_the_apps_separators_and_formula_guard():
    search, dedup, screening = updated_inputs()
    screening["update"]["reports_excluded"] = [
        {"reason": "=HYPERLINK(1)", "n": 1},
        {"reason": "Wrong population, adults; children", "n": 1},
    ]
    cell = csv_n(flow_of(search, dedup, screening, 59, 53))["dbr_excluded"]
    assert cell.startswith("'=")  # a spreadsheet will not run it
    assert parse_reasons_like_the_app(cell.lstrip("'")) == [
        ("=HYPERLINK(1)", "1"),
        ("Wrong population / adults / children", "1"),
    ]


def test_no_reasons_is_zero_and_unreported_reasons_are_na():
    search, dedup, screening = updated_inputs()
    screening["update"]["reports_excluded"] = []
    screening["update"]["reports_assessed"] = 3
    screening["update"]["reports_sought"] = 4
    screening["update"]["records_excluded"] = 22
    flow = flow_of(search, dedup, screening, 59, 53)
    assert csv_n(flow)["dbr_excluded"] == "0"
    assert diagram.reasons_lines(flow.screening) == [diagram.Line("Reports excluded (n = 0)")]
    screening["update"]["reports_excluded"] = None
    flow = flow_of(search, dedup, screening, 59, 53)
    assert csv_n(flow)["dbr_excluded"] == "NA"
    assert diagram.reasons_lines(flow.screening) == [
        diagram.Line("Reports excluded (not reported)")
    ]


# ---------------------------------------------------------------- the diagram


def svg_text(flow, tmp_path) -> str:
    """Every text of the saved SVG, one line each."""
    drawn = diagram.draw(flow)
    path = tmp_path / "prisma.svg"
    diagram.save(drawn, [path])
    svg = path.read_text(encoding="utf-8")
    return "\n".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def box_texts(flow) -> dict[str, str]:
    """Each drawn box's text, its wrapped lines joined by spaces."""
    drawn = diagram.draw(flow)
    return {box.name: " ".join(t.get_text() for t in box.texts) for box in drawn.boxes}


def test_not_reported_is_drawn_as_such_never_as_zero(tmp_path):
    text = svg_text(first_version_flow(), tmp_path)
    for box in (
        "Records excluded (not reported)",
        "Reports sought for retrieval (not reported)",
        "Reports not retrieved (not reported)",
        "Reports assessed for eligibility (not reported)",
    ):
        assert box in text
    assert "n = 0" not in text
    assert "it is unknown, not zero" in text  # the footnote says what it means


def test_a_new_review_and_an_updated_review_draw_their_own_boxes():
    new = box_texts(first_version_flow())
    assert new["title_new"] == "Identification of studies via databases"
    assert "previous" not in new and "total" not in new
    assert new["included"] == (
        "Studies included in review (n = 50) Reports of included studies (n = 50) Patients (n = 55)"
    )
    assert new["reports_excluded"] == (
        "Reports excluded: Irrelevant records and incomplete reports (n = 172)"
    )
    updated = box_texts(updated_flow())
    assert updated["title_previous"] == "Previous studies"
    assert updated["title_new"] == "Identification of new studies via databases"
    assert updated["previous"] == (
        "Studies included in previous version of review (n = 50) Reports of studies included "
        "in previous version of review (n = 50) Patients (n = 55) Search dates: up to 2024-09-30"
    )
    assert updated["included"] == (
        "New studies included in review (n = 3) Reports of new included studies (n = 3)"
    )
    assert updated["total"] == (
        "Total studies included in review (n = 53) Reports of total included studies (n = 53) "
        "Patients (n = 59)"
    )
    assert updated["screened"] == "Records screened (n = 26) Records awaiting screening (n = 2)"
    assert "Search dates: 2024-10-01 to 2025-06-30" in updated["identified"]
    # the footnote explains "not reported" only where the diagram draws it
    assert "unknown, not zero" in new["footnote"]
    assert "not reported" not in updated["footnote"].lower()


@pytest.mark.parametrize("make", [first_version_flow, updated_flow], ids=["new", "updated"])
def test_svg_contains_every_number_of_the_counts_file(make, tmp_path):
    flow = make()
    text = svg_text(flow, tmp_path)
    numbers = set()
    for key, value in csv_n(flow).items():
        if key == "dbr_excluded":
            numbers.update(n for _, n in parse_reasons_like_the_app(value))
        elif value != "NA":
            numbers.add(value)
    assert numbers  # the file has counts
    for number in sorted(numbers):
        assert re.search(rf"\(n = {number}\)$", text, flags=re.M), number


def stress_flow() -> prisma.Flow:
    """Long names, unbreakable words, many reasons, big numbers: wrapping must cope."""
    search, dedup, screening = updated_inputs()
    search["windows"][1]["databases"] = {
        "PubMed": 21,
        "Cochrane Central Register of Controlled Trials (CENTRAL) via the Cochrane Library": 9,
        "Embase_via_Ovid_with_a_deliberately_unbreakable_name_longer_than_any_box": 14,
    }
    reasons = [
        {"reason": f"Reason number {i} with a rather long explanation of why", "n": 1}
        for i in range(1, 12)
    ]
    screening["update"].update(
        records_screened=26,
        records_excluded=9,
        reports_sought=17,
        reports_not_retrieved=1,
        reports_assessed=16,
        reports_excluded=reasons,
        studies_included=2,
        reports_included=5,
    )
    return flow_of(search, dedup, screening, patients=1234567, studies=52)


@pytest.mark.parametrize(
    "make", [first_version_flow, updated_flow, stress_flow], ids=["new", "updated", "stress"]
)
def test_no_text_overflows_or_overlaps(make):
    assert diagram.layout_problems(diagram.draw(make())) == []


def test_a_review_that_is_not_of_case_reports_draws_no_patients():
    flow = prisma.build_flow(
        title="t",
        search=first_version_search(),
        dedup=first_version_dedup(),
        screening=first_version_screening(),
        dataset=None,
        previous_patients=None,
    )
    assert flow.patients is None
    assert "studies included = studies of the dataset" not in by_name(prisma.check_flow(flow))
    assert "Patients" not in box_texts(flow)["included"]


def test_layout_check_catches_overflow_and_overlap():
    drawn = diagram.draw(first_version_flow())
    box = next(b for b in drawn.boxes if b.name == "reports_excluded")
    box.patch.set_width(box.patch.get_width() / 3)
    problems = diagram.layout_problems(drawn)
    assert any(p.startswith("box 'reports_excluded': text 'Reports excluded:'") for p in problems)
    drawn = diagram.draw(first_version_flow())
    screened = next(b for b in drawn.boxes if b.name == "screened").texts[0]
    excluded = next(b for b in drawn.boxes if b.name == "records_excluded").texts[0]
    excluded.set_position(screened.get_position())
    problems = diagram.layout_problems(drawn)
    assert any("overlaps 'Records excluded (not reported)'" in p for p in problems)
    with pytest.raises(diagram.LayoutError, match="nothing was written"):
        diagram.check_layout(drawn)


def test_save_writes_every_format_and_the_same_flow_gives_the_same_svg(tmp_path):
    drawn = diagram.draw(first_version_flow())
    paths = [tmp_path / "a.svg", tmp_path / "a.pdf", tmp_path / "a.png"]
    diagram.save(drawn, paths)
    assert paths[1].read_bytes().startswith(b"%PDF")
    assert paths[2].read_bytes().startswith(b"\x89PNG")
    diagram.save(diagram.draw(first_version_flow()), [tmp_path / "b.svg"])
    assert (tmp_path / "b.svg").read_bytes() == paths[0].read_bytes()


def test_wrap_keeps_counts_whole_and_cuts_words_longer_than_a_line():
    fits = lambda text, width: len(text) <= width  # noqa: E731
    assert diagram.wrap("Irrelevant records and incomplete reports (n = 172)", 30, fits) == [
        "Irrelevant records and",
        "incomplete reports (n = 172)",
    ]
    assert diagram.wrap("abcdefghij", 4, fits) == ["abcd", "efgh", "ij"]


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.text(alphabet="abcdefghijklmnop()=", min_size=1, max_size=15), max_size=20),
    width=st.integers(min_value=1, max_value=25),
)
def test_wrap_lines_fit_and_keep_every_character(words, width):
    fits = lambda text, w: len(text) <= w  # noqa: E731
    text = " ".join(words)
    lines = diagram.wrap(text, width, fits)
    assert all(fits(line, width) for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


# ---------------------------------------------------------------- build and report page


def test_build_writes_every_output_and_refuses_counts_that_do_not_add_up(tmp_path, repo):
    write_upstream(tmp_path)
    out = tmp_path / "results/prisma"

    def run(**extra):
        return outputs.build(
            title="t",
            search_path=str(tmp_path / "results/search/search_counts.json"),
            dedup_path=str(tmp_path / "results/dedup/dedup_counts.json"),
            screening_path=str(tmp_path / "results/screening/counts.json"),
            dataset_path=str(tmp_path / "results/dataset/cases.csv"),
            first_version_path=str(repo / "config/first_version.yaml"),
            counts_csv=str(out / "prisma_counts.csv"),
            diagrams=[str(out / "prisma.svg"), str(out / "prisma.png")],
            checks_html=str(out / "prisma_checks.html"),
            **extra,
        )

    checks = run()
    assert {c.status for c in checks} == {"ok", "skipped"}
    page = (out / "prisma_checks.html").read_text()
    assert "Records excluded" in page and "skipped" in page
    assert "<title>PRISMA 2020 flow of “t”: counts and checks</title>" in page
    for path in out.iterdir():
        path.unlink()
    screening = json.loads((tmp_path / "results/screening/counts.json").read_text())
    screening["previous_version"]["records_screened"] = 221
    (tmp_path / "results/screening/counts.json").write_text(json.dumps(screening))
    with pytest.raises(prisma.CountsDoNotAddUp, match="Records screened is 221"):
        run()
    assert list(out.iterdir()) == []  # nothing written


def test_report_table_page_escapes_cells(tmp_path):
    from reviewflow.report import pages as report

    table = tmp_path / "t.tsv"
    table.write_text("item\tvalue\nx\t<script>alert(1)</script>\ny\t\n")
    page = tmp_path / "t.html"
    report.table_file_page(table, page, "A & B")
    html = page.read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<title>A &amp; B</title>" in html
    assert html.count("<tr>") == 3


def test_log_lines_trace_every_box_to_its_source():
    flow = first_version_flow()
    lines = prisma.log_lines(flow, prisma.check_flow(flow))
    text = "\n".join(lines)
    assert "Records excluded: not reported  [results/screening/counts.json: " in text
    assert "SKIPPED  screened - excluded = sought" in text
    assert "counts transcribed from a published report" in text


# ---------------------------------------------------------------- only what the review declared

PUBMED_ONLY = """\
source: "A PubMed-only case series"
search:
  until: "2024-12-31"
  databases:
    - name: PubMed
      records: 10
  records_total: 10
dedup:
  duplicates_removed: 2
screening:
  records_screened: 8
  records_excluded: 4
  reports_sought: 4
  reports_not_retrieved: 0
  reports_assessed: 4
  reports_excluded: null
included:
  studies: 2
  reports: 2
  patients: 3
"""


def declared_flow(tmp_path, text: str = PUBMED_ONLY) -> tuple[prisma.Flow, str]:
    """The flow of a first version given as config/first_version.yaml, through the readers the
    search, dedup and screening stages use."""
    from reviewflow.core.first_version import read_first_version
    from reviewflow.dedup.tables import first_version_counts
    from reviewflow.screening.decisions import previous_version_counts
    from reviewflow.search.windows import search_counts

    path = tmp_path / "first_version.yaml"
    path.write_text(text, encoding="utf-8")
    first = read_first_version(path)
    screening = {"previous_version": previous_version_counts(first), "update": None}
    flow = prisma.build_flow(
        title="t",
        search=search_counts(first, {}, []),
        dedup={"windows": [first_version_counts(first)]},
        screening=json.loads(json.dumps(screening)),
        dataset=None,
        previous_patients=None,
        first_version_path=str(path),
    )
    return flow, str(path)


def drawn_texts(flow: prisma.Flow) -> list[str]:
    return [line.text for spec in diagram.box_specs(flow) for line in spec.lines]


def test_only_the_declared_databases_are_drawn(tmp_path):
    flow, _ = declared_flow(tmp_path)
    assert [line.text for line in diagram.identification_lines(flow)][:3] == [
        "Records identified from:",
        "Databases (n = 10)",
        "PubMed (n = 10)",
    ]
    texts = " ".join(drawn_texts(flow))
    assert "Web of Science" not in texts and "Embase" not in texts


def test_a_null_count_is_drawn_not_reported_never_0(tmp_path):
    flow, _ = declared_flow(tmp_path)
    assert flow.screening.reports_excluded is None
    assert [line.text for line in diagram.reasons_lines(flow.screening)] == [
        "Reports excluded (not reported)"
    ]
    assert prisma.csv_values(flow)["dbr_excluded"] == "NA"
    checks = by_name(prisma.check_flow(flow))
    assert checks["assessed - excluded = included"].status == "skipped"
    # a key left out is not reported either; an empty list is a reported 0
    flow, _ = declared_flow(tmp_path, PUBMED_ONLY.replace("  reports_excluded: null\n", ""))
    assert diagram.reasons_lines(flow.screening)[0].text == "Reports excluded (not reported)"
    flow, _ = declared_flow(tmp_path, PUBMED_ONLY.replace("excluded: null", "excluded: []"))
    assert diagram.reasons_lines(flow.screening)[0].text == "Reports excluded (n = 0)"


def test_a_first_version_count_that_does_not_add_up_names_the_file_to_edit(tmp_path):
    flow, path = declared_flow(tmp_path, PUBMED_ONLY.replace("screened: 8", "screened: 9"))
    checks = prisma.check_flow(flow)
    failed = [c for c in checks if c.status == "failed"]
    assert [c.name for c in failed] == [
        "identified - removed before screening = screened",
        "screened - excluded = sought",
    ]
    detail = failed[0].detail
    assert f"{path}: screening.records_screened" in detail
    assert f"{path}: search.databases (their sum)" in detail
    assert f"{path}: dedup.duplicates_removed" in detail
    assert "counts.json" not in detail
    sources = outputs.failed_sources(checks, path, "results/search/search_counts.json")
    assert sources == path
    with pytest.raises(prisma.CountsDoNotAddUp) as err:
        prisma.raise_if_failed(checks, sources)
    assert str(err.value).startswith(f"PRISMA flow counts ({path}): 2 problems")
    boxes = {box: source for box, _, source in prisma.box_counts(flow)}
    assert boxes["  PubMed"] == f"{path}: search.databases[1].records (PubMed)"
    assert boxes["Studies included"] == f"{path}: included.studies"
