"""Parsers of printed values: known answers, and properties (hypothesis) for ranges and bounds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.extraction.values import (
    Bound,
    ValueProblem,
    format_number,
    parse_bound,
    parse_duration,
    parse_levels,
    parse_number,
)

DAYS = {"d": 1, "w": 7}
CODES = ["B", "C", "T", "L", "S"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("37", 37), ("11.2", 11.2), ("417.5", 417.5), ("3,260", 3260), ("1,234,567.5", 1234567.5)],
)
def test_parse_number_reads_printed_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1,5", "has a comma that is not a thousands separator"),
        ("3,2600", "has a comma that is not a thousands separator"),
        ("", "is not a number"),
        (" 37", "is not a number"),
        ("37 ", "is not a number"),
        ("-3", "is not a number"),
        ("1.2.3", "is not a number"),
        ("ND", "is not a number"),
        ("12,34,567", "is not a number"),
    ],
)
def test_parse_number_refuses_what_it_cannot_read(text, problem):
    with pytest.raises(ValueProblem, match=f"^{problem}$"):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "percent", "bound"),
    [
        ("11.2", False, Bound(11.2, 11.2, "exact")),
        ("27%", True, Bound(27, 27, "exact")),
        ("70", True, Bound(70, 70, "exact")),
        ("120\u2013130", False, Bound(120, 130, "range")),
        ("15-45", False, Bound(15, 45, "range")),
        ("40-70", True, Bound(40, 70, "range")),
        ("40%-70%", True, Bound(40, 70, "range")),
        (">10", False, Bound(10, None, "greater_than")),
        (">40", True, Bound(40, None, "greater_than")),
        ("<5", False, Bound(None, 5, "less_than")),
        ("3,260", False, Bound(3260, 3260, "exact")),
    ],
)
def test_parse_bound_known_answers(text, percent, bound):
    assert parse_bound(text, percent=percent) == bound


@pytest.mark.parametrize(
    ("text", "percent", "problem"),
    [
        ("27%", False, "has a % sign where no percentage is expected"),
        ("130\u2013120", False, "is a range whose low end is above its high end"),
        ("about 10", False, "is not a number, range or bound"),
        ("\u226510", False, "is not a number, range or bound"),
        (">", False, "is not a number, range or bound"),
        ("10-", False, "is not a number, range or bound"),
        ("", False, "is not a number, range or bound"),
    ],
)
def test_parse_bound_refuses(text, percent, problem):
    with pytest.raises(ValueProblem, match=f"^{problem}$"):
        parse_bound(text, percent=percent)


def printed(value: float) -> str:
    """How a report may print a number (thousands separators for large integers)."""
    return f"{value:,.0f}" if value >= 1000 and float(value).is_integer() else format_number(value)


numbers = st.one_of(
    st.integers(min_value=0, max_value=10**7).map(float),
    st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False).map(float),
)


@given(numbers)
def test_printed_numbers_read_back_exactly(value):
    assert parse_number(printed(value)) == value


@given(numbers, numbers, st.sampled_from(["-", "\u2013", "\u2014"]), st.booleans())
def test_ranges_give_their_bounds_in_order(a, b, dash, percent):
    low, high = min(a, b), max(a, b)
    sign = "%" if percent else ""
    bound = parse_bound(f"{printed(low)}{sign}{dash}{printed(high)}{sign}", percent=percent)
    assert bound == Bound(low, high, "range")


@given(numbers, st.sampled_from([">", "<"]))
def test_open_bounds_keep_one_side(value, sign):
    bound = parse_bound(sign + printed(value))
    if sign == ">":
        assert bound == Bound(value, None, "greater_than")
    else:
        assert bound == Bound(None, value, "less_than")


@given(numbers)
def test_exact_values_have_equal_bounds(value):
    bound = parse_bound(printed(value))
    assert bound.low == bound.high == value and bound.qualifier == "exact"


@given(st.text(max_size=12))
def test_parse_bound_never_returns_garbage(text):
    """Any text either parses to ordered bounds or raises ValueProblem (nothing else)."""
    try:
        bound = parse_bound(text, percent=True)
    except ValueProblem:
        return
    assert bound.qualifier in {"exact", "range", "greater_than", "less_than"}
    if bound.low is not None and bound.high is not None:
        assert bound.low <= bound.high


@pytest.mark.parametrize(
    ("text", "weeks"), [("2d", 2 / 7), ("48w", 48), ("1w", 1), ("3d", 3 / 7), ("2.5w", 2.5)]
)
def test_parse_duration_in_weeks(text, weeks):
    assert parse_duration(text, DAYS) == pytest.approx(weeks)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("2m", "has an unknown unit 'm'"), ("w2", "is not a number followed by a unit"), ("", "is")],
)
def test_parse_duration_refuses(text, problem):
    with pytest.raises(ValueProblem, match=problem):
        parse_duration(text, DAYS)


@given(st.integers(min_value=0, max_value=5000), st.sampled_from(["d", "w"]))
def test_durations_scale_by_unit(n, unit):
    assert parse_duration(f"{n}{unit}", DAYS) == pytest.approx(n * DAYS[unit] / 7)


def test_parse_levels_returns_canonical_order():
    assert parse_levels("T C", CODES) == ("C", "T")
    assert parse_levels("B C T L S", CODES) == tuple(CODES)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("C  T", "has unknown area code"),
        ("C,T", "has unknown area code"),
        ("C X", "has unknown area code"),
        ("C C", "repeats an area code"),
        ("", "has no area code"),
    ],
)
def test_parse_levels_refuses(text, problem):
    with pytest.raises(ValueProblem, match=problem):
        parse_levels(text, CODES)


@given(st.sets(st.sampled_from(CODES), min_size=1), st.randoms())
def test_levels_in_any_order_give_the_same_codes(codes, rng):
    tokens = sorted(codes)
    rng.shuffle(tokens)
    assert parse_levels(" ".join(tokens), CODES) == tuple(c for c in CODES if c in codes)


@pytest.mark.parametrize(
    ("value", "text"), [(None, ""), (37.0, "37"), (11.2, "11.2"), (2 / 7, "0.2857142857")]
)
def test_format_number(value, text):
    assert format_number(value) == text
