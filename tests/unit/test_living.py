"""What's new, the update digest and the reporting checklists on hand-made files with known
answers."""

import json
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.living.digest import build_digest
from reviewflow.living.whats_new import Snapshot, compare
from reviewflow.living.whats_new import markdown as whats_new_markdown
from reviewflow.report.checklists import (
    ANSWERERS,
    CHECKLISTS,
    FOR_AUTHORS,
    Facts,
    fill,
    load_checklist,
    markdown,
    write_checklist_files,
)

W = "2025-01-01_2025-02-01"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path, *, cases, raw, studies, summary, descriptive=None, counts, records):
    folder.mkdir()
    return Snapshot(
        label=folder.name,
        cases=write(folder / "cases.csv", cases),
        cases_raw=write(folder / "cases_raw.tsv", raw),
        studies=write(folder / "studies.tsv", studies),
        summary=write(folder / "summary.tsv", summary),
        reconciliation=write(
            folder / "reconciliation.tsv",
            "item\tsection\treported\trecomputed\tstatus\tnote\treproduced_by\twording\n"
            "n\t4.1\t2\t2\tmatch\t\t\tTwo patients\n",
        ),
        descriptive=write(folder / "descriptive.tsv", descriptive) if descriptive else None,
        search_counts=write(folder / "search_counts.json", json.dumps(counts)),
        records=write(folder / "records.tsv", records),
    )


DESCRIPTIVE_HEAD = (
    "variable\tlabel\tcategory\tn_reported\tn_total\tnot_reported\tstatistic\tvalue\n"
)
SUMMARY_HEAD = "item\tsection\tdescription\tn\tdenominator\tvalue\ttext\n"


def test_whats_new_lists_new_study_patient_corrected_cell_and_moved_figures(tmp_path):
    before = snapshot(
        tmp_path / "v1",
        cases="case_id,study_id,first_author,year,age_years\nC1,S1,Chan,2009,37\nC2,S2,Choi,2010,46\n",
        raw="case_id\tage\tcase_id_cell\tage_cell\nC1\t37\tcases!A2\tcases!F2\nC2\t46\tcases!A3\tcases!F3\n",
        studies="study_id\tfirst_author\tyear\ttitle\nS1\tChan\t2009\t\nS2\tChoi\t2010\t\n",
        summary=SUMMARY_HEAD
        + "n_cases\t4.1\tPatients\t2\t\t\t2\nsex_male\t4.1\tMen\t1\t2\t50\t1/2\n",
        descriptive=DESCRIPTIVE_HEAD.replace("\n", "\tvalue_no_dup\tn_reported_no_dup\n")
        + "sex\tSex\tmale\t2\t2\t0\tn_percent\t1 (50.0%)\t1 (50.0%)\t2\n",
        counts={"windows": [{"window": "v1", "databases": {"PubMed": 5, "Embase": None}}]},
        records="record_id\twindow\tsource_db\ttitle\n",
    )
    after = snapshot(
        tmp_path / "now",
        cases="case_id,study_id,first_author,year,age_years\nC1,S1,Chan,2009,38\nC2,S2,Choi,2010,46\n"
        "C3,S3,Tanaka,2024,58\n",
        raw="case_id\tage\tcase_id_cell\tage_cell\nC1\t38\tcases!A2\tcases!F2\nC2\t46\tcases!A3\t"
        "cases!F3\nC3\t58\tcases!A4\tcases!F4\n",
        studies="study_id\tfirst_author\tyear\ttitle\nS1\tChan\t2009\t\nS2\tChoi\t2010\t\n"
        "S3\tTanaka\t2024\tA case\n",
        summary=SUMMARY_HEAD
        + "n_cases\t4.1\tPatients\t3\t\t\t3\nsex_male\t4.1\tMen\t1\t2\t50\t1/2\n",
        descriptive=DESCRIPTIVE_HEAD.replace("\n", "\tvalue_no_dup\tn_reported_no_dup\n")
        + "sex\tSex\tmale\t3\t3\t0\tn_percent\t2 (66.7%)\t1 (50.0%)\t2\n",
        counts={
            "windows": [
                {"window": "v1", "databases": {"PubMed": 5, "Embase": None}},
                {"window": W, "databases": {"PubMed": 2, "Embase": None}},
            ]
        },
        records=f"record_id\twindow\tsource_db\ttitle\n{W}:pubmed:1\t{W}\tpubmed\tA case\n"
        f"{W}:pubmed:2\t{W}\tpubmed\tA review\n",
    )
    unique = write(
        tmp_path / "unique.tsv",
        "record_id\tfirst_window\tsource_db\tmatches_included_study\n"
        f"{W}:pubmed:1\t{W}\tpubmed\tS3\n{W}:pubmed:2\t{W}\tpubmed\t\n",
    )
    table, notes = compare(before, after, unique)
    moved = table[table["change"] != "unchanged"]
    columns = ["part", "window", "source", "key", "field", "before", "after", "change"]
    assert moved[columns].values.tolist() == [
        ["records", W, "PubMed", "", "records identified", "", "2", "new"],
        ["record", W, "PubMed", f"{W}:pubmed:1", "title", "", "A case", "new"],
        ["record", W, "PubMed", f"{W}:pubmed:2", "title", "", "A review", "new"],
        ["study", W, "PubMed", "S3", "study", "", "Tanaka, 2024, A case", "new"],
        ["patient", W, "PubMed", "C3", "patient", "", "S3, Tanaka, 2024", "new"],
        ["cell", "", "", "C1", "age (cases!F2)", "37", "38", "changed"],
        ["dataset", "", "", "C1", "age_years", "37", "38", "changed"],
        ["descriptive", "", "", "sex|male", "Sex", "1 (50.0%) (n = 2)",
         "2 (66.7%) (n = 3)", "changed"],
        ["summary", "", "", "n_cases", "Patients", "2", "3", "changed"],
    ]  # fmt: skip
    unchanged = table[table["change"] == "unchanged"]
    assert set(unchanged["key"]) == {
        "",
        "sex_male",
        "n",
        "sex|male|no_dup",  # same value of the same patients: unchanged though the total grew
    }  # v1 PubMed count, a figure, a reconciled one, a sensitivity analysis's statistic
    assert notes == []
    text = whats_new_markdown(table, notes, previous="version 1", current="this build")
    for line in ("- Studies: 1 new, 0 removed", "- Patients: 1 new, 0 removed",
                 "- Corrected cells of patients already included: 1",
                 "| C1 | age (cases!F2) | 37 | 38 | changed |",
                 "- Results (summary): 1 changed of 2", "## Reconciled figures",
                 "All 1 unchanged."):  # fmt: skip
        assert line in text, line

    same, notes = compare(after, after, unique)
    assert set(same["change"]) == {"unchanged"}
    assert "**Nothing new** since version 2" in whats_new_markdown(
        same, notes, previous="version 2", current="this build"
    )


def test_whats_new_skips_the_descriptive_table_when_a_side_lacks_it_and_says_so(tmp_path):
    kwargs = dict(
        cases="case_id,study_id\nC1,S1\n", raw="case_id\tage\nC1\t3\n",
        studies="study_id\tfirst_author\tyear\ttitle\nS1\tA\t2000\t\n",
        summary=SUMMARY_HEAD, counts={"windows": []},
        records="record_id\twindow\tsource_db\ttitle\n",
    )  # fmt: skip
    old = snapshot(tmp_path / "v1", **kwargs)
    new = snapshot(
        tmp_path / "now", descriptive=DESCRIPTIVE_HEAD + "a\tA\t\t1\t1\t0\tn\t1\n", **kwargs
    )
    table, notes = compare(old, new)
    assert "descriptive" not in set(table["part"])
    assert notes == [
        "The descriptive table (descriptive.tsv) is absent from v1: its statistics are not "
        "compared."
    ]


def test_digest_counts_each_window_and_database(tmp_path):
    e = f"{W}"  # the earlier window
    n = "2025-02-01_2025-03-01"
    records = write(tmp_path / "records.tsv", "record_id\twindow\tsource_db\ttitle\n" + "".join(
        f"{r}\t{w}\t{db}\t{t}\n" for r, w, db, t in [
            ("e1", e, "pubmed", "Old"), ("n1", n, "pubmed", "Old again"),
            ("n2", n, "pubmed", "New case"), ("n3", n, "pubmed", "New case"),
            ("n4", n, "wos", "NEW CASE"), ("n5", n, "wos", "Included study"),
        ]))  # fmt: skip
    duplicates = write(tmp_path / "dup.tsv", "record_id\twindow\tmerged_into\tmatched_record_id\t"
        "stage\tevidence\ttitle\n" + "".join(f"{r}\t{n}\t{m}\t{m}\texact\t\t\n" for r, m in [
            ("n1", "e1"), ("n3", "n2"), ("n4", "n2")]))  # fmt: skip
    unique = write(tmp_path / "unique.tsv", "record_id\tfirst_window\tsource_db\ttitle\tyear\t"
        "journal\tmember_ids\tmatches_included_study\n"
        f"e1\t{e}\tpubmed\tOld\t2024\tJ\te1;n1\t\n"
        f"n2\t{n}\tpubmed\tNew case\t2025\tJ Neurol\tn2;n3;n4\t\n"
        f"n5\t{n}\twos\tIncluded study\t2025\tJ\tn5\tS9\n")  # fmt: skip
    log = write(tmp_path / "log.tsv", "record_id\tfirst_window\tstage\tby\tdecision\treason\t"
        f"status\nn2\t{n}\ttitle_abstract\tfinal\tinclude\t\tdecided\n"
        f"n2\t{n}\tfull_text\tfinal\t\t\tpending\n")  # fmt: skip
    counts, text = build_digest(
        records_path=records, duplicates_path=duplicates, unique_path=unique, log_path=log,
        windows=[n], since="version 2",
    )  # fmt: skip
    assert counts.values.tolist() == [
        [n, "PubMed", 3, 1, 1, 0, 1],  # n1 = e1 (earlier), n3 = n2 (within), n2 new
        [n, "Web of Science", 2, 1, 0, 1, 0],  # n4 = n2 (within), n5 an included study
    ]
    assert f"Search windows since version 2: `{n}`. 5 records, 1 new to screen." in text
    assert "| `n2` | PubMed | New case (J Neurol 2025) | pending (full text) |" in text
    none = build_digest(records_path=records, duplicates_path=duplicates, unique_path=unique,
                        log_path=log, windows=[], since="version 3")[1]  # fmt: skip
    assert "No search window since version 3" in none


@pytest.mark.parametrize(
    "name, items, first, last",
    [
        ("prisma2020", 42, "Identify the report as a systematic review.", "27"),
        ("prisma_s", 16, "Name each individual database searched, stating the platform for each.",
         "16"),
        ("prisma_lsr", 17, "Identify the report as “living” in the title.", "L4"),
    ],
)  # fmt: skip
def test_checklists_hold_the_published_items_and_their_source(name, items, first, last):
    checklist = load_checklist(name)
    assert len(checklist["items"]) == items
    assert checklist["items"][0]["wording"] == first and checklist["items"][-1]["id"] == last
    assert "doi:10." in checklist["source"]
    ids = [i["id"] for i in checklist["items"]]
    assert len(ids) == len(set(ids))
    assert {i["answer"] for i in checklist["items"] if i.get("answer")} <= set(ANSWERERS)


def test_prisma2020_has_its_27_items():
    ids = [i["id"] for i in load_checklist("prisma2020")["items"]]
    assert sorted({int("".join(c for c in i if c.isdigit())) for i in ids}) == list(range(1, 28))


def test_checklists_fill_what_the_workflow_knows_and_leave_the_rest_to_the_authors():
    facts = Facts(
        title="A review",
        version={"title": "version 2 (2025-04-15)", "published": "version 2 (2025-04-15): x"},
        versions=[{"number": 2, "date": "2025-04-15", "trigger": "monthly update", "cites": ""}],
        living={"search_schedule": [{"source": "PubMed", "schedule": "monthly"}],
                "retirement": "No plan.", "overlap_days": 5},
        search_counts={"windows": [
            {"window": "v1", "reported": True, "until": "2024-09-30",
             "databases": {"PubMed": 162, "Embase": None}},
            {"window": W, "reported": False, "until": "2025-02-01",
             "databases": {"PubMed": 7, "Embase": None}},
        ]},
        search_logs={W: {"query": "igg4[tiab]", "date_run": "2025-02-02T10:00:00+00:00",
                         "platform": "PubMed via NCBI E-utilities",
                         "limits": {"date_type": "crdt"}}},
        screening={"reviewers_required": {"title_abstract": 2}},
        reviewers={"title_abstract": ["alice", "bob"]},
    )  # fmt: skip
    prisma_s = fill(load_checklist("prisma_s"), facts).set_index("item")
    assert prisma_s.loc["8", "answer"].startswith(f"{W}: PubMed (PubMed via NCBI E-utilities), run")
    assert "`igg4[tiab]`" in prisma_s.loc["8", "answer"]
    assert prisma_s.loc["13", "answer"] == (
        f"v1: up to 2024-09-30 (as reported); {W}: 2025-02-02T10:00:00+00:00"
    )
    assert prisma_s.loc["15", "answer"] == f"v1: PubMed 162, Embase not reported; {W}: PubMed 7"
    assert prisma_s.loc["14", "status"] == FOR_AUTHORS and prisma_s.loc["14", "answer"] == ""
    lsr = fill(load_checklist("prisma_lsr"), facts).set_index("item")
    assert lsr.loc["1.2", "answer"] == "version 2 (2025-04-15)"
    assert lsr.loc["L1.1", "answer"] == "PubMed: monthly"
    assert lsr.loc["L1.3", "answer"] == "No plan."
    assert lsr.loc["L4", "status"] == FOR_AUTHORS
    assert lsr.loc["L2", "wording"].endswith("[paraphrase]")
    prisma = fill(load_checklist("prisma2020"), facts).set_index("item")
    assert "title/abstract reviewers so far: alice, bob" in prisma.loc["8", "answer"]
    text = markdown(load_checklist("prisma2020"), prisma.reset_index())
    assert f"**{FOR_AUTHORS}**" in text and "BMJ 2021;372:n71" in text


def test_checklist_files_are_written_once_per_filled_content(tmp_path, monkeypatch):
    """The .md, .xlsx and .html of a checklist: written when its filled content is new, copied
    from the cache (the workbook not written) when it is the same, written
    again when one answer changed."""
    from openpyxl import load_workbook

    from reviewflow.report import checklists

    checklist = load_checklist("prisma_s")
    filled = fill(checklist, Facts(title="A review", screening={}, reviewers={}))
    paths = [tmp_path / f"prisma_s_checklist{suffix}" for suffix in (".md", ".xlsx", ".html")]
    written = []
    own = checklists.write_checklist
    monkeypatch.setattr(checklists, "write_checklist", lambda *a: written.append(a[2]) or own(*a))
    assert write_checklist_files(checklist, filled, paths, tmp_path / "cache")
    first = [p.read_bytes() for p in paths]
    for path in paths:
        path.unlink()
    assert not write_checklist_files(checklist, filled, paths, tmp_path / "cache")
    assert [p.read_bytes() for p in paths] == first and len(written) == 1
    changed = filled.copy()
    changed.loc[0, ["status", "answer"]] = [checklists.FILLED, "An answer the authors wrote"]
    assert write_checklist_files(checklist, changed, paths, tmp_path / "cache")
    assert len(written) == 2
    sheet = load_workbook(paths[1])["checklist"]
    assert sheet.cell(row=2, column=6).value == "An answer the authors wrote"
    assert "An answer the authors wrote" in paths[2].read_text(encoding="utf-8")


def test_every_checklist_file_is_listed():
    files = {
        p.name
        for p in (Path(__file__).parents[2] / "scripts/reviewflow/report/checklists").iterdir()
    }
    assert files == set(CHECKLISTS.values())
    assert pd.Series(list(CHECKLISTS)).is_unique


def test_the_scheduled_update_runs_the_tested_command_and_opens_a_pr_with_the_digest():
    """The CI service is not tested; the command it runs is (tests/e2e/test_living.py)."""
    import yaml

    repo = Path(__file__).parents[2]
    workflow = yaml.safe_load((repo / ".github/workflows/living-update.yml").read_text())
    assert workflow[True]["schedule"][0]["cron"].split()[2:] == ["1", "*", "*"]  # monthly
    steps = workflow["jobs"]["update"]["steps"]
    runs = " ".join(step.get("run", "") for step in steps)
    assert 'reviewflow update --until "$(date -u +%F)"' in runs
    assert '> "$RUNNER_TEMP/digest.md"' in runs
    pr = next(s for s in steps if "create-pull-request" in s.get("uses", ""))
    assert pr["with"]["body-path"].endswith("/digest.md")
    assert pr["with"]["add-paths"] == "resources/searches/"


def test_prisma_after_a_published_update_draws_that_version_as_the_previous_one():
    """Version 2 (v1 + window U) published; window W2 since: the diagram's previous version is
    version 2 (its studies, reports and patients), the new studies are W2's alone."""
    from reviewflow.prisma import flow as prisma
    from reviewflow.prisma.flow import Count, DatasetSummary, PublishedVersion
    from tests.unit.test_prisma import UPDATE, updated_inputs

    search, dedup, screening = updated_inputs()
    w2 = "2025-06-26_2025-09-30"
    search["windows"].append(
        {
            "window": w2,
            "reported": False,
            "from": "2025-06-26",
            "until": "2025-09-30",
            "databases": {"PubMed": 10},
        }
    )
    dedup["windows"].append(
        {
            "window": w2,
            "reported": False,
            "records": 10,
            "duplicates_removed": 2,
            "unique_records": 8,
        }
    )
    screening["per_window"] = {
        UPDATE: screening["update"],
        w2: {"records_screened": 8, "records_excluded": 7, "records_pending": 0,
             "reports_sought": 1, "reports_not_retrieved": 0, "reports_pending": 0,
             "reports_assessed": 1, "reports_excluded": [], "studies_included": 1,
             "reports_included": 1, "records_previously_included": 0},
    }  # fmt: skip
    versions = [
        PublishedVersion(1, ("v1",), Count(50, "v1"), Count(50, "v1"), Count(55, "v1"), "v1"),
        PublishedVersion(2, ("v1", UPDATE), Count(53, "v2: total_studies"),
                         Count(53, "v2: total_reports"), Count(59, "v2: rows"), "versions/v2"),
    ]  # fmt: skip
    flow = prisma.build_flow(
        title="t", search=search, dedup=dedup, screening=screening,
        dataset=DatasetSummary(60, 54, "cases.csv"), previous_patients=Count(55, "first"),
        published=versions,
    )  # fmt: skip
    assert flow.previous.screening.studies_included.value == 53
    assert flow.previous.patients.value == 59
    assert flow.previous.identification.windows == ("v1", UPDATE)
    assert flow.identification.windows == (w2,)
    assert (flow.identification.records.value, flow.screening.records_screened.value) == (10, 8)
    assert (flow.total_studies.value, flow.total_reports.value) == (54, 54)
    assert [c for c in prisma.check_flow(flow) if c.status == "failed"] == []
    values = prisma.csv_values(flow)
    assert (values["previous_studies"], values["new_studies"], values["total_studies"]) == (
        "53", "1", "54"
    )  # fmt: skip
    # With version 2 published and no window since, version 2's own diagram is drawn (v1 before).
    search["windows"].pop(), dedup["windows"].pop()
    same = prisma.build_flow(
        title="t", search=search, dedup=dedup, screening=screening,
        dataset=DatasetSummary(59, 53, "cases.csv"), previous_patients=Count(55, "first"),
        published=versions,
    )  # fmt: skip
    assert same.previous.screening.studies_included.value == 50
    assert same.identification.windows == (UPDATE,)


def test_a_one_off_review_is_never_called_living():
    """No versions and no living mode declared (workflow/rules/living.smk's `declared`)."""
    lsr = load_checklist("prisma_lsr")
    one_off = fill(lsr, Facts(title="A review", living={"declared": False})).set_index("item")
    assert one_off.loc["1.1", "answer"].startswith("Not a living review: it declares no versions")
    assert "living systematic review" not in one_off.loc["1.1", "answer"]
    living = fill(lsr, Facts(title="A review", living={"declared": True})).set_index("item")
    assert "the report's heading adds “living systematic review" in living.loc["1.1", "answer"]


def cells_one_by_one(old, new, part, id_column):
    """compare_cells as it was written first: every cell of every common row, one by one."""
    from reviewflow.living.whats_new import row

    old, new = old.set_index(id_column, drop=False), new.set_index(id_column, drop=False)
    columns = [c for c in new.columns if c in old.columns and not c.endswith("_cell")]
    rows = []
    for case in new.index.intersection(old.index, sort=False):
        for column in columns:
            if old.loc[case, column] != new.loc[case, column]:
                cell = new.loc[case, f"{column}_cell"] if f"{column}_cell" in new else ""
                field = f"{column} ({cell})" if cell else column
                rows.append(row(part, case, field, old.loc[case, column], new.loc[case, column]))
    return rows


def test_changed_cells_are_found_as_one_by_one_in_the_same_order():
    """Old patients' changed values, in the new table's row order then column order: a value
    changed, emptied or typed, a missing value on both sides (NaN differs from NaN, as before),
    a patient removed or added (not a cell change), a column only one side has."""
    from reviewflow.living.whats_new import compare_cells

    nan = float("nan")
    old = pd.DataFrame(
        {
            "case_id": ["C01", "C02", "C03", "C04"],
            "age": ["37", "50", "", "61"],
            "age_cell": ["cases!F2", "cases!F3", "cases!F4", "cases!F5"],
            "sex": ["male", "female", "male", nan],
            "dropped": ["a", "b", "c", "d"],
            "note": [nan, "x", "y", "z"],
        }
    )
    new = pd.DataFrame(
        {
            "case_id": ["C03", "C01", "C02", "C05"],
            "age": ["44", "38", "50", "70"],
            "age_cell": ["cases!F4", "cases!F2", "cases!F3", "cases!F6"],
            "sex": ["male", "male", "", "female"],
            "added": ["x", "y", "z", "w"],
            "note": ["y", nan, "x", "r"],
        }
    )
    got = compare_cells(old, new, "cell", "case_id")
    assert got == cells_one_by_one(old, new, "cell", "case_id")
    assert [(r["key"], r["field"], r["before"], r["after"], r["change"]) for r in got] == [
        ("C03", "age (cases!F4)", "", "44", "new"),
        ("C01", "age (cases!F2)", "37", "38", "changed"),
        ("C01", "note", "nan", "nan", "unchanged"),
        ("C02", "sex", "female", "", "removed"),
    ]
    assert compare_cells(old.iloc[:0], new, "cell", "case_id") == []
