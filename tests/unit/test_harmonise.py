"""Harmonisation: the vocabulary (phrase splitting, variants, unknown phrases) and typed rows."""

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.core.errors import InputProblems
from reviewflow.dataset.definitions import load_definitions
from reviewflow.dataset.harmonise import Phrase, harmonise, load_vocabulary, split_phrases
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.raw import RawSheet

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = load_codebook(
    REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
)
VOCABULARY = CODEBOOK.vocabulary
# the first review's named conditions and parameters (its consistency checks name one)
DEFINITIONS = load_definitions(REPO / "config" / "definitions.yaml", CODEBOOK)
FIELDS = CODEBOOK.sheet("cases").names
DEFAULT = {
    "case_id": "C01", "study_id": "S01", "year": "2014", "source": "Chan et al.", "sex": "Male",
    "age": "37", "time": "2w", "initial_symptom": "Limb weakness",
    "main_symptoms": "Limb weakness, gait disorder", "serum_igg4": "ND", "csf_cell_count": "ND",
    "csf_protein": "ND", "csf_protein_mg_dl": "", "involved_area": "T", "mri_enhancement": "Y",
    "enhancement_pattern": "ND", "pathology": "Fibrosis", "igg4_cells": "ND",
    "igg4_igg_ratio": "ND", "treatment": "Decompression surgery", "outcome": "ND",
}  # fmt: skip


def raw_cases(*changes: dict) -> RawSheet:
    sheet = RawSheet("cases", FIELDS)
    for number, change in enumerate(changes, start=1):
        row = {**DEFAULT, "case_id": f"C{number:02d}", **change}
        sheet.rows.append(row)
        letters = "ABCDEFGHIJKLMNOPQRSTU"
        sheet.cells.append({f: f"cases!{letters[i]}{number + 1}" for i, f in enumerate(FIELDS)})
    return sheet


def raw_studies(*rows: tuple[str, str, str]) -> RawSheet:
    sheet = RawSheet("studies", ["study_id", "first_author", "year"])
    for study_id, author, year in rows or [("S01", "Chan", "2014")]:
        sheet.rows.append({"study_id": study_id, "first_author": author, "year": year})
        sheet.cells.append({})
    return sheet


def harmonised(*changes: dict):
    return harmonise(raw_cases(*changes), raw_studies(), CODEBOOK, VOCABULARY)


# --- the vocabulary -------------------------------------------------------------------------


def group(name):
    return next(g for g in VOCABULARY.groups if g.name == name)


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        ("Linear nodular", {"linear", "nodular"}),
        ("Linear, Focal", {"linear", "focal"}),
        ("Linear Focal", {"linear", "focal"}),
        ("nodular", {"nodular"}),
        ("Focal", {"focal"}),
    ],
)
def test_combined_patterns_are_split(text, categories):
    assert group("enhancement_pattern").match(text).categories == categories


def test_treatment_variants_are_folded():
    match = group("treatment").match("Glucocorticoids Andazathioprine")
    assert match.categories == {"glucocorticoid", "azathioprine"} and not match.unknown
    assert [(typed, p.spelling_of) for typed, p in match.hits] == [
        ("Glucocorticoids", "Glucocorticoid"),
        ("Andazathioprine", "and Azathioprine"),
    ]
    match = group("treatment").match("Decompression surgery Glucocorticoid Azathioprine.")
    assert match.categories == {"decompression", "glucocorticoid", "azathioprine"}
    assert match.hits[-1][1].spelling_of == "Azathioprine"


def test_nd_spellings():
    assert group("pathology").match("ND").not_reported
    nd = group("pathology").match("Nd")
    assert nd.not_reported and nd.hits[0][1].spelling_of == "ND"
    # only the first letter's case is ignored: "nD" is not a known spelling
    assert group("pathology").match("nD").unknown == ("nD",)


def test_symptoms_split_on_commas_spaces_and_and():
    match = group("symptoms").match(
        "Loss of sensation and limb weakness, Urinary and fecal disorders and cervicalgia"
    )
    assert match.categories == {"sensory_or_weakness", "urinary_fecal", "pain", "pain_cervicalgia"}
    assert [typed for typed, _ in match.hits] == [
        "Loss of sensation",
        "limb weakness",
        "Urinary and fecal disorders",  # the longest phrase wins over "Urinary ..."
        "cervicalgia",
    ]


def test_first_letter_case_is_ignored_but_other_case_differences_are_not():
    assert group("symptoms").match("headaches, tinnitus").categories == {
        "pain",
        "pain_headache",
        "cranial_visual",
    }
    match = group("symptoms").match("AbNormal sensation")
    assert match.hits[0][1].spelling_of == "Abnormal sensation"
    assert group("symptoms").match("LIMB weakness").unknown == ("LIMB",)


def test_unknown_runs_of_words_are_reported_whole():
    match = group("symptoms").match("Doraslgia, very strange feeling and Headaches, odd")
    assert match.unknown == ("very strange feeling", "odd")
    assert match.categories == {"pain", "pain_dorsalgia", "pain_headache"}


PHRASES = (
    Phrase("Limb weakness", ("w",)),
    Phrase("Doraslgia", ("d",), "Dorsalgia"),
    Phrase("Urinary and fecal disorders", ("u",)),
    Phrase("Gait disorder", ("g",)),
    Phrase("Headaches", ("h",)),
)


@given(
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=6),
    st.lists(st.sampled_from([" ", ", ", " and ", ",", "  "]), min_size=6, max_size=6),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_any_sequence_of_known_phrases_splits_back(phrases, separators, lower):
    """Known phrases joined by separators (first letters in either case) split back exactly."""
    typed = [
        p.text[0].lower() + p.text[1:] if low else p.text
        for p, low in zip(phrases, lower[: len(phrases)], strict=True)
    ]
    text = typed[0]
    for separator, phrase in zip(separators, typed[1:], strict=False):
        text += separator + phrase
    hits, unknown = split_phrases(text, PHRASES)
    assert unknown == []
    assert [p for _, p in hits] == phrases
    assert [t for t, _ in hits] == typed


def test_vocabulary_problems_are_reported_at_once(tmp_path):
    data = yaml.safe_load((REPO / "extraction" / "vocabulary.yaml").read_text(encoding="utf-8"))
    data["coded"]["sex"]["values"].pop("ND")
    data["coded"]["mri_enhancement"]["values"]["Y"] = True  # an unquoted yes
    data["phrases"]["treatment"]["phrases"]["Steroid"] = ["steroids"]
    data["phrases"]["treatment"]["phrases"]["Prednisone"] = {"spelling_of": "Prednisolone"}
    data["phrases"]["outcome"]["fields"] = {"outcome": "result_"}
    derived = data["derived"]["treatment_immunosuppressant"]
    derived["when"]["any"].append({"is_true": "treatment_tocilizumab"})
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputProblems) as error:
        load_vocabulary(path, CODEBOOK)
    assert error.value.problems == [
        f"{path}: coded.mri_enhancement: Y: a value read as true/false (YAML reads "
        "yes/no/true/false unquoted as booleans): a quoted value such as 'yes'",
        f"{path}: coded.sex: ND: allowed by the codebook but not mapped: a value for every "
        "allowed word",
        f"{path}: phrases.treatment: 'Prednisone': spelling_of 'Prednisolone' is neither a phrase "
        "nor a not_reported marker: a phrase of this group, or categories",
        f"{path}: phrases.treatment: 'Steroid': unknown categories steroids: one of "
        "decompression, biopsy, glucocorticoid, azathioprine, methotrexate, cyclophosphamide, "
        "mycophenolate, rituximab",
        f"{path}: derived.treatment_immunosuppressant: treatment_tocilizumab: not flag columns of "
        "the dataset: boolean columns made from the workbook fields",
        # the renamed outcome flags no longer carry the names a consistency check uses
        f"{CODEBOOK.path}: quality_checks.consistency[6].when.all[0].is_true: "
        "'outcome_improved': not a column",
        f"{CODEBOOK.path}: quality_checks.consistency[6].when.all[1].is_true: "
        "'outcome_no_improvement': not a column",
    ]


# --- typed rows -----------------------------------------------------------------------------


def test_harmonised_values_of_one_case():
    [row], folds = harmonised(
        {
            "sex": "Female", "age": "46", "time": "2d", "csf_cell_count": "8",
            "csf_protein": "Increase", "csf_protein_mg_dl": "3,260", "involved_area": "T C",
            "enhancement_pattern": "Linear nodular", "pathology": "Nd",
            "igg4_cells": "120\u2013130",
            "igg4_igg_ratio": "27%", "treatment": "Glucocorticoids Andazathioprine",
            "outcome": "Improved Recurrence", "serum_igg4": "Increase", "mri_enhancement": "N",
        }
    )  # fmt: skip
    assert row["sex"] == "female" and row["age_years"] == 46
    assert row["onset_to_diagnosis_weeks"] == pytest.approx(2 / 7)
    assert row["csf_cells_per_ul"] == 8 and row["csf_cells_status"] == "normal"  # 8 is normal
    assert row["csf_protein_mg_dl"] == 3260 and row["csf_protein_status"] == "increased"
    assert row["levels"] == "C T"
    assert (row["level_cervical"], row["level_thoracic"], row["level_brain"]) == (True, True, False)
    assert (row["pattern_linear"], row["pattern_focal"], row["pattern_nodular"]) == (
        True,
        False,
        True,
    )
    assert row["path_fibrosis"] is None and row["path_phlebitis"] is None  # Nd: not described
    assert (row["igg4_cells_hpf_low"], row["igg4_cells_hpf_high"]) == (120, 130)
    assert row["igg4_cells_hpf_qualifier"] == "range"
    assert (row["igg4_igg_ratio_low"], row["igg4_igg_ratio_high"]) == (27, 27)
    assert row["treatment_glucocorticoid"] and row["treatment_azathioprine"]
    assert row["treatment_immunosuppressant"] is True and row["treatment_rituximab"] is False
    assert row["outcome_recurrence"] and row["outcome_lost_to_follow_up"] is False
    assert row["serum_igg4"] == "elevated" and row["mri_enhancement"] == "no"
    assert [(f.field, f.typed) for f in folds] == [
        ("pathology", "Nd"),
        ("treatment", "Glucocorticoids"),
        ("treatment", "Andazathioprine"),
    ]


def test_not_reported_is_empty_never_false():
    [row], _ = harmonised(
        {"sex": "ND", "age": "ND", "time": "ND", "initial_symptom": "ND", "outcome": "ND",
         "involved_area": "ND", "treatment": "ND"}
    )  # fmt: skip
    assert row["sex"] is None and row["age_years"] is None
    assert row["onset_to_diagnosis_weeks"] is None and row["levels"] is None
    assert all(row[c] is None for c in row if c.startswith(("initial_", "outcome_", "level_")))
    assert all(row[c] is None for c in row if c.startswith("treatment_"))
    assert row["main_gait"] is True and row["main_pain"] is False


@pytest.mark.parametrize(
    ("cells", "status", "count"),
    [("9", "increased", 9), ("0", "normal", 0), ("Normal", "normal", None),
     ("Increase", "increased", None), ("ND", "not_reported", None)],
)  # fmt: skip
def test_csf_cell_status_from_number_or_word(cells, status, count):
    [row], _ = harmonised({"csf_cell_count": cells})
    assert (row["csf_cells_status"], row["csf_cells_per_ul"]) == (status, count)


def test_unknown_phrases_are_all_reported_with_their_cells():
    with pytest.raises(InputProblems) as error:
        harmonised(
            {"initial_symptom": "Fever"},
            {"treatment": "Decompression surgery Tocilizumab", "main_symptoms": "Odd, Doraslgia"},
        )
    assert error.value.source == VOCABULARY.path
    assert error.value.problems == [
        f"cases!H2: 'Fever': initial_symptom has the unknown phrase 'Fever': a phrase of group "
        f"symptoms in {VOCABULARY.path} (add it there with its categories)",
        f"cases!I3: 'Odd, Doraslgia': main_symptoms has the unknown phrase 'Odd': a phrase of "
        f"group symptoms in {VOCABULARY.path} (add it there with its categories)",
        f"cases!T3: 'Decompression surgery Tocilizumab': treatment has the unknown phrase "
        f"'Tocilizumab': a phrase of group treatment in {VOCABULARY.path} (add it there with its "
        "categories)",
    ]


def test_a_duplicate_key_in_the_vocabulary_is_refused_with_its_line(tmp_path):
    """`Male: female` after `Male: male` used to make every patient female, silently."""
    text = (REPO / "extraction" / "vocabulary.yaml").read_text(encoding="utf-8")
    path = tmp_path / "vocabulary.yaml"
    path.write_text(
        text.replace("{Male: male, Female: female,", "{Male: male, Female: female, Male: female,"),
        encoding="utf-8",
    )
    with pytest.raises(InputProblems) as error:
        load_vocabulary(path, CODEBOOK)
    [problem] = error.value.problems
    assert re.fullmatch(
        rf"{re.escape(str(path))}:\d+:\d+: key 'Male' given twice \(first at line \d+\): each key "
        "may appear once in a mapping",
        problem,
    )


# --- derived flags: a condition of the one language -----------------------------------------


def test_a_derived_flag_is_its_condition_empty_when_all_it_reads_is_empty():
    from reviewflow.dataset.harmonise import Derived, derived_values

    when = {"any": [{"is_true": "a"}, {"all": [{"is_true": "b"}, {"not": {"is_true": "c"}}]}]}
    flag = Derived("x", when)

    def derived_value(flag, row):  # one row alone
        [value] = derived_values(flag, [row])
        return value

    assert flag.any_of == ("a", "b", "c")
    assert derived_value(flag, {"a": True, "b": None, "c": None}) is True
    assert derived_value(flag, {"a": False, "b": True, "c": False}) is True
    assert derived_value(flag, {"a": False, "b": True, "c": True}) is False
    assert derived_value(flag, {"a": None, "b": False, "c": None}) is False
    assert derived_value(flag, {"a": None, "b": None, "c": None}) is None


def test_a_derived_flag_in_the_old_form_or_a_bad_condition_is_located(tmp_path):
    data = yaml.safe_load((REPO / "extraction" / "vocabulary.yaml").read_text(encoding="utf-8"))
    data["derived"] = {
        "old": {"any_of": ["treatment_azathioprine"]},
        "bad": {"when": {"any": [{"is_treu": "treatment_azathioprine"}]}},
        "loose": {"any": [{"is_true": "treatment_azathioprine"}]},
    }
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputProblems) as error:
        load_vocabulary(path, CODEBOOK)
    assert error.value.problems == [
        f"{path}: derived.old: any_of: the old form: write the condition, e.g. when: {{any: "
        "[{is_true: a}, {is_true: b}]}",
        f"{path}: derived.bad.when.any[0]: 'is_treu': unknown kind of condition: one of column, "
        "is_true, is_false, reported, not_reported, above, at_most, outlier, starts_with, all, "
        "any, not, condition",
        f"{path}: derived.loose: {{'any': [{{'is_true': 'treatment_azathioprine'}}]}}: a "
        "mapping of when (a condition) and description",
    ]


@given(
    st.lists(
        st.tuples(*[st.sampled_from([True, False, None])] * 3),
        max_size=30,
    )
)
def test_derived_flags_of_all_rows_at_once_are_each_row_s_own(values):
    """One evaluation over every row gives each row the flag its own values give (issue 21)."""
    from reviewflow.dataset.harmonise import Derived, derived_values

    when = {"any": [{"is_true": "a"}, {"all": [{"is_true": "b"}, {"not": {"is_true": "c"}}]}]}
    rows = [dict(zip("abc", row, strict=True)) for row in values]
    expected = [
        None if a is None and b is None and c is None else bool(a or (b and not c))
        for a, b, c in values
    ]
    assert derived_values(Derived("x", when), rows) == expected


def test_a_derived_outlier_flag_reads_each_row_alone():
    """An outlier compares a row with the others: a derived flag is still each row's own (a row
    alone has no outlier), as when rows were flagged one by one."""
    from reviewflow.dataset.harmonise import Derived, derived_values

    flag = Derived("x", {"outlier": {"column": "n", "factor": 1}})
    rows = [{"n": value} for value in (1, 1, 1, 1, 1, 100, None)]
    assert derived_values(flag, rows) == [False] * 6 + [None]


def test_phrases_are_tried_longest_first_among_those_of_the_same_first_letter():
    from reviewflow.extraction.vocabulary import phrases_by_first_letter

    phrases = (Phrase("pain", ("p",)), Phrase("Back pain", ("b",)), Phrase("back", ("k",)))
    index = phrases_by_first_letter(phrases)
    assert [p.text for p in index["b"]] == ["Back pain", "back"]
    assert [p.text for p in index["p"]] == ["pain"]
    hits, unknown = split_phrases("back pain, Pain, backache", phrases)
    assert [typed for typed, _ in hits] == ["back pain", "Pain"]
    assert unknown == ["backache"]


def test_an_unknown_phrase_repeated_in_several_cells_is_reported_in_each():
    """The workbook check matches a text once, and still names every cell holding it."""
    from reviewflow.extraction.vocabulary import unknown_phrase_problems

    cases = raw_cases({"initial_symptom": "Fever"}, {}, {"initial_symptom": "Fever"})
    spec = CODEBOOK.sheet("cases")
    problems = unknown_phrase_problems(cases, VOCABULARY, spec)
    assert [problem.split(":")[0] for problem in problems] == ["cases!H2", "cases!H4"]
    assert problems == unknown_phrase_problems(cases, VOCABULARY)


def test_the_first_row_of_each_id():
    sheet = raw_studies(("S01", "Chan", "2014"), ("S02", "Wong", "2020"), ("S01", "Lee", "2001"))
    assert sheet.first_rows("study_id") == {"S01": 0, "S02": 1}
    assert RawSheet("studies", ["study_id"]).first_rows("study_id") == {}
