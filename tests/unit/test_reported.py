"""Loading a reported-results file: printed precision kept, every problem located and named at
once (schema, references, printed numbers, dataset columns)."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from reviewflow.core.definitions import Definitions
from reviewflow.core.errors import InputProblems
from reviewflow.statistics.reported import check_columns, read_declared

from .statistics_cases import SCHEMA, make_cases, project_declared


def write(tmp_path, data: dict | None = None, text: str | None = None):
    path = tmp_path / "reported_results.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(data, sort_keys=False))
    return path


def load(tmp_path, data=None, text=None):
    """The file of `data` (its `parameters` and `conditions`: the review's definitions)."""
    data = dict(data) if data is not None else None
    definitions = Definitions(
        "definitions.yaml",
        (data or {}).pop("parameters", {}),
        (data or {}).pop("conditions", {}),
    )
    return read_declared(write(tmp_path, data, text), SCHEMA, definitions)


def problems(tmp_path, data=None, text=None) -> str:
    with pytest.raises(InputProblems) as error:
        load(tmp_path, data, text)
    return str(error.value)


SHARE = {"statistic": "share", "where": {"is_true": "flag"}}


def test_the_projects_file_loads_with_every_printed_figure():
    declared = project_declared()
    assert len(declared.reported) == 61
    assert declared.reported["mri_enhancement_positive"].percent == Decimal("98.0")
    assert declared.reported["onset_to_diagnosis_months_range"].low == Decimal("0.50")
    assert declared.reported["treatment_glucocorticoid_combined"].percent == Decimal("40")
    assert declared.reported["initial_pain"].text() == "38/53 (71.7%)"
    assert declared.parameters["days_per_month"] == 30.44
    assert declared.raw_columns() == ["treatment"]
    # every printed item has a computation, a summary's detail, or says why not
    summaries = [
        k for k, e in declared.items.items() if e.get("compute", {}).get("statistic") == "summary"
    ]
    for key in declared.reported:
        entry = declared.items[key]
        assert "compute" in entry or "not_derivable" in entry or key.rsplit("_", 1)[0] in summaries


def test_printed_precision_is_kept(tmp_path):
    text = (
        "items:\n  m:\n    section: '4.1'\n    wording: mean 98.0\n    value: 98.0\n"
        "    description: a mean\n    compute: {statistic: mean, column: age}\n"
    )
    value = load(tmp_path, text=text).reported["m"].value
    assert value == Decimal("98.0") and str(value) == "98.0"


def test_schema_errors_are_located_by_item_and_key_and_all_reported_at_once(tmp_path):
    data = {
        "items": {
            "a": {"section": "4.1", "wording": "29 men", "n": "twenty-nine", "compute": SHARE},
            "b": {"section": "4.1", "compute": {"statistic": "meen", "column": "age"}},
            "c": {"section": "4.1", "compute": {**SHARE, "where": {"is_ture": "flag"}}},
            "ok": {"section": "4.1", "wording": "w", "n": 3, "denominator": 2, "compute": SHARE},
            "d": {"section": "4.1", "compute": SHARE, "count": 3},
            "e": {"section": "4.1", "wording": "x", "percent": 171.7, "compute": SHARE},
            "f": {
                "section": "4.1",
                "compute": SHARE,
                "readings": [{"label": "x", "thresholds": ">="}],
            },
        },
        "itmes": {},
    }
    message = problems(tmp_path, data)
    assert "reported_results.yaml: 7 problems, nothing was written" in message
    assert "the file: Additional properties are not allowed ('itmes' was unexpected)" in message
    del data["itmes"]  # with the shared sections right, the other items' checks join in
    message = problems(tmp_path, data)
    assert "reported_results.yaml: 7 problems, nothing was written" in message
    assert "item 'ok': n 3 is larger than its denominator 2" in message
    assert "item 'a': n: 'twenty-nine' is not of type 'integer'" in message
    assert "item 'b': compute.statistic: 'meen' is not one of" in message
    assert "item 'c': compute.where: {is_ture}: not one of the forms allowed here" in message
    assert "item 'd': Additional properties are not allowed ('count' was unexpected)" in message
    assert "item 'e': percent: 171.7 is greater than the maximum of 100" in message
    assert "item 'f': readings[0]" in message and "'>=' is not one of ['inclusive'" in message


def test_references_and_printed_numbers_are_checked_all_at_once(tmp_path):
    data = {
        "parameters": {"limit": 8},
        "conditions": {"treated": {"any": [{"is_true": "t1"}, {"condition": "trated"}]}},
        "readings": {"both": {"combine": ["one", "two"]}},
        "items": {
            "a": {
                "section": " ",
                "description": "above {limt}",
                "compute": {
                    "statistic": "share",
                    "where": {"above": {"column": "x", "value": "{limt}"}},
                    "among": {"condition": "treated"},
                },
                "readings": [
                    "nothing",
                    {"label": "in {montth}", "where": {"column": "x", "equals": "$limit"}},
                ],
            },
            "b": {
                "section": "4.1",
                "wording": "r",
                "low": 6,
                "high": 0.5,
                "compute": {"statistic": "range", "column": "x"},
            },
            "c": {"section": "4.1", "wording": "n", "n": 5, "denominator": 4, "compute": SHARE},
            "d_mean": {"section": "4.1", "wording": "mean", "value": 3},
            "e": {"section": "4.1", "compute": {"statistic": "mean"}, "description": "e"},
            "f": {"section": "4.1", "n": 3, "compute": SHARE},
            "g": {"section": "4.1", "compute": {"statistic": "ratio", "where": {"is_true": "x"}}},
        },
    }
    message = problems(tmp_path, data)
    expected = [
        "reading 'both'.combine: reading 'one' is not declared",
        "reading 'both'.combine: reading 'two' is not declared",
        "item 'a': section is empty: the article's section as printed",
        "item 'a': description: {limt} is not a parameter",
        "item 'a': compute.where.above.value: {limt}: not a parameter; known: limit",
        "item 'a': readings[0]: reading 'nothing' is not declared under readings",
        "item 'a': readings[1].label: {montth} is not a parameter",
        "item 'a': readings[1].where.equals: '$limit': the old spelling of a parameter: write "
        "'{limit}'",
        "item 'b': low 6 is above high 0.5",
        "item 'c': n 5 is larger than its denominator 4",
        "item 'd_mean': no compute: give one, or not_derivable, or declare above it the summary",
        "item 'e': compute: statistic mean needs a column",
        "item 'f': printed numbers without a wording",
        "item 'g': compute: statistic ratio needs where and per",
    ]
    for text in expected:
        assert text in message, text
    assert f"{len(expected)} problems" in message


def test_a_printed_detail_of_a_summary_declared_above_is_accepted(tmp_path):
    data = {
        "items": {
            "age": {
                "section": "4.1",
                "description": "Age",
                "compute": {"statistic": "summary", "column": "age"},
            },
            "age_mean": {"section": "4.1", "wording": "mean age 48.29", "value": 48.29},
        }
    }
    assert load(tmp_path, data).reported["age_mean"].value == Decimal("48.29")


def test_syntax_errors_and_duplicate_keys_are_located(tmp_path):
    assert "reported_results.yaml:3:1: not valid YAML" in problems(
        tmp_path, text="items:\n  a: [unclosed\n"
    )
    text = "items:\n  a: {section: '1'}\n  a: {section: '2'}\n"
    assert "key 'a' given twice" in problems(tmp_path, text=text)


def test_columns_the_file_reads_must_be_in_the_dataset(tmp_path):
    data = {
        "conditions": {"known": {"reported": "sexx"}},
        "items": {
            "a": {
                "section": "4.1",
                "description": "a",
                "compute": {"statistic": "mean", "column": "agee"},
            },
            "b": {
                "section": "4.1",
                "description": "b",
                "compute": {"statistic": "share", "where": {"condition": "known"}},
            },
            "c": {
                "section": "4.1",
                "description": "c",
                "compute": {"statistic": "count"},
                "readings": [{"label": "l", "leave_out": {"is_true": "flagg"}}],
            },
        },
    }
    declared = load(tmp_path, data)
    with pytest.raises(InputProblems) as error:
        check_columns(declared, make_cases(1).columns, "reported_results.yaml")
    message = str(error.value)
    assert "condition 'known': column 'sexx' is not a column of the dataset" in message
    assert "item 'a': compute.column 'agee' is not a column of the dataset" in message
    assert "item 'c': readings[0].leave_out: column 'flagg' is not a column" in message
    check_columns(project_declared(), make_cases(1).columns, "config/reported_results.yaml")


def test_a_threshold_parameter_is_taken_from_the_codebook_its_one_owner(tmp_path):
    from reviewflow.dataset.definitions import load_definitions
    from reviewflow.extraction.codebook import load_codebook

    repo = Path(__file__).resolve().parents[2]
    codebook = load_codebook(repo / "extraction/codebook.yaml", repo / "extraction/vocabulary.yaml")
    number = next(c for c in codebook.columns if c.part == "status")  # a number read as a status
    value_column = next(c.name for c in codebook.columns_of(number.field) if c.part == "value")
    above = codebook.sheet(codebook.dataset_sheet).field(number.field).status["above"]
    path = tmp_path / "definitions.yaml"
    # (the first review's codebook also names the parameter csf_protein_upper_normal)
    path.write_text(
        f"parameters:\n  limit: {{status_threshold_of: {value_column}}}\n"
        "  csf_protein_upper_normal: 45\n"
    )
    assert load_definitions(path, codebook).parameters["limit"] == above
    path.write_text("parameters:\n  limit: {status_threshold_of: age_years}\n")  # no status
    with pytest.raises(InputProblems, match="parameters.limit: status_threshold_of: 'age_years'"):
        load_definitions(path, codebook)


def test_parameters_and_conditions_in_the_file_are_told_where_they_belong(tmp_path):
    text = "parameters: {a: 1}\nconditions: {b: {is_true: c}}\nitems: {}\n"
    message = problems(tmp_path, text=text)
    assert (
        "parameters: the review's parameters are defined once, in its definitions file" in message
    )
    assert "conditions: the review's conditions are defined once" in message


def test_without_definitions_only_the_printed_figures_are_checked(tmp_path):
    """The reconciliation reads the printed figures only: names are the summary rule's check."""
    data = {
        "items": {
            "x": {
                "section": "1",
                "wording": "w",
                "n": 2,
                "description": "{anything}",
                "compute": {"statistic": "count", "where": {"condition": "somewhere"}},
            }
        }
    }
    declared = read_declared(write(tmp_path, data), SCHEMA)
    assert declared.reported["x"].n == 2


def test_a_section_is_free_text(tmp_path):
    """A case series prints no numbered section: any text is kept as printed."""
    text = (
        "items:\n  m:\n    section: Case series (Table 1)\n    wording: mean 98.0\n"
        "    value: 98.0\n    description: a mean\n    compute: {statistic: mean, column: age}\n"
    )
    assert load(tmp_path, text=text).reported["m"].section == "Case series (Table 1)"


def test_an_item_naming_an_unknown_condition_or_parameter_is_located(tmp_path):
    data = {
        "parameters": {"limit": 8},
        "conditions": {"treated": {"is_true": "t"}},
        "items": {
            "a": {
                "section": "1",
                "description": "a",
                "compute": {
                    "statistic": "share",
                    "where": {"any": [{"condition": "trated"}, {"column": "x", "equals": "$x"}]},
                    "among": {"column": "x", "in": ["{limit}", "{limt}"]},
                },
            }
        },
    }
    message = problems(tmp_path, data)
    assert "item 'a': compute.where.any[0].condition: 'trated': not a named condition" in message
    assert (
        "item 'a': compute.where.any[1].equals: '$x': the old spelling of a parameter: write "
        "'{x}'" in message
    )
    assert "item 'a': compute.among.in[1]: {limt}: not a parameter; known: limit" in message
    assert "3 problems" in message


def test_a_file_found_to_fit_its_schema_is_not_checked_again_until_it_changes(
    tmp_path, monkeypatch
):
    """With a cache folder, as the statistics job reads it: the project's file is checked
    against its schema once while it is the same; a key it breaks the schema with is reported
    at every read."""
    from reviewflow.statistics import reported

    from .statistics_cases import REPO, project_definitions

    checks = []
    own = reported.schema_errors
    monkeypatch.setattr(reported, "schema_errors", lambda *a: checks.append(1) or own(*a))
    path, cache = REPO / "config" / "reported_results.yaml", tmp_path / "cache"
    first = read_declared(path, SCHEMA, project_definitions(), cache)
    again = read_declared(path, SCHEMA, project_definitions(), cache)
    assert len(checks) == 1 and again.reported == first.reported and len(first.reported) == 61
    broken = tmp_path / "reported_results.yaml"
    broken.write_text(path.read_text(encoding="utf-8") + "misspelt_key: 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputProblems, match="misspelt_key"):
            read_declared(broken, SCHEMA, project_definitions(), cache)
    assert len(checks) == 3
