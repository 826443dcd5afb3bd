"""The declared-figures engine on a hand-made frame (no review's columns): each statistic, each
kind of reading, the summary's details, remarks and the summary table."""

import pandas as pd
import pytest

from reviewflow.core.definitions import Definitions
from reviewflow.core.yamlfile import read_yaml
from reviewflow.statistics.measures import Proportion
from reviewflow.statistics.recompute import (
    attach_raw_columns,
    compute_items,
    raw_text_column,
    summary_frame,
)
from reviewflow.statistics.reported import parse_declared

from .statistics_cases import SCHEMA

NA = None


@pytest.fixture
def frame():
    """Six patients; weeks 2, 4, 8, 24, 48 (months of 4 weeks: 0.5, 1, 2, 6, 12)."""
    return pd.DataFrame(
        {
            "case_id": [f"P{i}" for i in range(1, 7)],
            "sex": ["m", "m", "f", "m", "f", NA],
            "weeks": [2.0, 4.0, 8.0, 24.0, 48.0, NA],
            "size": [5.0, 10.0, 10.0, 20.0, 0.0, 400.0],
            "drug_a": pd.array([True, True, False, False, NA, True], dtype="boolean"),
            "drug_b": pd.array([False, True, True, False, NA, False], dtype="boolean"),
            "recurred": pd.array([True, False, False, True, NA, NA], dtype="boolean"),
        }
    )


def items(frame, items, **top):
    parameters = {"limit": 10, "dpm": 30.44, "four_weeks": 28, **top.pop("parameters", {})}
    definitions = Definitions("definitions.yaml", parameters, top.pop("conditions", {}))
    data = {**top, "items": items}
    declared = parse_declared(data, "test.yaml", read_yaml(SCHEMA), definitions)
    return {item.key: item for item in compute_items(frame, declared)}


def one(frame, compute, **entry):
    return items(frame, {"x": {"section": "1", "description": "x", "compute": compute, **entry}})


def by_label(item):
    return {reading.label: reading.values for reading in item.alternatives}


def test_count_share_and_ratio(frame):
    assert one(frame, {"statistic": "count"})["x"].values.n == 6
    male = {"column": "sex", "equals": "m"}
    assert one(frame, {"statistic": "count", "where": male})["x"].values.text == "3"
    share = one(frame, {"statistic": "share", "where": male, "among": {"reported": "sex"}})["x"]
    assert (share.values.n, share.values.denominator) == (3, 5)
    assert share.values.text == "3/5 (60.0%)"
    everyone = one(frame, {"statistic": "share", "where": {"is_true": "drug_a"}})["x"]
    assert everyone.values.text == "3/6 (50.0%)"
    ratio = {"statistic": "ratio", "where": male, "per": {"column": "sex", "equals": "f"}}
    assert one(frame, ratio)["x"].values.text == "1.50:1"


def test_number_statistics_with_among_and_conversion(frame):
    def value(statistic, **more):
        return one(frame, {"statistic": statistic, "column": "size", **more})["x"].values

    assert value("mean").value == pytest.approx(445 / 6)
    assert value("median").value == 10
    assert (value("min").value, value("max").value) == (0, 400)
    assert value("q1").value == pytest.approx(3.75)  # weibull: at (n+1)/4 = 1.75
    assert value("sd").value == pytest.approx(pd.Series([5, 10, 10, 20, 0, 400]).std())
    assert value("range").text == "0.00–400.00"
    assert value("iqr").text == "3.75–115.00"
    assert value("mean", among={"column": "sex", "equals": "m"}).value == pytest.approx(35 / 3)
    months = {"from": "weeks", "to": "months", "days_per_month": "{four_weeks}"}
    assert value("mean", column="weeks", convert=months).value == pytest.approx(4.3)


def test_a_summary_chooses_by_shapiro_wilk_and_gives_its_details(frame):
    found = items(
        frame,
        {
            "s": {
                "section": "1",
                "description": "Size (mm)",
                "compute": {"statistic": "summary", "column": "size", "details": ["mean", "max"]},
            }
        },
    )
    assert list(found) == ["s", "s_mean", "s_max"]
    assert found["s"].statistic == "median (Q1, Q3)"  # 400 makes it skewed
    assert found["s"].values.text == "10.00 (3.75, 115.00)"
    assert found["s"].description.startswith("Size (mm): median (Q1, Q3) (Shapiro-Wilk W = ")
    assert found["s_mean"].description == "Size (mm): mean"
    assert "rather than a mean" in found["s_mean"].remark
    assert found["s_max"].values.text == "400.00"


def test_readings_leave_out_combine_and_templates(frame):
    top = {
        "readings": {
            "big": {
                "label": "extreme sizes left out: {cases}",
                "leave_out": {"outlier": {"column": "size", "unit": "mm"}},
            },
            "zero": {
                "label": "a zero read as missing: {cases}",
                "leave_out": {"column": "size", "equals": 0},
            },
            "both": {"combine": ["big", "zero"]},
            "none": {"label": "nothing", "leave_out": {"column": "size", "equals": 99}},
        }
    }
    entry = {
        "section": "1",
        "description": "Size",
        "compute": {"statistic": "summary", "column": "size"},
        "readings": ["big", "zero", "both", "none"],
    }
    found = items(frame, {"size": entry}, **top)
    big = "extreme sizes left out: P6 (400 mm), above Q3 + 3 IQR = 448.8"
    # the outlier bounds are those of all rows: 400 lies below Q3 + 3 IQR, so nothing is extreme
    assert big not in by_label(found["size_max"])
    zero = "a zero read as missing: P5"
    assert by_label(found["size_min"]) == {zero: by_label(found["size_min"])[zero]}
    assert by_label(found["size_min"])[zero].value == 5
    top["readings"]["big"]["leave_out"]["outlier"]["factor"] = 1
    found = items(frame, {"size": entry}, **top)
    big = "extreme sizes left out: P6 (400 mm), above Q3 + 1 IQR = 226.3"
    readings = by_label(found["size_max"])
    assert readings[big].value == 20
    assert readings[f"{big}; and {zero}"].value == 20
    assert readings[zero].value == 400  # the same maximum, over 5 values: shown (n differs)
    assert by_label(found["size_min"])[f"{big}; and {zero}"].value == 5


def test_readings_change_where_among_statistic_conversion_and_thresholds(frame):
    weeks = {"statistic": "range", "column": "weeks"}
    weeks["convert"] = {"from": "weeks", "to": "months", "days_per_month": "{dpm}"}
    found = one(
        frame,
        weeks,
        description="months ({month})",
        readings=[
            {
                "label": "IQR, {month}",
                "statistic": "iqr",
                "convert": {"days_per_month": "{four_weeks}"},
            },
            {"label": "same", "statistic": "range"},  # changes nothing: left out
        ],
    )["x"]
    assert found.description == "months (a month taken as 30.44 days (4.349 weeks))"
    assert by_label(found) == {
        "IQR, a month taken as 4 weeks (28 days)": by_label(found)[
            "IQR, a month taken as 4 weeks (28 days)"
        ]
    }
    iqr = by_label(found)["IQR, a month taken as 4 weeks (28 days)"]
    assert (iqr.low, iqr.high) == (0.75, 9.0)
    over = {"statistic": "share", "where": {"above": {"column": "size", "value": "{limit}"}}}
    found = one(frame, over, readings=[{"label": "≥ {limit}", "thresholds": "inclusive"}])["x"]
    assert (found.values.n, by_label(found)["≥ 10"].n) == (2, 4)
    drug = {"statistic": "share", "where": {"is_true": "drug_a"}, "among": {"reported": "drug_a"}}
    found = one(
        frame,
        drug,
        readings=[
            {"label": "a or b", "where": {"any": [{"is_true": "drug_a"}, {"is_true": "drug_b"}]}}
        ],
    )
    assert by_label(found["x"])["a or b"].n == 4


def test_a_listed_case_reading_a_percent_over_all_and_a_remark(frame):
    recurred = {
        "statistic": "share",
        "where": {"is_true": "recurred"},
        "among": {"reported": "recurred"},
    }
    found = one(
        frame,
        recurred,
        readings=[
            {
                "label": "unknown read as none: {cases}",
                "cases": {"not_reported": "recurred"},
                "among": {"reported": "case_id"},
            }
        ],
        remark={
            "text": "No size equals {limit}.",
            "when_no_case": {"column": "size", "equals": "{limit}"},
        },
    )["x"]
    assert by_label(found)["unknown read as none: P5, P6"].text == "2/6 (33.3%)"
    assert found.remark == ""  # two sizes equal 10
    top = {
        "every_item_readings": [
            {"label": "over all {n_cases} ({share}) not {denominator}", "percent_over_all": True}
        ]
    }
    found = items(frame, {"x": {"section": "1", "description": "x", "compute": recurred}}, **top)[
        "x"
    ]
    (reading,) = found.alternatives
    assert reading.quiet and reading.label == "over all 6 (2/6 (33.3%)) not 4"
    assert (reading.values.n, reading.values.denominator) == (2, 4)
    assert reading.values.percent == pytest.approx(100 / 3)


def test_a_naive_text_match_on_a_raw_column(frame, tmp_path):
    raw = tmp_path / "cases.tsv"
    texts = ["Drug-A", "druga drug_b", "other", "", "", "x"]
    raw.write_text("case_id\tnotes\n" + "".join(f"P{i}\t{t}\n" for i, t in enumerate(texts, 1)))
    joined, warnings = attach_raw_columns(frame, raw, ["notes", "nothing"])
    assert warnings == [f"{raw}: no column nothing: its readings are not tried"]
    assert joined[raw_text_column("notes")].tolist() == texts
    reading = {
        "label": "naive: {cases}",
        "text_match": {"column": "{col}", "words": {"drug_a": "drug", "drug_b": "drug_b"}},
    }
    data = {
        "items": {
            "x": {
                "section": "1",
                "description": "x",
                "compute": {"statistic": "share", "where": {"is_true": "drug_a"}},
                "readings": [reading],
            }
        },
    }
    definitions = Definitions("definitions.yaml", {"col": "notes"})
    declared = parse_declared(data, "t.yaml", read_yaml(SCHEMA), definitions)
    (item,) = compute_items(joined, declared)
    assert item.values.n == 3
    (naive,) = item.alternatives
    # flagged but no word of the text begins with the flag's word: P3 (drug_b), P6 (drug_a)
    assert naive.label == "naive: P3 'other'; P6 'x'"
    assert naive.values.n == 2  # P1 ('Drug-A'), P2 ('druga')
    (missing,) = compute_items(frame, declared)
    assert "the raw column 'notes' is not available" in missing.hint
    assert Proportion(missing.values.n, missing.values.denominator) == Proportion(3, 6)


def test_summary_table_and_not_derivable(frame):
    found = items(
        frame,
        {
            "a": {"section": "1", "description": "A", "compute": {"statistic": "count"}},
            "b": {"section": "2", "not_derivable": "no column for {limit}"},
        },
    )
    assert found["b"].values is None and found["b"].not_derivable == "no column for 10"
    table = summary_frame(list(found.values()))
    assert table["item"].tolist() == ["a"]
    assert table.loc[0, "text"] == "6"


def test_items_file_round_trips_every_value_reading_and_reason(frame, tmp_path):
    from reviewflow.core.errors import InputProblems
    from reviewflow.core.io import write_json
    from reviewflow.statistics.recompute import items_document, read_items

    top = {
        "readings": {
            "zero": {"label": "zero missing", "leave_out": {"column": "size", "equals": 0}}
        }
    }
    declared = {
        "size": {
            "section": "1",
            "description": "Size",
            "compute": {"statistic": "summary", "column": "size"},
            "readings": ["zero"],
        },
        "a": {
            "section": "2",
            "description": "A",
            "compute": {"statistic": "count", "where": {"is_true": "drug_a"}},
        },
        "gone": {"section": "2", "description": "Not in the data", "not_derivable": "no column"},
    }
    computed = list(items(frame, declared, **top).values())
    assert any(item.alternatives for item in computed) and any(
        item.not_derivable for item in computed
    )
    path = tmp_path / "items.json"
    write_json(items_document(computed), path)
    assert read_items(path) == computed
    path.write_text('{"items": [{"key": "x"}]}', encoding="utf-8")
    with pytest.raises(InputProblems, match="not an items file"):
        read_items(path)


def test_a_reading_is_made_once_for_all_the_items_that_try_it(frame, monkeypatch):
    from reviewflow.statistics import recompute

    made = []
    make_plan = recompute.make_plan

    def counting(spec, *args):
        made.append(spec)
        return make_plan(spec, *args)

    monkeypatch.setattr(recompute, "make_plan", counting)
    top = {
        "readings": {
            "zero": {
                "label": "a zero read as missing: {cases}",
                "leave_out": {"column": "size", "equals": 0},
            }
        }
    }
    entry = {"section": "1", "readings": ["zero"]}
    found = items(
        frame,
        {
            "low": {**entry, "compute": {"statistic": "min", "column": "size"}},
            "small": {
                **entry,
                "compute": {
                    "statistic": "count",
                    "where": {"at_most": {"column": "size", "value": 5}},
                },
            },
        },
        **top,
    )
    assert made == ["zero"]
    zero = "a zero read as missing: P5"
    assert (found["low"].values.value, by_label(found["low"])[zero].value) == (0, 5)
    assert (found["small"].values.n, by_label(found["small"])[zero].n) == (2, 1)
