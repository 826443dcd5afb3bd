"""Loading config/reported_results.yaml: printed precision kept, every problem named at once."""

from decimal import Decimal

import pytest
import yaml

from reviewflow.errors import InputProblems
from reviewflow.reported import REQUIRED_ITEMS, read_reported

KNOWN = list(REQUIRED_ITEMS) + ["sex_ratio", "main_symptom_recorded", "mri_performed"]


def write(tmp_path, items: dict, text: str | None = None):
    path = tmp_path / "reported_results.yaml"
    path.write_text(text if text is not None else yaml.safe_dump({"items": items}))
    return path


def minimal() -> dict:
    return {key: {"section": "4.1", "wording": f"the {key}", "n": 1} for key in REQUIRED_ITEMS}


def test_the_projects_file_loads_and_covers_every_required_item(repo):
    from reviewflow.analysis import compute_items
    from reviewflow.stats import Settings

    from .statistics_cases import make_cases

    known = [item.key for item in compute_items(make_cases(3), Settings())]
    reported = read_reported(repo / "config" / "reported_results.yaml", known)
    assert set(REQUIRED_ITEMS) <= set(reported)
    assert reported["mri_enhancement_positive"].percent == Decimal("98.0")
    assert reported["onset_to_diagnosis_months_range"].low == Decimal("0.50")
    assert reported["treatment_glucocorticoid_combined"].percent == Decimal("40")
    assert reported["initial_pain"].text() == "38/53 (71.7%)"


def test_printed_precision_is_kept(tmp_path):
    items = minimal()
    items["age_mean"] = {"section": "4.1", "wording": "mean age 48.29", "value": 48.29}
    text = yaml.safe_dump({"items": items}).replace("value: 48.29", "value: 98.0")
    reported = read_reported(write(tmp_path, {}, text), KNOWN)
    value = reported["age_mean"].value
    assert value == Decimal("98.0") and str(value) == "98.0"


def test_a_missing_item_is_named(tmp_path):
    items = minimal()
    del items["csf_cells_median"]
    with pytest.raises(InputProblems) as error:
        read_reported(write(tmp_path, items), KNOWN)
    assert "item 'csf_cells_median' is missing" in str(error.value)
    assert "1 problem," in str(error.value)


def test_malformed_values_are_all_reported_at_once(tmp_path):
    items = minimal()
    items["sex_male"] = {"section": "4.1", "wording": "29 men", "n": "twenty-nine"}
    items["sex_female"] = {"section": 4.1, "wording": "26 women", "n": 26}  # a number is fine
    items["initial_pain"] = {"section": "4.2", "wording": "pain", "n": 38, "percent": 171.7}
    items["main_pain"] = {"section": "4.2", "wording": "pain", "n": 54, "denominator": 53}
    items["age_min"] = {"section": "4.1", "wording": "", "value": 17}
    items["age_max"] = {"section": "four", "wording": "to 79", "value": True}
    items["died"] = {"section": "4.6", "wording": "three died", "n": 3, "count": 3}
    items["level_brain"] = {"section": "4.3", "wording": "brain"}
    items["onset_to_diagnosis_months_range"] = {
        "section": "4.1",
        "wording": "r",
        "low": 6,
        "high": 0.5,
    }
    items["sex_mael"] = {"section": "4.1", "wording": "typo", "n": 29}
    items["recurrence"] = "six"
    with pytest.raises(InputProblems) as error:
        read_reported(write(tmp_path, items), KNOWN)
    message = str(error.value)
    assert "reported_results.yaml: 11 problems, nothing was written" in message
    assert "item 'sex_male': n 'twenty-nine': must be a whole number >= 0" in message
    assert "item 'initial_pain': percent 171.7: must be between 0 and 100" in message
    assert "item 'main_pain': n 54 is larger than its denominator 53" in message
    assert "item 'age_min': wording '': must quote the article's sentence" in message
    assert "item 'age_max': section 'four': must be the article's section number" in message
    assert "item 'age_max': value True: must be a number as printed" in message
    assert "item 'died': unknown field 'count'" in message
    assert "item 'level_brain': no number" in message
    assert "item 'onset_to_diagnosis_months_range': low 6 is above high 0.5" in message
    assert (
        "item 'sex_mael': unknown item (no computation defined for it); did you mean sex_male"
        in message
    )
    assert "item 'recurrence': 'six': must be a mapping of fields" in message
    assert "item 'sex_female'" not in message


def test_not_a_mapping_and_bad_yaml(tmp_path):
    with pytest.raises(InputProblems, match="must be a mapping with an 'items' mapping"):
        read_reported(write(tmp_path, {}, "- just a list\n"), KNOWN)
    with pytest.raises(InputProblems, match=r"reported_results.yaml:2:1: not valid YAML"):
        read_reported(write(tmp_path, {}, "items: {a: [unclosed\n"), KNOWN)
    with pytest.raises(InputProblems, match="unknown top-level key 'itmes'"):
        read_reported(write(tmp_path, {}, yaml.safe_dump({"items": minimal(), "itmes": {}})), KNOWN)
