"""The condition language on a hand-made frame with known answers (no review's columns)."""

import pandas as pd
import pytest

from reviewflow.statistics.conditions import Context, columns_used, evaluate, explain, references

NA = None


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "case_id": ["A", "B", "C", "D", "E"],
            "colour": ["red", "blue", NA, "red", "green"],
            "flag": pd.array([True, False, NA, True, False], dtype="boolean"),
            "size": [1.0, 10.0, NA, 12.0, 100.0],
            "bound": ["exact", "greater_than", "", "exact", "exact"],
        }
    )


def picked(condition, frame, **context):
    mask = evaluate(condition, frame, Context(**context))
    assert mask.dtype == bool and mask.index.equals(frame.index)
    return "".join(frame.loc[mask, "case_id"])


def test_leaves(frame):
    assert picked({"column": "colour", "equals": "red"}, frame) == "AD"
    assert picked({"column": "colour", "in": ["red", "green"]}, frame) == "ADE"
    assert picked({"is_true": "flag"}, frame) == "AD"
    assert picked({"is_false": "flag"}, frame) == "BE"  # missing is neither true nor false
    assert picked({"reported": "colour"}, frame) == "ABDE"
    assert picked({"not_reported": "size"}, frame) == "C"


def test_groups_and_named_conditions(frame):
    named = {"red": {"column": "colour", "equals": "red"}}
    assert picked({"all": [{"condition": "red"}, {"is_true": "flag"}]}, frame, named=named) == "AD"
    assert (
        picked({"any": [{"condition": "red"}, {"is_false": "flag"}]}, frame, named=named) == "ABDE"
    )
    assert picked({"not": {"condition": "red"}}, frame, named=named) == "BCE"  # missing: not red


def test_above_strict_inclusive_bound_and_parameter(frame):
    above = {"above": {"column": "size", "value": "$limit"}}
    assert picked(above, frame, parameters={"limit": 10}) == "DE"
    inclusive = {"above": {"column": "size", "value": 10, "inclusive": True}}
    assert picked(inclusive, frame) == "BDE"
    # "> 10" printed as a lower bound (greater_than) surely exceeds 10
    bounded = {"above": {"column": "size", "value": 10, "bound_column": "bound"}}
    assert picked(bounded, frame) == "BDE"
    # a reading may read every threshold as >= (or >) whatever each says
    assert picked(above, frame, parameters={"limit": 10}, inclusive=True) == "BDE"
    assert picked(inclusive, frame, inclusive=False) == "DE"


def test_outlier_and_explain(frame):
    # values 1, 10, 12, 100: weibull Q1 = 3.25, Q3 = 78: Q3 + 1 IQR = 152.75, + 0.2 IQR = 92.95
    outlier = {"outlier": {"column": "size", "unit": "mm", "factor": 0.2}}
    assert picked(outlier, frame) == "E"
    assert explain(outlier, frame, Context()) == "E (100 mm), above Q3 + 0.2 IQR = 93.0"
    assert picked({"outlier": {"column": "size"}}, frame, outlier_factor=1.0) == ""
    assert explain({"column": "colour", "equals": "red"}, frame, Context()) == "A, D"
    both = {"any": [outlier, {"outlier": {"column": "size", "factor": 5}}]}
    assert explain(both, frame, Context()) == "E (100 mm), above Q3 + 0.2 IQR = 93.0"


def test_text_flags_replace_a_flag_by_a_naive_word_match(frame):
    frame["text"] = ["Red wine", "Reddish", "", "no", "shredded"]
    context = {"text_flags": {"flag": "red"}, "text_column": "text"}
    assert picked({"is_true": "flag"}, frame, **context) == "AB"  # word starts: not "shredded"


def test_columns_and_references_are_listed():
    named = {"n": {"is_true": "f"}}
    condition = {
        "all": [
            {"condition": "n"},
            {"column": "c", "in": ["$p", "x"]},
            {"not": {"above": {"column": "s", "value": "$q", "bound_column": "b"}}},
        ]
    }
    assert columns_used(condition, named) == ["f", "c", "s", "b"]
    assert references(condition) == (["n"], ["p", "q"])
