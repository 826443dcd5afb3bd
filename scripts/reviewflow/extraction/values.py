"""Parsers of values as case reports print them: numbers, ranges and bounds, durations, area codes.

Each parser takes the text exactly as typed and returns a typed value, or raises `ValueProblem`
whose message says what is wrong (never guesses: "1,5" is refused, not read as 1.5 or 15).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# A plain decimal ("37", "11.2", "417.5") or one with comma thousands separators ("3,260").
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"^{NUMBER}$")
DASHES = "-\u2013\u2014"  # hyphen, en dash, em dash
RANGE_RE = re.compile(rf"^({NUMBER})(%?)\s*[{DASHES}]\s*({NUMBER})(%?)$")
BOUND_RE = re.compile(rf"^([<>])\s*({NUMBER})(%?)$")
EXACT_RE = re.compile(rf"^({NUMBER})(%?)$")
DURATION_RE = re.compile(rf"^({NUMBER})\s*([A-Za-z]+)$")

EXACT, RANGE, GREATER_THAN, LESS_THAN = "exact", "range", "greater_than", "less_than"


class ValueProblem(ValueError):
    """A printed value that a parser cannot read; the message says what is wrong."""


@dataclass(frozen=True)
class Bound:
    """The bounds of a printed value: `high` is None for ">n", `low` is None for "<n"."""

    low: float | None
    high: float | None
    qualifier: str


def parse_number(text: str) -> float:
    """Read "37", "11.2" or "3,260" (comma as thousands separator only)."""
    if not isinstance(text, str) or not NUMBER_RE.match(text):
        if isinstance(text, str) and re.fullmatch(r"\d+,\d{1,2}|\d+,\d{4,}", text):
            raise ValueProblem("has a comma that is not a thousands separator")
        raise ValueProblem("is not a number")
    value = float(text.replace(",", ""))
    if not math.isfinite(value):
        raise ValueProblem("is not a finite number")
    return value


def parse_bound(text: str, *, percent: bool = False) -> Bound:
    """Read a printed value into bounds: "11.2", "27%", "120–130", "15-45", ">10", "<5"."""
    if not isinstance(text, str):
        raise ValueProblem("is not a number, range or bound")
    kind, match = None, None
    for regex, name in ((EXACT_RE, EXACT), (RANGE_RE, RANGE), (BOUND_RE, None)):
        match = regex.match(text)
        if match:
            kind = name
            break
    if match is None:
        raise ValueProblem("is not a number, range or bound")
    signs = [g for g in match.groups() if g == "%"]
    if signs and not percent:
        raise ValueProblem("has a % sign where no percentage is expected")
    if kind == EXACT:
        value = parse_number(match.group(1))
        return Bound(value, value, EXACT)
    if kind == RANGE:
        low, high = parse_number(match.group(1)), parse_number(match.group(3))
        if low > high:
            raise ValueProblem("is a range whose low end is above its high end")
        return Bound(low, high, RANGE)
    value = parse_number(match.group(2))
    if match.group(1) == ">":
        return Bound(value, None, GREATER_THAN)
    return Bound(None, value, LESS_THAN)


def parse_duration(text: str, units: dict[str, float], per_days: float = 7) -> float:
    """Read "2d" or "48w" in units of `per_days` days (weeks by default); `units` maps a unit
    letter to its length in days."""
    match = DURATION_RE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueProblem("is not a number followed by a unit")
    unit = match.group(2)
    if unit not in units:
        raise ValueProblem(f"has an unknown unit {unit!r}")
    return parse_number(match.group(1)) * units[unit] / per_days


def parse_levels(text: str, codes: list[str]) -> tuple[str, ...]:
    """Read area codes separated by single spaces ("C T L"); returns them in `codes` order."""
    if not isinstance(text, str) or not text:
        raise ValueProblem("has no area code")
    tokens = text.split(" ")
    unknown = [t for t in tokens if t not in codes]
    if unknown:
        shown = ", ".join(repr(t) for t in unknown)
        raise ValueProblem(f"has unknown area code(s) {shown}")
    if len(set(tokens)) != len(tokens):
        raise ValueProblem("repeats an area code")
    return tuple(code for code in codes if code in tokens)


def format_number(value: float | None) -> str:
    """A number as the dataset writes it: "" for None, "37" for 37.0, "11.2", "0.2857142857"."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(round(float(value), 10))
