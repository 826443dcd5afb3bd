"""The review's one condition language (reviewflow.core.conditions) on a hand-made frame with
known answers (no review's columns): every kind, missing values, nesting, names, parameters, and
the located problems of a bad condition."""

import pandas as pd
import pytest

from reviewflow.core import conditions
from reviewflow.core.conditions import (
    Context,
    Evaluator,
    columns_used,
    condition_problems,
    cycle_problems,
    evaluate,
    outliers,
    parameter,
    references,
    reported,
    with_named,
)
from reviewflow.statistics.recompute import explain

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
    above = {"above": {"column": "size", "value": "{limit}"}}
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
            {"column": "c", "in": ["{p}", "x"]},
            {"not": {"above": {"column": "s", "value": "{q}", "bound_column": "b"}}},
        ]
    }
    assert columns_used(condition, named) == ["f", "c", "s", "b"]
    assert references(condition) == (["n"], ["p", "q"])


def test_reported_reads_declared_not_reported_words_as_missing(frame):
    frame["serum"] = ["high", "not_reported", NA, "", "normal"]
    assert picked({"reported": "serum"}, frame) == "ABE"
    assert picked({"reported": "serum"}, frame, not_reported_values=("not_reported",)) == "AE"
    assert picked({"not_reported": "serum"}, frame, not_reported_values=("not_reported",)) == "BCD"


def test_at_most_needs_a_reported_number(frame):
    assert picked({"at_most": {"column": "size", "value": 10}}, frame) == "AB"  # C missing: no
    at_most = {"at_most": {"column": "size", "value": "{limit}"}}
    assert picked(at_most, frame, parameters={"limit": 12}) == "ABD"
    # at_most and above split the reported numbers; a missing one is in neither
    above = {"above": {"column": "size", "value": 12}}
    assert picked({"any": [at_most, above]}, frame, parameters={"limit": 12}) == "ABDE"


def test_nesting_and_missing_values(frame):
    # not(all(red, not flag)): A red+flag -> true, D red+flag -> true; missing flag is not true
    nested = {"not": {"all": [{"column": "colour", "equals": "red"}, {"not": {"is_true": "flag"}}]}}
    assert picked(nested, frame) == "ABCDE"
    frame.loc[0, "flag"] = pd.NA
    assert picked(nested, frame) == "BCDE"  # A: red and flag missing (not true)
    assert picked({"is_false": "flag"}, frame) == "BE"


def test_a_value_written_name_in_braces_is_a_parameter():
    assert parameter("{limit}", {"limit": 8}) == 8
    assert parameter("limit", {"limit": 8}) == "limit"
    assert parameter("{two words}", {}) == "{two words}"  # not a name: a text
    assert parameter(3, {}) == 3


def test_named_conditions_become_flag_columns(frame):
    named = {
        "red": {"column": "colour", "equals": "red"},
        "big": {"above": {"column": "size", "value": 11}},
    }
    flags = with_named(frame, Context(named=named))
    assert list(flags["red"]) == [True, False, False, True, False]
    assert list(flags["big"]) == [False, False, False, True, True]
    assert "red" not in frame.columns  # the frame given is not changed


def test_outliers_need_four_values():
    assert not outliers(pd.Series([1.0, 2.0, 100.0])).any()
    # sorted 1 2 2 2 3 3 1000: weibull Q1 = 2 (2nd), Q3 = 3 (6th): 1 IQR above Q3 is 4
    values = pd.Series([1.0, 2.0, 3.0, 2.0, 1000.0, 3.0, 2.0])
    assert list(outliers(values, 1.0)) == [False, False, False, False, True, False, False]


WHERE = "config/definitions.yaml: conditions.x"


def problems(condition, columns=("colour", "flag", "size"), named=("red",), parameters=("p",)):
    return condition_problems(WHERE, condition, columns, named, parameters)


def test_a_good_condition_has_no_problem():
    good = {
        "all": [
            {"column": "colour", "in": ["red", "{p}"]},
            {"any": [{"is_true": "flag"}, {"condition": "red"}]},
            {"not": {"above": {"column": "size", "value": "{p}", "bound_column": "colour"}}},
            {"at_most": {"column": "size", "value": 3}},
            {"outlier": {"column": "size", "unit": "mm"}},
        ]
    }
    assert problems(good) == []


def test_every_problem_of_a_condition_is_located():
    bad = {
        "all": [
            {"is_ture": "flag"},
            {"is_true": "flags"},
            {"is_true": "red"},
            {"condition": "blue"},
            {"column": "colour", "equals": "$p"},
            {"above": {"column": "size", "value": "{q}"}},
            {"above": {"column": "size", "value": "ten"}},
            {"above": {"column": "size"}},
            {"column": "colour", "equals": "a", "in": ["b"]},
            {"reported": "flag", "is_true": "flag"},
            {"any": []},
            "flag",
        ]
    }
    found = problems(bad)
    assert found == [
        f"{WHERE}.all[0]: 'is_ture': unknown kind of condition: one of column, is_true, "
        "is_false, reported, not_reported, above, at_most, outlier, starts_with, all, any, not, "
        "condition",
        f"{WHERE}.all[1].is_true: 'flags': not a column",
        f"{WHERE}.all[2].is_true: 'red': not a column (a named condition: write "
        "{condition: red})",
        f"{WHERE}.all[3].condition: 'blue': not a named condition of the review",
        f"{WHERE}.all[4].equals: '$p': the old spelling of a parameter: write '{{p}}'",
        f"{WHERE}.all[5].above.value: {{q}}: not a parameter; known: p",
        f"{WHERE}.all[6].above.value: 'ten': a number or a '{{parameter}}'",
        f"{WHERE}.all[7].above: {{'column': 'size'}}: a mapping of column, value, "
        "bound_column (optional), inclusive (optional)",
        f"{WHERE}.all[8]: {{'column': 'colour', 'equals': 'a', 'in': ['b']}}: "
        "{column, equals} or {column, in: [..]}",
        f"{WHERE}.all[9]: ['is_true', 'reported']: one kind of condition per mapping "
        "(combine with all/any)",
        f"{WHERE}.all[10].any: a list of conditions",
        f"{WHERE}.all[11]: 'flag': a condition is a mapping: one of column, is_true, is_false, "
        "reported, not_reported, above, at_most, outlier, starts_with, all, any, not, condition",
    ]


def test_names_are_checked_only_when_known():
    loose = {
        "all": [
            {"is_true": "anything"},
            {"condition": "any_name"},
            {"column": "c", "equals": "{p}"},
        ]
    }
    assert condition_problems(WHERE, loose) == []
    assert condition_problems(WHERE, {"column": "c", "equals": "$p"}) == [
        f"{WHERE}.equals: '$p': the old spelling of a parameter: write '{{p}}'"
    ]


def test_a_condition_that_contains_itself_is_a_problem():
    named = {
        "a": {"condition": "b"},
        "b": {"any": [{"condition": "a"}, {"is_true": "f"}]},
        "c": {"condition": "c"},
        "d": {"condition": "a"},  # refers to a cycle, is not one
    }
    assert cycle_problems("defs.yaml: conditions", named) == [
        "defs.yaml: conditions.a: refers to itself (a -> b -> a): a condition cannot contain "
        "itself",
        "defs.yaml: conditions.c: refers to itself (c -> c): a condition cannot contain itself",
    ]


def test_starts_with_compares_texts_in_any_case(frame):
    frame["source"] = ["Chan et al.", "wong", "", NA, "Lee"]
    frame["author"] = ["chan", "Chan", "Chan", "Chan", NA]
    starts = {"starts_with": {"column": "source", "prefix_column": "author"}}
    assert picked(starts, frame) == "AE"  # a missing prefix is the empty text
    reported_not_starting = {"all": [{"reported": "source"}, {"not": starts}]}
    assert picked(reported_not_starting, frame) == "B"


def counted_leaves(monkeypatch) -> list[dict]:
    """The leaf tests `_leaf` computes from now on, in order (is_true on a typed flag and
    reported/not_reported are computed without it)."""
    seen = []
    leaf = conditions._leaf

    def counting(kind, condition, cases, context):
        seen.append(condition)
        return leaf(kind, condition, cases, context)

    monkeypatch.setattr(conditions, "_leaf", counting)
    return seen


def test_a_named_condition_is_evaluated_once_however_many_refer_to_it(frame, monkeypatch):
    red = {"column": "colour", "equals": "red"}
    named = {
        "red": red,
        "red_flag": {"all": [{"condition": "red"}, {"is_true": "flag"}]},
        "red_or_big": {"any": [{"condition": "red"}, {"above": {"column": "size", "value": 11}}]},
        "not_red": {"not": {"condition": "red"}},
    }
    seen = counted_leaves(monkeypatch)
    flags = with_named(frame, Context(named=named))
    assert seen.count(red) == 1 and len(seen) == 2  # red, and the `above` test
    assert list(flags["red"]) == [True, False, False, True, False]
    assert list(flags["red_flag"]) == [True, False, False, True, False]
    assert list(flags["red_or_big"]) == [True, False, False, True, True]
    assert list(flags["not_red"]) == [False, True, True, False, True]


def test_an_evaluator_gives_each_caller_its_own_series(frame, monkeypatch):
    holds = Evaluator(frame, Context())
    red = {"column": "colour", "equals": "red"}
    seen = counted_leaves(monkeypatch)
    first = holds(red)
    first[:] = False  # the caller's to change: the next answer is unchanged
    again = holds({"column": "colour", "equals": "red"})  # the same condition, another mapping
    assert list(again) == [True, False, False, True, False] and len(seen) == 1
    assert again.dtype == bool and again.index.equals(frame.index)
    assert list(evaluate(red, frame, Context())) == list(again)


def test_reported_is_the_same_for_every_kind_of_column():
    """Typed texts take a faster path: the answers are those of every other kind of column."""
    words = ("not_reported", "unknown")
    texts = ["high", "not_reported", None, "", "normal", "unknown"]
    for column in (
        pd.Series(texts, dtype="str"),
        pd.Series(texts, dtype="string"),
        pd.Series(texts, dtype=object),
    ):
        assert list(reported(column, words)) == [True, False, False, False, True, False]
        assert list(reported(column)) == [True, True, False, False, True, True]
    numbers = pd.Series([1.0, None, 0.0], name="size")
    assert list(reported(numbers, words)) == [True, False, True]
    assert reported(numbers).name == "size" and reported(numbers).dtype == bool
    flags = pd.Series(pd.array([True, None, False], dtype="boolean"))
    assert list(reported(flags)) == [True, False, True]
    assert list(reported(pd.Series([1, "x", None], dtype=object), ("x",))) == [True, False, False]
