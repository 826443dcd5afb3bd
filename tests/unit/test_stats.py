"""Statistics primitives on small hand-made data with known answers."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.core.conditions import Context, evaluate, outliers
from reviewflow.statistics.measures import (
    Proportion,
    Settings,
    describe,
    fmt,
    numeric,
    proportion,
    proportion_where,
    quartiles,
    round_half_up,
    weeks_to_months,
)


def test_proportion_text_shows_the_denominator_and_one_decimal():
    assert Proportion(40, 53).text() == "40/53 (75.5%)"
    assert Proportion(0, 0).percent is None
    assert "no denominator" in Proportion(0, 0).text()


def test_proportion_leaves_not_reported_out_of_the_denominator():
    flags = pd.Series([True, False, pd.NA, True, pd.NA], dtype="boolean")
    assert proportion(flags) == Proportion(2, 3)


def test_proportion_where_counts_within_a_subgroup():
    mask = pd.Series([True, True, False, True])
    among = pd.Series([True, False, True, True])
    assert proportion_where(mask, among) == Proportion(2, 3)


def test_rounding_is_half_up_as_printed_not_to_even():
    assert round_half_up(0.125, 2) == 0.13
    assert round_half_up(2.5, 0) == 3
    assert fmt(40.740740, 1) == "40.7"
    assert fmt(None) == ""
    assert fmt(float("nan")) == ""


def test_quartiles_follow_spss_weighted_average_not_numpy_default():
    # SPSS: position (n + 1)p -> 1.25th and 3.75th values of 1, 2, 3, 4
    assert quartiles(np.array([1.0, 2, 3, 4])) == (1.25, 2.5, 3.75)
    q1, _, q3 = quartiles(np.array([1.0, 2, 3, 4]), method="linear")
    assert (q1, q3) == (1.75, 3.25)


def test_describe_normal_data_gives_mean_and_sample_sd():
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    summary = describe(values)
    assert summary.n == 8
    assert summary.mean == 5
    assert summary.sd == pytest.approx(math.sqrt(32 / 7))
    assert (summary.minimum, summary.maximum) == (2, 9)
    assert summary.shapiro_p > 0.05 and summary.normal
    assert summary.text() == "5.00 ± 2.14"
    assert summary.range_text(0) == "2–9"
    assert "approximately normal" in summary.normality_text()


def test_describe_skewed_data_gives_median_and_quartiles():
    values = [1, 1, 1, 1, 2, 2, 3, 50, 100, 200]
    summary = describe(values)
    assert summary.shapiro_p < 0.05 and summary.normal is False
    # (n + 1)p positions 2.75, 5.5, 8.25 of the sorted values
    assert (summary.q1, summary.median, summary.q3) == (1, 2, 62.5)
    assert summary.text() == "2.00 (1.00, 62.50)"
    assert summary.summary_kind == "median (Q1, Q3)"


def test_describe_ignores_missing_values_and_handles_tiny_samples():
    summary = describe(pd.Series([3.0, None, 5.0]))
    assert summary.n == 2 and summary.shapiro_p is None
    assert summary.text() == "4.00 (3.00, 5.00)"
    assert "not run" in summary.normality_text()
    assert describe([]).text() == "no data"
    assert describe([7, 7, 7]).shapiro_p is None  # all equal: no normality test


def test_weeks_to_months_states_its_conversion():
    weeks = pd.Series([8.0, 2.0])
    assert weeks_to_months(weeks, 28).tolist() == [2.0, 0.5]
    assert weeks_to_months(weeks, 30.44)[0] == pytest.approx(8 * 7 / 30.44)


def test_extreme_outliers_beyond_three_iqr():
    values = pd.Series([10, 12, 14, 16, 18, 20, 500, None])
    assert outliers(values).tolist() == [False] * 6 + [True, False]
    assert not outliers(pd.Series([1, 2, 1000])).any()  # too few values to judge


@pytest.mark.parametrize(
    ("low", "qualifier", "inclusive", "expected"),
    [
        (10, "exact", False, False),  # 10 is not more than 10
        (10, "exact", True, True),
        (11.2, "exact", False, True),
        (10, "greater_than", False, True),  # ">10" is more than 10
        (5, "greater_than", True, False),  # ">5" may or may not reach 10
        (40, "range", False, False),  # "40-70": its lower bound is not above 40
        (40, "range", True, True),
        (None, "", True, False),
    ],
)
def test_surely_exceeds(low, qualifier, inclusive, expected):
    """`above` with a bound column (the condition language) reads a printed bound."""
    frame = pd.DataFrame({"low": [low], "qualifier": [qualifier]}, dtype=object)
    threshold = 10 if qualifier != "range" else 40
    above = {
        "column": "low",
        "value": threshold,
        "inclusive": inclusive,
        "bound_column": "qualifier",
    }
    assert bool(evaluate({"above": above}, frame, Context()).iloc[0]) is expected


def test_settings_from_config_ignores_other_keys():
    settings = Settings.from_config({"reported_results": "x.yaml", "normality_alpha": 0.01})
    assert settings.normality_alpha == 0.01
    assert settings.quantile_method == "weibull"


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=40))
def test_describe_orders_its_figures(values):
    summary = describe(values)
    assert summary.minimum <= summary.q1 <= summary.median <= summary.q3 <= summary.maximum
    assert summary.minimum <= summary.mean + 1e-6 and summary.mean <= summary.maximum + 1e-6


def test_describe_does_not_test_normality_of_values_equal_but_for_rounding():
    summary = describe([0.0, 0.0, 5e-324])
    assert summary.shapiro_p is None
    assert summary.summary_kind == "median (Q1, Q3)"


@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=False, width=32)), max_size=20))
def test_numbers_are_read_alike_from_any_kind_of_column(values):
    """A column of numbers takes a faster path: the values of a list, in order, missing ones
    dropped."""
    expected = [v for v in values if v is not None]
    for column in (
        pd.Series(values, dtype=float),
        pd.Series(values, dtype="Float64"),
        pd.Series(values, dtype=object),
        values,
    ):
        data = numeric(column)
        assert data.dtype == float and list(data) == expected


def test_integers_are_read_as_floats():
    assert list(numeric(pd.Series([3, 1, 2]))) == [3.0, 1.0, 2.0]
    assert list(numeric(pd.Series([3, None, 2], dtype="Int64"))) == [3.0, 2.0]
