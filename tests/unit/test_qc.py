"""Quality checks: plausible ranges, contradictions, possible duplicates, folded spellings."""

import dataclasses
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.core.errors import InputProblems
from reviewflow.dataset.build import build_dataset
from reviewflow.dataset.harmonise import harmonise
from reviewflow.dataset.qc import (
    candidate_pairs,
    consistency_issues,
    duplicate_pairs,
    duplicates_by_case,
    evidence,
    largest_of_others,
    patient_words,
    range_issues,
)
from tests.unit.test_harmonise import CODEBOOK, DEFINITIONS, VOCABULARY, raw_cases, raw_studies

TWO_STUDIES = [("S01", "Chan", "2014"), ("S02", "Wong", "2020")]
PATIENT = {
    "sex": "Male", "age": "43", "time": "2w", "involved_area": "C T", "serum_igg4": "Normal",
    "mri_enhancement": "Y", "initial_symptom": "Cervicalgia",
    "main_symptoms": "Cervicalgia, limb weakness", "pathology": "Fibrosis",
    "treatment": "Decompression surgery Glucocorticoid", "outcome": "Improved",
}  # fmt: skip


def rows_of(*changes, studies=TWO_STUDIES):
    return harmonise(raw_cases(*changes), raw_studies(*studies), CODEBOOK, VOCABULARY)[0]


def test_implausible_value_is_flagged_with_its_comparison_and_kept():
    cases = raw_cases(
        {"csf_protein": "Increase", "csf_protein_mg_dl": "865"},
        {"csf_protein": "Increase", "csf_protein_mg_dl": "3,260"},
        {"age": "ND", "time": "1,000w"},
    )
    issues = range_issues(cases, CODEBOOK)
    assert [(i.case_id, i.field, i.raw_value, i.severity) for i in issues] == [
        ("C03", "time", "1,000w", "warning"),
        ("C02", "csf_protein_mg_dl", "3,260", "warning"),
    ]
    assert issues[1].message == (
        "cases!M3: csf_protein_mg_dl 3260 mg/dL is outside the plausible range 10-1000 mg/dL "
        f"({CODEBOOK.path}), 3.8 times the largest other value (865): check the report "
        "for a unit or typing error; the value is kept as printed"
    )


def test_contradictions_within_a_patient():
    changes = (
        {"csf_protein": "Normal", "csf_protein_mg_dl": "100"},
        {"csf_protein": "Increase", "csf_protein_mg_dl": "40"},
        {"csf_protein": "ND", "csf_protein_mg_dl": "60"},
        {"mri_enhancement": "N", "enhancement_pattern": "Focal"},
        {"pathology": "ND", "igg4_cells": ">10"},
        {"outcome": "Improved No improvement"},
        {"source": "Wong et al."},
        {"csf_protein": "Normal", "csf_protein_mg_dl": "45"},  # at the limit: consistent
    )
    cases, studies = raw_cases(*changes), raw_studies()
    rows = rows_of(*changes, studies=[("S01", "Chan", "2014")])
    issues = consistency_issues(cases, studies, rows, CODEBOOK, DEFINITIONS)
    assert [(i.case_id, i.field) for i in issues] == [
        ("C01", "csf_protein"),
        ("C02", "csf_protein"),
        ("C03", "csf_protein"),
        ("C04", "enhancement_pattern"),
        ("C05", "pathology"),
        ("C06", "outcome"),
        ("C07", "source"),
    ]
    assert issues[0].message == (
        "cases!L2: status Normal but cases!M2 is 100 mg/dL, above 45 mg/dL"
    )
    assert issues[6].message == (
        "cases!D8: source does not begin with the first author 'Chan' of study S01: check the "
        "study_id"
    )


def test_duplicate_patients_of_different_articles_are_paired_with_evidence():
    rows = rows_of(
        {**PATIENT, "study_id": "S01"},
        {**PATIENT, "study_id": "S02", "source": "Wong et al.", "year": "2020",
         "serum_igg4": "ND", "outcome": "Improved Recurrence"},
    )  # fmt: skip
    [pair] = duplicate_pairs(rows, CODEBOOK, VOCABULARY)
    assert (pair.first, pair.second) == ("C01", "C02")
    assert pair.conflicting == ("outcome",) and pair.not_comparable == ("serum_igg4",)
    assert pair.evidence == (
        "C02 (Wong 2020, row 3) may be the same patient as C01 (Chan 2014, row 2); same sex "
        "(male), age 43 and 43; equal: onset to diagnosis 2 weeks; involved levels C T; MRI "
        "enhancement yes; initial symptoms pain, pain_cervicalgia; main symptoms pain, "
        "pain_cervicalgia, sensory_or_weakness; pathology fibrosis; treatment decompression, "
        "glucocorticoid; different: outcome improved vs improved, recurrence; not reported in one "
        "or both: serum IgG4; published 2014 and 2020; other co-authors not recorded: check both "
        "reports (flagged, never removed)"
    )
    assert duplicates_by_case([pair]) == {"C01": "C02", "C02": "C01"}


def test_no_pair_when_sex_age_article_or_evidence_differ():
    other = {**PATIENT, "study_id": "S02", "source": "Wong et al.", "year": "2020"}
    for change in (
        {"sex": "Female"},
        {"sex": "ND"},
        {"age": "45"},  # two years apart
        {"age": "ND"},
        {"study_id": "S01", "source": "", "year": "2014"},  # one article's own patients
        {"time": "8w", "involved_area": "T", "outcome": "Death"},  # three conflicts
        {"time": "ND", "involved_area": "ND", "initial_symptom": "ND", "main_symptoms": "ND"},
    ):
        rows = rows_of({**PATIENT, "study_id": "S01"}, {**other, **change})
        assert duplicate_pairs(rows, CODEBOOK, VOCABULARY) == [], change
    rows = rows_of({**PATIENT, "study_id": "S01"}, {**other, "age": "44"})
    assert len(duplicate_pairs(rows, CODEBOOK, VOCABULARY)) == 1  # one year apart


def test_folded_spellings_are_listed_as_info_after_warnings():
    cases = raw_cases({"pathology": "Nd", "csf_protein_mg_dl": "3,260", "csf_protein": "Increase"})
    _, qc = build_dataset(cases, raw_studies(), CODEBOOK, VOCABULARY, DEFINITIONS)
    assert list(qc.columns) == ["case_id", "field", "raw_value", "severity", "message"]
    assert qc[["field", "raw_value", "severity"]].values.tolist() == [
        ["csf_protein_mg_dl", "3,260", "warning"],
        ["pathology", "Nd", "info"],
    ]
    assert qc.loc[1, "message"] == (
        f"cases!Q2: 'Nd' read as 'ND' (lower-case d): spelling folded by {VOCABULARY.path}"
    )


def test_unknown_duplicate_item_in_the_codebook_is_reported():
    settings = CODEBOOK.quality_checks["duplicates"]
    items = [*settings["items"], {"column": "haircolour", "label": "hair"}]
    checks = {**CODEBOOK.quality_checks, "duplicates": {**settings, "items": items}}
    codebook = dataclasses.replace(CODEBOOK, quality_checks=checks)
    with pytest.raises(InputProblems) as error:
        duplicate_pairs(rows_of({}, {}), codebook, VOCABULARY)
    assert error.value.problems == [
        f"{CODEBOOK.path}: quality_checks.duplicates.items: {{'column': 'haircolour', 'label': "
        "'hair'}: unknown item: a dataset column ({column, label}) or a multi-label field "
        "({field, label})"
    ]


def test_consistency_checks_are_declared_not_coded():
    """A check on a new pair of fields, declared in the codebook only."""
    check = {
        "field": "serum_igg4",
        "title": "serum vs age",
        "when": {
            "all": [
                {"column": "serum_igg4", "equals": "elevated"},
                {"at_most": {"column": "age_years", "value": 18}},
            ]
        },
        "message": "serum {serum_igg4.raw} at age {age.raw} ({age.cell}), at most {limit}",
    }
    checks = {**CODEBOOK.quality_checks, "consistency": [check]}
    codebook = dataclasses.replace(CODEBOOK, quality_checks=checks)
    cases = raw_cases({"serum_igg4": "Increase", "age": "12"}, {"serum_igg4": "Increase"})
    rows = harmonise(cases, raw_studies(), codebook, VOCABULARY)[0]
    issues = consistency_issues(cases, raw_studies(), rows, codebook, DEFINITIONS)
    assert [(i.case_id, i.field, i.message) for i in issues] == [
        ("C01", "serum_igg4", "cases!J2: serum Increase at age 12 (cases!F2), at most 18")
    ]


def test_a_check_names_the_review_s_conditions_and_parameters(tmp_path):
    """A check may use a named condition and a parameter of the definitions (each defined once
    there); {limit} is the parameter's value; a name the definitions lack is a located problem
    of the codebook, when the definitions are loaded and when the checks run."""
    from reviewflow.core.definitions import Definitions
    from reviewflow.dataset.definitions import load_definitions

    check = {
        "field": "serum_igg4",
        "title": "young and treated",
        "when": {
            "all": [
                {"condition": "treated_young"},
                {"at_most": {"column": "age_years", "value": "{young_age}"}},
            ]
        },
        "message": "age {age.raw} at most {limit}",
    }
    codebook = dataclasses.replace(CODEBOOK, quality_checks={"consistency": [check]})
    definitions = Definitions(
        "definitions.yaml",
        parameters={"young_age": 18},
        conditions={"treated_young": {"column": "serum_igg4", "equals": "elevated"}},
    )
    cases = raw_cases({"serum_igg4": "Increase", "age": "12"}, {"age": "12"})
    rows = harmonise(cases, raw_studies(), codebook, VOCABULARY)[0]
    issues = consistency_issues(cases, raw_studies(), rows, codebook, definitions)
    assert [(i.case_id, i.message) for i in issues] == [("C01", "cases!J2: age 12 at most 18")]

    where = f"{CODEBOOK.path}: quality_checks.consistency[1].when"
    with pytest.raises(InputProblems) as error:
        consistency_issues(cases, raw_studies(), rows, codebook, Definitions("definitions.yaml"))
    assert error.value.problems == [
        f"{where}.all[0].condition: 'treated_young': not a named condition of the review",
        f"{where}.all[1].at_most.value: {{young_age}}: not a parameter; known: ",
    ]
    path = tmp_path / "definitions.yaml"
    path.write_text("parameters:\n  young_age: 18\n", encoding="utf-8")
    with pytest.raises(InputProblems) as error:
        load_definitions(path, codebook)
    assert error.value.problems == [
        f"{where}.all[0].condition: 'treated_young': not a named condition of the review"
    ]


def test_a_bad_consistency_check_is_located():
    from reviewflow.extraction.quality_checks import quality_check_problems

    check = {
        "field": "serum",
        "when": {"all": [{"equal": {"sex": "male"}}, {"reported": "sexx"}]},
        "message": "{sex.raw} {raw[sex]} {studies.first_autor} {sex",
    }
    codebook = dataclasses.replace(CODEBOOK, quality_checks={"consistency": [check]})
    where = f"{CODEBOOK.path}: quality_checks.consistency[1]"
    assert quality_check_problems(codebook) == [
        f"{where}.message: {{raw[sex]}}: the old spelling of a placeholder: write {{sex.raw}}",
        f"{where}.message: '{{sex.raw}} {{raw[sex]}} {{studies.first_autor}} {{sex': a brace "
        "that is not part of a placeholder: braces hold only {name} or {name.attribute}",
        f"{where}.message: {{studies.first_autor}}: not a name known here (did you mean "
        "{studies.first_author}?)",
        f"{where}.field: 'serum': not a workbook field: a field name",
        f"{where}.when.all[0]: 'equal': unknown kind of condition: one of column, is_true, "
        "is_false, reported, not_reported, above, at_most, outlier, starts_with, all, any, not, "
        "condition",
        f"{where}.when.all[1].reported: 'sexx': not a column",
    ]


def test_an_old_form_of_check_is_told_the_new_spelling():
    from reviewflow.extraction.quality_checks import quality_check_problems

    check = {"field": "sex", "when": {"equals": {"sex": "male"}, "above": {"age_years": 3}}}
    check["message"] = "m"
    codebook = dataclasses.replace(CODEBOOK, quality_checks={"consistency": [check]})
    [problem] = quality_check_problems(codebook)
    assert problem.startswith(
        f"{CODEBOOK.path}: quality_checks.consistency[1].when: ['above', 'equals']: the old "
        "form of a check: write one condition of the review's condition language"
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["female", "male", None]),
            st.one_of(st.none(), st.integers(0, 12), st.floats(0, 12, allow_nan=False)),
        ),
        max_size=40,
    ),
    st.sampled_from([0, 0.5, 1, 3]),
)
def test_candidate_pairs_are_the_pairs_of_every_combination_that_could_match(values, at_most):
    """Blocking on `equal` and sweeping the first `within` column finds exactly the pairs a
    comparison of every two rows would keep, in the same order (issue 21: no square time)."""
    rows = [{"sex": sex, "age": age} for sex, age in values]
    settings = {
        "equal": [{"column": "sex"}],
        "within": [{"column": "age", "at_most": at_most}],
    }
    expected = [
        (i, j)
        for i, j in combinations(range(len(rows)), 2)
        if rows[i]["sex"] is not None
        and rows[i]["sex"] == rows[j]["sex"]
        and rows[i]["age"] is not None
        and rows[j]["age"] is not None
        and abs(rows[i]["age"] - rows[j]["age"]) <= at_most
    ]
    assert candidate_pairs(rows, settings) == expected


def test_the_largest_value_of_the_other_rows():
    """Each row's largest other value, found without comparing every two rows (issue 21)."""
    assert largest_of_others([[3.0], [], [7.0, 1.0], [7.0], [2.0]]) == [7.0, 7.0, 7.0, 7.0, 7.0]
    assert largest_of_others([[3.0], [9.0, 2.0], []]) == [9.0, 3.0, 9.0]
    assert largest_of_others([[5.0], []]) == [None, 5.0]
    assert largest_of_others([]) == []


def test_the_evidence_of_a_pair_is_the_same_from_each_patient_s_items_found_once():
    """duplicate_pairs words each patient's items once; the evidence is the one `evidence`
    writes from the two rows alone."""
    third = {**PATIENT, "study_id": "S02", "source": "Wong et al.", "year": "2020"}
    rows = rows_of(
        {**PATIENT, "study_id": "S01"},
        {**third, "serum_igg4": "ND", "outcome": "Improved Recurrence"},
        third,
    )
    settings = CODEBOOK.quality_checks["duplicates"]
    items = {item.get("column") or item["field"]: item for item in settings["items"]}
    pairs = duplicate_pairs(rows, CODEBOOK, VOCABULARY)
    assert [(p.first, p.second) for p in pairs] == [("C01", "C02"), ("C01", "C03")]
    by_id = {row["case_id"]: row for row in rows}
    for pair in pairs:
        named = [[items[n] for n in names] for names in (pair.matching, pair.conflicting)]
        missing = [items[n] for n in pair.not_comparable]
        a, b = by_id[pair.first], by_id[pair.second]
        shown = [patient_words(row, settings, CODEBOOK) for row in (a, b)]
        alone = evidence(a, b, *named, missing, settings, shown)
        assert pair.evidence == alone
