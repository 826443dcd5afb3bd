"""Sensitivity analyses: which patients each keeps (possible duplicates: the earliest published of
each group; appraisal: studies judged low quality left out, or everyone when no appraisal
exists), and the columns and notes they add."""

import pandas as pd
import pytest

from reviewflow.core.errors import InputProblems
from reviewflow.statistics.analysis_file import Sensitivity
from reviewflow.statistics.sensitivity import moves, subsets, with_subset_columns

CASES = pd.DataFrame(
    {
        "case_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "study_id": ["S1", "S2", "S3", "S3", "S4", "S5"],
        "year": [2016, 2020, 2022, 2022, 2018, 2018],
        # C3 ~ C1 (C3 later), C4 ~ C2 (later); C5 ~ C6 published the same year: first row kept
        "possible_duplicate_of": ["C3", "C4", "C1", "C2", "C6", "C5"],
    }
)
DUPLICATES = Sensitivity("dedup", "Without duplicates", duplicates_column="possible_duplicate_of")


def quality_analysis(path, optional=True):
    return Sensitivity(
        "quality",
        "Without low quality",
        exclude_judged=("exclude",),
        study_quality=str(path),
        study_quality_optional=optional,
    )


def test_the_later_report_of_each_group_of_possible_duplicates_is_left_out():
    (found,) = subsets(CASES, (DUPLICATES,))
    assert found.keep.tolist() == [True, True, False, False, True, False]
    assert found.n == 3
    assert found.note == (
        "left out, as later reports of a patient kept: C3 (2022; kept C1, 2016), "
        "C4 (2022; kept C2, 2020), C6 (2018; kept C5, 2018)"
    )


def test_a_chain_of_possible_duplicates_keeps_one_patient():
    cases = CASES.assign(possible_duplicate_of=["C2", "C3", "", "", "", ""])
    (found,) = subsets(cases, (DUPLICATES,))
    assert found.keep.tolist() == [True, False, False, True, True, True]


def test_an_unknown_case_id_is_a_located_problem():
    cases = CASES.assign(possible_duplicate_of=["C9", "", "", "", "", "C8; C1"])
    with pytest.raises(InputProblems) as caught:
        subsets(cases, (DUPLICATES,), "cases.csv")
    assert caught.value.problems == [
        "line 2, column possible_duplicate_of: 'C9': no such case_id (must list case_ids of the "
        "dataset)",
        "line 7, column possible_duplicate_of: 'C8': no such case_id (must list case_ids of the "
        "dataset)",
    ]


def test_no_appraisal_file_keeps_everyone_and_says_so(tmp_path):
    (found,) = subsets(CASES, (quality_analysis(tmp_path / "absent.tsv"),))
    assert found.n == 6 and found.caveat == "no appraisal exists"
    assert "absent.tsv absent" in found.note
    assert found.header == "Without low quality (n = 6; no appraisal exists)"


def test_a_required_appraisal_file_that_is_absent_is_a_problem(tmp_path):
    with pytest.raises(InputProblems, match="file not found"):
        subsets(CASES, (quality_analysis(tmp_path / "absent.tsv", optional=False),))


def test_all_studies_not_appraised_keeps_everyone(tmp_path):
    path = tmp_path / "study_quality.tsv"
    lines = ["study_id\tjudgement\treason"] + [f"S{i}\tnot_appraised\t" for i in range(1, 6)]
    path.write_text("\n".join(lines) + "\n")
    (found,) = subsets(CASES, (quality_analysis(path),))
    assert found.n == 6
    assert found.note == "no appraisal exists (all 5 studies not_appraised): every patient"


def test_patients_of_studies_judged_low_quality_are_left_out(tmp_path):
    path = tmp_path / "study_quality.tsv"
    path.write_text(
        "study_id\tjudgement\treason\nS1\tinclude\t\nS3\texclude\tno follow-up\n"
        "S4\tinclude_with_caution\t\nS5\tnot_appraised\t\n"
    )
    (found,) = subsets(CASES, (quality_analysis(path),))
    assert found.keep.tolist() == [True, True, False, False, True, True]
    assert found.caveat == ""
    assert found.note == (
        "left out 2 patients of 1 studies judged exclude (S3); not in the appraisal (kept): S2"
    )


def test_a_malformed_appraisal_table_is_refused(tmp_path):
    path = tmp_path / "study_quality.tsv"
    path.write_text("study\tverdict\nS1\texclude\n")
    with pytest.raises(InputProblems, match="missing column"):
        subsets(CASES, (quality_analysis(path),))


def test_subset_columns_and_moves():
    def table(part):
        return pd.DataFrame(
            {"key": ["n"], "n_reported": [len(part)], "value": [f"{len(part)} patients"]}
        )

    (found,) = subsets(CASES, (DUPLICATES,))
    frame = with_subset_columns(table, CASES, [found], ["key"])
    assert frame.iloc[0].to_dict() == {
        "key": "n",
        "n_reported": 6,
        "value": "6 patients",
        "n_reported_dedup": 3,
        "value_dedup": "3 patients",
    }
    assert moves(frame, found, lambda row: row["key"]) == [
        "n: 6 patients → 3 patients (reported 6 → 3)"
    ]
