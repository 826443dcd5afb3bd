"""Appraisal on hand-made data: the shipped checklists load, the declared overall rule, the
appraisers' workbooks (every problem located), conflicts and adjudication, agreement with known
kappa, the tables (C5), the methods text and the figure."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reviewflow.appraisal.appraise import (
    NOT_APPRAISED,
    agreement_table,
    appraisal_table,
    combine,
    conflict_table,
    conflicts_of,
    load_checklist,
    quality_table,
    read_appraisal_adjudication,
    read_appraisals,
    write_appraisal_workbook,
)
from reviewflow.appraisal.figure import write_traffic_light
from reviewflow.appraisal.methods_text import appraisal_methods, extraction_methods
from reviewflow.core.errors import InputProblems

REPO = Path(__file__).resolve().parents[2]
JBI = load_checklist(REPO / "config" / "appraisal" / "jbi_case_reports.yaml")
STUDIES = pd.DataFrame(
    {
        "study_id": ["S01", "S02", "S03"],
        "first_author": ["Chan", "Choi", "Tajima"],
        "year": ["2009", "2010", "2012"],
        "title": ["One", "Two", '=HYPERLINK("x")'],
    }
)
YES = ["Yes"] * 8


def workbook(tmp_path: Path, name: str, answers: dict[str, list]) -> str:
    """The generated workbook of `name`, filled in with `answers` (study_id -> cells E..L)."""
    path = tmp_path / f"{name}.xlsx"
    write_appraisal_workbook(JBI, STUDIES, name, path)
    book = load_workbook(path)
    sheet = book["appraisal"]
    for row in range(2, sheet.max_row + 1):
        for offset, value in enumerate(answers.get(sheet.cell(row=row, column=1).value, [])):
            sheet.cell(row=row, column=5 + offset).value = value
    book.save(path)
    return str(path)


def test_both_shipped_checklists_have_eight_items_and_the_four_answers():
    murad = load_checklist(REPO / "config" / "appraisal" / "murad_2018.yaml")
    for checklist in (JBI, murad):
        assert len(checklist.items) == 8
        assert checklist.answer_labels == ["Yes", "No", "Unclear", "Not applicable"]
        assert checklist.labels[-1] == NOT_APPRAISED
    assert {i.domain for i in murad.items} == {
        "Selection",
        "Ascertainment",
        "Causality",
        "Reporting",
    }


@pytest.mark.parametrize(
    ("answers", "judgement"),
    [
        (YES, "include"),
        (["No"] + ["Yes"] * 7, "include"),
        (["No", "Unclear"] + ["Yes"] * 6, "include_with_caution"),
        (["No", "Unclear", "No"] + ["Not applicable"] * 5, "include_with_caution"),
        (["No", "Unclear", "No", "Unclear"] + ["Yes"] * 4, "exclude"),
        (["Not applicable"] * 8, "include"),  # not applicable is never counted
    ],
)
def test_overall_rule_counts_no_and_unclear(answers, judgement):
    assert JBI.judge(dict(zip(JBI.item_ids, answers, strict=True)))[0] == judgement


def test_a_bad_checklist_is_reported_whole(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nanswers: [{label: 'Yes'}, {label: 'No'}]\n"
        "items: [{id: Q1, question: A}, {id: Q1, question: B}, {id: note, question: C}]\n"
        "overall: {count: ['Maybe'], judgements: [{label: ok, at_most: 1}, {label: bad, "
        "at_most: 3}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputProblems) as error:
        load_checklist(path)
    assert error.value.problems == [
        f"{path}: items: ['Q1', 'Q1', 'note']: at least one item, each with a unique id",
        f"{path}: items: 'note': a reserved column name: another id",
        f"{path}: overall.count: 'Maybe': not an answer: one of ['Yes', 'No']",
        f"{path}: overall.judgements: every judgement but the last needs a whole number "
        "at_most, the last none (it takes every other count)",
    ]


def test_generated_workbook_has_a_row_per_study_drop_downs_and_text_kept_text(tmp_path):
    path = tmp_path / "ana.xlsx"
    write_appraisal_workbook(JBI, STUDIES, "ana", path)
    book = load_workbook(path)
    sheet = book["appraisal"]
    assert [c.value for c in sheet[1]] == [
        "study_id", "first_author", "year", "title", *JBI.item_ids, "note",
    ]  # fmt: skip
    assert [sheet.cell(row=r, column=1).value for r in (2, 3, 4)] == ["S01", "S02", "S03"]
    assert sheet["D4"].data_type == "s"  # a title starting with "=" stays text
    drop_downs = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(drop_downs) == 8 and str(drop_downs[0].sqref) == "E2:E4"
    assert sheet.freeze_panes == "E2"
    assert book["readme"]["B8"].value == JBI.items[2].question


def test_every_workbook_problem_is_located(tmp_path):
    ana = workbook(tmp_path, "ana", {"S01": ["Maybe"] + ["Yes"] * 7, "S02": ["Yes", None]})
    book = load_workbook(ana)
    book["appraisal"]["A5"] = "S99"
    book["appraisal"]["E5"] = "Yes"
    book.save(ana)
    with pytest.raises(InputProblems) as error:
        read_appraisals({"ana": ana}, JBI, list(STUDIES["study_id"]))
    problems = error.value.problems
    assert problems[0] == (
        f"{ana}: appraisal!E2: 'Maybe': Q1 is not an allowed value: "
        "one of Yes, No, Unclear, Not applicable; blank: not answered yet"
    )
    assert f"{ana}: appraisal!F3: '': Q2 is empty but study S02 has other answers" in problems[1]
    assert problems[-1].startswith(f"{ana}: appraisal!A5: 'S99': not an included study")
    assert len(problems) == 9  # Q2..Q8 of S02 missing: 7


def combined(tmp_path, ana_answers, ben_answers, adjudication_text=None):
    paths = {
        "ana": workbook(tmp_path, "ana", ana_answers),
        "ben": workbook(tmp_path, "ben", ben_answers),
    }
    files = read_appraisals(paths, JBI, list(STUDIES["study_id"]))
    conflicts = conflicts_of(files, JBI)
    adjudication = tmp_path / "adjudication.tsv"
    if adjudication_text is not None:
        adjudication.write_text(adjudication_text, encoding="utf-8")
    settled = read_appraisal_adjudication(adjudication, conflicts, JBI)
    return files, conflicts, settled, combine(list(STUDIES["study_id"]), files, settled, JBI)


def test_conflicts_incomplete_and_not_appraised_studies(tmp_path):
    ana = {"S01": YES, "S02": ["No"] + ["Yes"] * 7}
    ben = {"S01": ["Unclear"] + ["Yes"] * 7}
    files, conflicts, settled, result = combined(tmp_path, ana, ben)
    assert [(a.study_id, a.status, a.judgement) for a in result] == [
        ("S01", "in_conflict", NOT_APPRAISED),
        ("S02", "incomplete", NOT_APPRAISED),
        ("S03", NOT_APPRAISED, NOT_APPRAISED),
    ]
    assert result[1].reason == "appraised by ana only; ben still to appraise"
    table = conflict_table(conflicts, settled, ["ana", "ben"])
    assert table[["study_id", "item", "answer_ana", "answer_ben", "status"]].values.tolist() == [
        ["S01", "Q1", "Yes", "Unclear", "open"]
    ]


def test_adjudication_settles_conflicts_and_bad_rows_are_located(tmp_path):
    ana = {"S01": YES, "S02": ["No", "No"] + ["Yes"] * 6}
    ben = {"S01": ["Unclear"] + ["Yes"] * 7, "S02": ["No", "Yes"] + ["Yes"] * 6}
    header = "study_id\titem\tanswer\treviewer\tnote\n"
    with pytest.raises(InputProblems) as error:
        combined(tmp_path, ana, ben, header + "S01\tQ1\tSometimes\tcarla\t\nS01\tQ2\tNo\tcarla\t\n")
    path = tmp_path / "adjudication.tsv"
    assert error.value.problems == [
        f"{path}:2: 'Sometimes': answer is not allowed: one of Yes, No, Unclear, Not applicable",
        f"{path}:3: S01 Q2: no conflict to settle (the appraisers agree, or not all have answered "
        "the study): delete the row",
    ]
    text = header + "S01\tQ1\tUnclear\tcarla\t\nS02\tQ2\tNo\tcarla\tno timeline\n"
    files, conflicts, settled, result = combined(tmp_path, ana, ben, text)
    assert [(a.status, a.judgement, a.adjudicated) for a in result[:2]] == [
        ("appraised", "include", ("Q1",)),
        ("appraised", "include_with_caution", ("Q2",)),
    ]
    quality = quality_table(result)
    assert list(quality.columns) == ["study_id", "judgement", "reason"]
    assert quality.loc[1, "reason"] == (
        "2 of 8 items No or Unclear (Q1 No, Q2 No): two or three items answered No or Unclear"
    )
    table = appraisal_table(result, STUDIES, JBI)
    assert table.loc[0, "study"] == "Chan 2009" and table.loc[0, "Q1"] == "Unclear"

    agreement = agreement_table(files, JBI).set_index("item")
    # Q1 over S01, S02: ana Yes No, ben Unclear No: p_o = 1/2, p_e = 1/4 -> kappa 1/3
    assert agreement.loc["Q1", "kappa"] == pytest.approx(0.3333)
    assert agreement.loc["all", "studies"] == 16 and agreement.loc["all", "agreed"] == 14
    conflicts_table = conflict_table(conflicts, settled, ["ana", "ben"])
    methods = appraisal_methods(
        JBI, ["ana", "ben"], table, agreement.reset_index(), conflicts_table
    )
    assert "2 of 3 included studies are appraised (1 not appraised: judgement not_appraised)" in (
        methods
    )
    assert "2 answers differed between appraisers; 2 were settled by adjudication" in methods
    assert "Judgements: include 1, include_with_caution 1, exclude 0." in methods

    png, svg = tmp_path / "t.png", tmp_path / "t.svg"
    write_traffic_light(table, JBI, str(png), str(svg))
    assert png.read_bytes()[:4] == b"\x89PNG" and "Tajima" not in svg.read_text()
    assert "Choi 2010" in svg.read_text()
    again = tmp_path / "again.svg"
    write_traffic_light(table, JBI, str(tmp_path / "again.png"), str(again))
    assert again.read_bytes() == svg.read_bytes()  # the same appraisal, the same SVG


def test_methods_text_of_single_and_unappraised_review():
    assert extraction_methods([], "extraction/cases.xlsx", None, None).startswith(
        "Data were extracted into one workbook (extraction/cases.xlsx), single extraction"
    )
    table = appraisal_table(combine(list(STUDIES["study_id"]), {}, {}, JBI), STUDIES, JBI)
    text = appraisal_methods(JBI, [], table, pd.DataFrame(columns=["item"]), pd.DataFrame())
    assert text.endswith(
        "No appraiser is declared and no appraisal file exists: none of the 3 included studies "
        "is appraised (judgement not_appraised); nothing is invented."
    )


ANSWERS = st.lists(st.sampled_from(JBI.answer_labels), min_size=8, max_size=8)


@settings(max_examples=100, deadline=None)
@given(ANSWERS, st.integers(min_value=0, max_value=7))
def test_one_more_no_never_gives_a_better_judgement(answers, index):
    """The declared rule is monotone: turning any answer into No never improves a study."""
    order = [j.label for j in JBI.judgements]
    before = JBI.judge(dict(zip(JBI.item_ids, answers, strict=True)))[0]
    worse = [*answers[:index], "No", *answers[index + 1 :]]
    after = JBI.judge(dict(zip(JBI.item_ids, worse, strict=True)))[0]
    assert order.index(after) >= order.index(before)
