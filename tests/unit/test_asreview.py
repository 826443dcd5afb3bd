"""ASReview interop: our export is what ASReview reads; ASReview's labelled export (files made by
ASReview's own writers, see asreview_exports/make_exports.py) is one reviewer's decisions."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
import rispy

from reviewflow.core.errors import InputProblems
from reviewflow.core.io import guard_cell
from reviewflow.screening import asreview
from reviewflow.screening.decisions import record_id_index
from reviewflow.screening.files import Checker, DecisionFile
from reviewflow.screening.folder import read_decisions

from .asreview_exports.make_exports import LABELS, tricky_records
from .test_screening import TA_REASONS, W1, make_records, rid
from .test_screening import settings as screening_settings

EXPORTS = Path(__file__).parent / "asreview_exports"
RECORDS = tricky_records()
# What the reviewer's ASReview labels and notes mean (asreview_exports/make_exports.LABELS)
EXPECTED = [
    (rid(W1, 1), "include", "", ""),
    (rid(W1, 2), "exclude", "Not a case report", ""),  # the note names a reason
    (rid(W1, 3), "exclude", "Not relevant to the review question", "just a note"),  # default
    (rid(W1, 4), "include", "", ""),
]  # record 5: not seen -> no decision


def settings():
    return screening_settings(
        exclusion_reasons={
            "title_abstract": [*TA_REASONS],
            "full_text": ["Incomplete clinical report"],
        }
    )


def read_export(path: Path, config=None) -> tuple[list, list[str]]:
    checker = Checker(ids=record_id_index(RECORDS), settings=config or settings(), problems=[])
    file = DecisionFile(path, "title_abstract", "carol", asreview=True)
    decisions = asreview.read_labelled_export(file, checker)
    return sorted((d.record_id, d.decision, d.reason, d.note) for d in decisions), checker.problems


@pytest.mark.parametrize(
    "name", sorted(p.name for p in EXPORTS.iterdir() if ".asreview." in p.name)
)
def test_asreview_exports_read_as_one_reviewers_title_abstract_decisions(name):
    decisions, problems = read_export(EXPORTS / name)
    assert problems == []
    assert decisions == EXPECTED


def test_an_asreview_export_in_the_decisions_folder_is_read_with_the_others(tmp_path):
    shutil.copy(
        EXPORTS / "title_abstract_from-csv.asreview.csv",
        tmp_path / "title_abstract_carol.asreview.csv",
    )
    decisions = read_decisions(tmp_path, record_id_index(RECORDS), settings())
    assert [(d.by, d.stage) for d in decisions] == [("carol", "title_abstract")] * 4
    assert decisions[0].source.endswith("title_abstract_carol.asreview.csv, line 2")


def test_asreview_1_exports_with_an_included_column(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame(
        {
            "record_id": [0, 1, 2],
            "reviewflow_record_id": [rid(W1, 1), rid(W1, 2), rid(W1, 5)],
            "included": ["1", "0", ""],
            "asreview_ranking": [1, 2, 3],
        }
    ).to_csv(path, index=False)
    decisions, problems = read_export(path)
    assert problems == []
    assert decisions == [
        (rid(W1, 1), "include", "", ""),
        (rid(W1, 2), "exclude", "Not relevant to the review question", ""),
    ]


def test_bad_asreview_exports_are_reported(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text(
        "reviewflow_record_id\tasreview_label\tasreview_note\n"
        f"{rid(W1, 1)}\t2\t\n"
        f"nope\t1\t\n"
        f"{rid(W1, 3)}\t0\twhatever\n"
    )
    no_default = screening_settings(asreview={"default_exclusion_reason": None})
    _, problems = read_export(path, no_default)
    assert problems[0] == (
        f"{path.as_posix()}, line 2: label '2' is not an ASReview label; allowed: 1 (relevant), "
        "0 (irrelevant), empty (not seen)"
    )
    assert problems[1].startswith(f"{path.as_posix()}, line 3: record_id 'nope' is not a record")
    assert problems[2].startswith(
        f"{path.as_posix()}, line 4: record '{rid(W1, 3)}' is excluded without a reason: write "
        "one of the title_abstract exclusion reasons as its ASReview note"
    )
    assert len(problems) == 3

    bare = tmp_path / "bare.csv"
    bare.write_text("title,label_included\nT,1\n")
    _, problems = read_export(bare)
    assert problems == [
        f"{bare.as_posix()}: no 'reviewflow_record_id' or 'id' column (RIS: no ID tag); screen in "
        "ASReview the records the workflow exported (results/screening/asreview/to_screen.csv or "
        ".ris), so that each decision keeps its record id"
    ]
    unlabelled = tmp_path / "unlabelled.csv"
    unlabelled.write_text(f"reviewflow_record_id,title\n{rid(W1, 1)},T\n")
    assert "no label column" in read_export(unlabelled)[1][0]


def test_the_folder_reader_raises_with_asreview_problems(tmp_path):
    (tmp_path / "title_abstract_carol.asreview.csv").write_text("title\nT\n")
    with pytest.raises(InputProblems, match="no 'reviewflow_record_id' or 'id' column"):
        read_decisions(tmp_path, record_id_index(RECORDS), settings())


def test_csv_export_keeps_ids_and_guards_formulas(tmp_path):
    asreview.write_csv(RECORDS, tmp_path / "to_screen.csv")
    frame = pd.read_csv(tmp_path / "to_screen.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(asreview.EXPORT_COLUMNS)
    assert list(frame["reviewflow_record_id"]) == list(RECORDS["record_id"])
    assert frame.loc[0, "title"] == guard_cell(RECORDS.loc[0, "title"])
    assert frame.loc[0, "title"].startswith("'=")
    assert frame.loc[3, "year"] == ""
    assert frame.loc[2, "url"] == f"https://pubmed.ncbi.nlm.nih.gov/{RECORDS.loc[2, 'pmid']}/"


def test_ris_export_reads_back_with_rispy(tmp_path):
    asreview.write_ris(RECORDS, tmp_path / "to_screen.ris")
    with open(tmp_path / "to_screen.ris", encoding="utf-8") as handle:
        entries = rispy.load(handle)
    assert [e["id"] for e in entries] == list(RECORDS["record_id"])
    assert entries[4]["authors"] == ["Müller, Hans-Peter", "O'Brien, C"]
    assert entries[1]["abstract"] == "Line one. Line two; with semicolons, commas and é ü."
    assert "doi" not in entries[2] and "year" not in entries[3]


def test_exports_of_no_records(tmp_path):
    empty = make_records(W1, [])
    asreview.write_csv(empty, tmp_path / "a.csv")
    asreview.write_ris(empty, tmp_path / "a.ris")
    assert (tmp_path / "a.csv").read_text().strip() == ",".join(asreview.EXPORT_COLUMNS)
    assert (tmp_path / "a.ris").read_text() == ""


def test_against_asreview_itself_when_installed(tmp_path):
    """Runs only where asreview is installed (it is not a dependency of the project)."""
    pytest.importorskip("asreview", reason="asreview not installed: committed exports tested")
    from .asreview_exports.make_exports import make_exports

    read_back = make_exports(tmp_path)
    for kind, records in read_back.items():
        titles = [r.title for r in records]
        expected = [guard_cell(t) if kind == "csv" else " ".join(t.split()) for t in RECORDS.title]
        assert titles == expected
        assert [r.doi or "" for r in records] == list(RECORDS.doi)
    for path in sorted(tmp_path.glob("*.asreview.*")):
        assert read_export(path) == (EXPECTED, []), path.name
    assert len(LABELS) == 4
