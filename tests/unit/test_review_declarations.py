"""The committed review's declared figures (config/reported_results.yaml, sections 4.1-4.6) on
small hand-made datasets with known answers, each reading."""

import pytest

from reviewflow.statistics.measures import Proportion
from reviewflow.statistics.recompute import compute_items, raw_text_column, summary_frame

from .statistics_cases import make_cases, project_declared

T, F, NA = True, False, None


@pytest.fixture(scope="module")
def items():
    """Eight patients; the comments give what each figure must be."""
    cases = make_cases(
        8,
        sex=["male", "male", "male", "female", "female", "female", "male", ""],
        age_years=[20, 30, 40, 50, 60, 70, 80, NA],
        # months of 4 weeks: 0.5, 1, 2, 6, 12 -> mean 4.3, Q1 0.75, median 2, Q3 9
        onset_to_diagnosis_weeks=[2, 4, 8, 24, 48, NA, NA, NA],
        level_cervical=[T, T, T, F, F, T, F, T],
        level_thoracic=[T, T, T, T, T, F, F, F],
        level_lumbar=[F, F, F, F, F, F, T, F],
        level_sacral=[F, F, F, F, F, F, T, F],
        level_brain=[F, F, F, F, F, F, F, T],
        mri_enhancement=["yes"] * 6 + ["no", "not_reported"],
        pattern_linear=[T, F, F, T, T, NA, NA, NA],
        pattern_focal=[T, T, F, F, F, NA, NA, NA],
        pattern_nodular=[F, F, T, F, F, NA, NA, NA],
        serum_igg4=["elevated", "elevated", "normal", "normal", "normal"] + ["not_reported"] * 3,
        path_fibrosis=[T, F, T] + [NA] * 5,
        path_infiltration=[T, T, F] + [NA] * 5,
        path_phlebitis=[F, T, F] + [NA] * 5,
        igg4_cells_hpf_low=[10, 10, NA, NA, 2, NA, NA, NA],
        igg4_cells_hpf_high=[10, NA, NA, NA, 2, NA, NA, NA],
        igg4_cells_hpf_qualifier=["exact", "greater_than", "", "", "exact", "", "", ""],
        igg4_igg_ratio_low=[NA, NA, 40, 27, 50, NA, NA, NA],
        igg4_igg_ratio_high=[NA, NA, 70, 27, 50, NA, NA, NA],
        igg4_igg_ratio_qualifier=["", "", "range", "exact", "exact", "", "", ""],
        treatment_decompression=[T, F, F, F, T, F, F, F],
        treatment_glucocorticoid=[T, T, T, T, F, F, T, F],
        treatment_azathioprine=[F, T, F, F, F, F, F, F],
        treatment_methotrexate=[F, F, F, T, F, F, F, F],
        treatment_mycophenolate=[F, F, F, F, F, F, T, F],
        treatment_rituximab=[F, F, T, F, F, F, F, F],
        treatment_biopsy=[F, F, F, F, F, T, F, F],
        outcome_improved=[T, T, T, F, T, NA, NA, T],
        outcome_no_improvement=[F, F, F, T, F, NA, NA, F],
        outcome_recurrence=[F, T, F, F, F, NA, NA, F],
        outcome_death=[F, F, T, F, F, NA, NA, F],
        outcome_lost_to_follow_up=[F, F, F, F, F, NA, NA, F],
        initial_pain=[T, T, F, F, T, NA, NA, NA],
        initial_pain_dorsalgia=[T, F, F, F, T, NA, NA, NA],
        initial_pain_cervicalgia=[F, T, F, F, T, NA, NA, NA],
        initial_sensory_or_weakness=[F, F, T, F, F, NA, NA, NA],
        initial_gait=[F, F, F, T, F, NA, NA, NA],
    )
    return {item.key: item for item in compute_items(cases, project_declared())}


def share(item):
    return Proportion(item.values.n, item.values.denominator)


def reading(item, words):
    found = [r for r in item.alternatives if words in r.label]
    assert len(found) == 1, [r.label for r in item.alternatives]
    return found[0].values


def test_general_information(items):
    assert items["n_cases"].values.n == 8
    assert share(items["sex_male"]) == Proportion(4, 7)
    assert share(items["sex_female"]) == Proportion(3, 7)
    assert items["sex_ratio"].values.value == pytest.approx(4 / 3)
    assert items["age_mean"].values.value == 50
    assert (items["age_min"].values.value, items["age_max"].values.value) == (20, 80)
    assert items["age"].values.text == "50.00 ± 21.60"
    assert share(items["onset_to_diagnosis_n"]) == Proportion(5, 8)


def test_onset_in_months_under_both_conversions_and_the_range_as_iqr(items):
    mean = items["onset_to_diagnosis_months_mean"]
    assert mean.values.value == pytest.approx(86 / 5 * 7 / 30.44)
    assert reading(mean, "4 weeks").value == pytest.approx(4.3)
    span = items["onset_to_diagnosis_months_range"]
    assert (span.values.low, span.values.high) == pytest.approx((2 * 7 / 30.44, 48 * 7 / 30.44))
    iqr = reading(span, "interquartile range (Q1–Q3), a month taken as 4 weeks")
    assert (iqr.low, iqr.high) == (0.75, 9.0)
    minmax = reading(span, "min–max, a month taken as 4 weeks")
    assert (minmax.low, minmax.high) == (0.5, 12.0)
    # five values pass Shapiro-Wilk: mean ± SD (sample SD of 2, 4, 8, 24, 48 weeks)
    assert items["onset_to_diagnosis_weeks"].values.text == "17.20 ± 19.27"


def test_symptoms_and_pain_sites_among_pain(items):
    assert share(items["initial_symptom_recorded"]) == Proportion(5, 8)
    assert share(items["initial_pain"]) == Proportion(3, 5)
    assert share(items["initial_pain_dorsalgia"]) == Proportion(2, 3)
    assert share(items["initial_pain_cervicalgia"]) == Proportion(2, 3)
    assert share(items["initial_sensory_or_weakness"]) == Proportion(1, 5)
    assert share(items["initial_gait"]) == Proportion(1, 5)
    assert share(items["main_symptom_recorded"]) == Proportion(0, 8)
    assert items["other_organ_involvement"].values is None
    assert items["other_organ_involvement"].not_derivable


def test_imaging_patterns_and_levels(items):
    assert share(items["mri_enhancement_evaluated"]) == Proportion(7, 8)
    assert share(items["mri_enhancement_positive"]) == Proportion(6, 7)
    assert share(items["pattern_described"]) == Proportion(5, 8)
    assert share(items["pattern_linear"]) == Proportion(3, 5)
    focal = items["pattern_focal_or_nodular"]
    assert share(focal) == Proportion(3, 5)
    assert reading(focal, "only without linear").n == 2
    assert share(items["pattern_both"]) == Proportion(1, 5)
    assert share(items["level_cervical"]) == Proportion(5, 8)
    assert share(items["level_thoracic"]) == Proportion(5, 8)
    assert share(items["level_cervical_and_thoracic"]) == Proportion(3, 8)
    assert items["level_sacral"].values.n == items["level_brain"].values.n == 1


def test_serum_and_pathology(items):
    assert share(items["serum_igg4_measured"]) == Proportion(5, 8)
    assert share(items["serum_igg4_elevated"]) == Proportion(2, 5)
    assert share(items["biopsy"]) == Proportion(3, 8)
    assert share(items["path_fibrosis"]) == Proportion(2, 3)
    assert share(items["path_phlebitis"]) == Proportion(1, 3)


def test_igg4_histology_criteria_strict_and_inclusive(items):
    assert share(items["igg4_histology_reported"]) == Proportion(5, 8)
    criteria = items["igg4_histology_criteria_met"]
    assert share(criteria) == Proportion(2, 5)  # >10 cells and ratio 50; not exactly 10, not 40-70
    assert reading(criteria, "≥ 40%").n == 4


def test_treatments_biopsy_alone_is_not_a_treatment(items):
    treated = items["treated"]
    assert share(treated) == Proportion(6, 8)
    assert reading(treated, "biopsy alone").n == 7
    assert share(items["treatment_decompression"]) == Proportion(2, 6)
    assert share(items["treatment_glucocorticoid"]) == Proportion(5, 6)
    assert share(items["treatment_rituximab"]) == Proportion(1, 6)
    immuno = items["treatment_immunosuppressant"]
    assert share(immuno) == Proportion(3, 6)
    assert reading(immuno, "the article names").n == 2  # mycophenolate left out
    combined = items["treatment_glucocorticoid_combined"]
    assert share(combined) == Proportion(4, 6)
    assert "'treatment' is not available" in immuno.hint  # no raw text: no naive count


def test_outcomes_and_lost_to_follow_up_read_as_outcome_not_described(items):
    assert share(items["improved"]) == Proportion(5, 6)
    assert items["recurrence"].values.n == 1
    assert items["died"].values.n == 1
    lost = items["lost_to_follow_up"]
    assert lost.values.n == 0
    assert reading(lost, "C06, C07").n == 2
    assert items["died_of_infection"].not_derivable


def test_naive_text_count_misses_a_run_together_drug_name():
    cases = make_cases(
        3,
        treatment_glucocorticoid=[T, T, T],
        treatment_azathioprine=[T, T, F],
    )
    cases[raw_text_column("treatment")] = [
        "Glucocorticoids Andazathioprine",
        "Glucocorticoid Azathioprine.",
        "Glucocorticoid",
    ]
    items = {i.key: i for i in compute_items(cases, project_declared())}
    immuno = items["treatment_immunosuppressant"]
    assert share(immuno) == Proportion(2, 3)
    naive = reading(immuno, "naive text count")
    assert naive.n == 1
    assert "C01 'Glucocorticoids Andazathioprine'" in immuno.alternatives[0].label
    assert reading(items["treatment_glucocorticoid_combined"], "naive").n == 1
    assert not immuno.hint


def test_csf_readings_outlier_zero_and_threshold():
    cases = make_cases(
        8,
        csf_cells_per_ul=[0, 10, 20, 30, 40, 8, NA, 50],
        csf_cells_status=["normal"] + ["increased"] * 4 + ["normal", "increased", "increased"],
        csf_protein_mg_dl=[40, 50, 60, 70, 80, 90, 100, 5000],
        csf_protein_status=["normal"] + ["increased"] * 7,
    )
    items = {i.key: i for i in compute_items(cases, project_declared())}
    outlier = (
        "extreme CSF value left out of the CSF analysis: C08 (5000 mg/dL), above Q3 + 3 IQR = 232.5"
    )
    zero = "printed as 0 read as not examined (case left out of the CSF analysis): C01"

    def under(key):
        """{'outlier' | 'zero' | 'both' | 'threshold >' | 'threshold ≥': values} of an item."""
        found = {}
        for r in items[key].alternatives:
            if outlier in r.label and zero in r.label:
                found["both"] = r.values
            elif outlier in r.label:
                found["outlier"] = r.values
            elif zero in r.label:
                found["zero"] = r.values
            else:
                found["threshold " + r.label.split(" as ")[1][0]] = r.values
        return found

    assert items["csf_examined"].values.n == 8
    examined = under("csf_examined")
    assert (examined["outlier"].n, examined["zero"].n, examined["both"].n) == (7, 7, 6)
    cells = items["csf_cells_increased"]
    assert share(cells) == Proportion(6, 8)
    # 8/µL is at the limit: the dataset said normal; read as ≥ 8 it is increased
    assert set(under("csf_cells_increased")) == {"outlier", "zero", "both", "threshold ≥"}
    assert under("csf_cells_increased")["threshold ≥"].n == 7
    assert under("csf_cells_increased")["outlier"].n == 5
    assert not cells.remark  # a count equals the limit, so > and ≥ differ
    assert items["csf_protein_max"].values.value == 5000
    assert under("csf_protein_max")["outlier"].value == 100
    assert under("csf_protein_max")["both"].value == 100
    assert under("csf_protein_max")["zero"].value == 5000  # leaving C01 out keeps the outlier
    assert items["csf_cells_min"].values.value == 0
    assert under("csf_cells_min")["zero"].value == 8


def test_csf_threshold_remark_when_no_count_sits_at_the_limit():
    cases = make_cases(2, csf_cells_per_ul=[3, 30], csf_cells_status=["normal", "increased"])
    items = {i.key: i for i in compute_items(cases, project_declared())}
    assert "gives the same count" in items["csf_cells_increased"].remark
    assert not items["csf_cells_increased"].alternatives


def test_summary_has_one_row_per_figure_with_denominators(items):
    frame = summary_frame(list(items.values()))
    assert list(frame.columns) == [
        "item",
        "section",
        "description",
        "n",
        "denominator",
        "value",
        "text",
    ]
    assert frame["item"].is_unique
    row = frame.set_index("item").loc["initial_pain"]
    assert (row["n"], row["denominator"], row["text"]) == (3, 5, "3/5 (60.0%)")
    assert row["value"] == pytest.approx(60.0)
    assert "other_organ_involvement" not in set(frame["item"])  # not derivable: no row
    assert frame.set_index("item").loc["age_shapiro_p", "text"] != ""
