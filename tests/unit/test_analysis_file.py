"""The analysis file: the committed one loads against the committed codebook; a bad one is refused
with every problem at once, each located as file: key path: what is wrong; the review's named
conditions are its flags; title placeholders give known answers."""

from pathlib import Path

import pandas as pd
import pytest

from reviewflow.core.definitions import Definitions
from reviewflow.core.errors import InputProblems
from reviewflow.dataset.definitions import load_definitions
from reviewflow.extraction.codebook import Column, load_codebook
from reviewflow.statistics.analysis_file import (
    Analysis,
    Settings,
    as_flag,
    figure_names,
    fill_title,
    load_analysed_cases,
    load_analysis,
    optional_inputs,
    with_flags,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "analysis.schema.yaml"
COLUMNS = (
    Column("case_id", "string", ""),
    Column("study_id", "string", ""),
    Column("age", "number", ""),
    Column("sex", "string", "", enum=("male", "female")),
    Column("pain", "boolean", ""),
    Column("pain_back", "boolean", ""),
    Column("ratio_low", "number", ""),
    Column("ratio_qualifier", "string", "", enum=("exact", "greater_than")),
)
GOOD = """
settings:
  normality_rule: shapiro_wilk
  decimals: {continuous: 2, percent: 1}
characteristics:
  groups:
    - name: Demographics
      rows:
        - {label: Men, count: sex, value: male}
        - {label: Age, summary: age}
        - {label: Back pain, count: pain_back, of: painful, indent: true}
figures:
  pain:
    title: "Pain ({painful.true} of {n})"
    panels:
      - {kind: bars, of: painful, bars: [{label: Back, column: pain_back}]}
sensitivity:
  - name: appraised
    label: Without low quality
    exclude_studies_judged: [exclude]
    study_quality: QUALITY
    study_quality_optional: true
"""


DEFINITIONS = Definitions(
    "definitions.yaml",
    {"limit": 40},
    {
        "painful": {"any": [{"is_true": "pain"}, {"is_true": "pain_back"}]},
        "ratio_high": {
            "above": {"column": "ratio_low", "value": "{limit}", "bound_column": "ratio_qualifier"}
        },
    },
)


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "analysis.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(InputProblems) as caught:
        load_analysis(write(tmp_path, text), COLUMNS, SCHEMA, None, DEFINITIONS)
    return caught.value.problems


def committed_definitions(codebook):
    return load_definitions(REPO / "config" / "definitions.yaml", codebook)


def test_the_committed_analysis_file_loads_against_the_committed_codebook():
    codebook = load_codebook(
        REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
    )
    analysis = load_analysis(
        REPO / "config" / "analysis.yaml",
        codebook.columns,
        SCHEMA,
        None,
        committed_definitions(codebook),
    )
    assert list(analysis.figures) == ["levels", "symptoms", "treatments_outcomes", "case_overview"]
    assert sum(len(g.rows) for g in analysis.groups) == 59
    assert [s.name for s in analysis.sensitivity] == ["without_duplicates", "without_low_quality"]
    assert analysis.settings.normality_alpha == 0.05


def test_a_good_file_loads(tmp_path):
    analysis = load_analysis(write(tmp_path, GOOD), COLUMNS, SCHEMA, None, DEFINITIONS)
    row = analysis.groups[0].rows[2]
    assert (row.count, row.of, row.indent) == ("pain_back", "painful", True)
    assert analysis.sensitivity[0].study_quality_optional is True


def test_schema_problems_are_all_reported_located_by_key(tmp_path):
    text = GOOD.replace("normality_rule: shapiro_wilk", "normality_rule: shapiro")
    text = text.replace("{label: Men, count: sex, value: male}", "{label: Men, cuont: sex}")
    text = text.replace("{label: Age, summary: age}", "{label: Age, summary: age, count: age}")
    text = text.replace("kind: bars,", "kind: pie,")
    problems = problems_of(tmp_path, text)
    source = str(tmp_path / "analysis.yaml")
    assert (
        f"{source}: settings.normality_rule: 'shapiro' is not allowed: one of shapiro_wilk, "
        "mean_sd, median_iqr" in problems
    )
    assert any(
        p.startswith(f"{source}: characteristics.groups[0].rows[0]: unknown key(s) cuont")
        for p in problems
    )
    assert any(
        p.startswith(f"{source}: characteristics.groups[0].rows[1]: a row has either `count`")
        for p in problems
    )
    assert any(p.startswith(f"{source}: figures.pain.panels[0].kind: 'pie'") for p in problems)


def test_names_are_checked_against_the_dataset_with_a_suggestion(tmp_path):
    text = GOOD.replace("column: pain_back}]}", "column: pain_bak}]}")
    text = text.replace("value: male", "value: man")
    text = text.replace("summary: age", "summary: sex")
    text = text.replace("{painful.true}", "{paniful.true}")
    problems = problems_of(tmp_path, text)
    source = str(tmp_path / "analysis.yaml")
    assert problems == [
        f"{source}: characteristics.groups[0].rows[0].value: 'man': not a value of sex: one of "
        "male, female",
        f"{source}: characteristics.groups[0].rows[1].summary: 'sex' is a category column: must "
        "be number",
        f"{source}: figures.pain.title: 'paniful': no such dataset column or named condition "
        "(did you mean painful?)",
        f"{source}: figures.pain.panels[0].bars[0].column: 'pain_bak': no such dataset column "
        "or named condition (did you mean pain_back?)",
    ]


def test_a_flag_not_defined_in_the_definitions_is_unknown(tmp_path):
    source = str(tmp_path / "analysis.yaml")
    with pytest.raises(InputProblems) as caught:
        load_analysis(write(tmp_path, GOOD), COLUMNS, SCHEMA)  # no definitions: no painful
    assert (
        f"{source}: characteristics.groups[0].rows[2].of: 'painful': no such dataset column or "
        "named condition (did you mean pain?)" in caught.value.problems
    )


def test_an_old_derived_section_is_told_where_flags_are_defined(tmp_path):
    text = GOOD + "derived:\n  painful: {any_of: [pain, pain_back]}\n"
    source = str(tmp_path / "analysis.yaml")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{source}: derived: flags are defined once for the whole review")
    assert "config/definitions.yaml" in problem


def test_a_panel_must_have_what_its_kind_needs(tmp_path):
    text = GOOD.replace(
        "- {kind: bars, of: painful, bars: [{label: Back, column: pain_back}]}",
        "- {kind: paired_bars, of: painful, bars: [{label: Back, column: pain_back}]}",
    )
    problems = problems_of(tmp_path, text)
    assert any("figures.pain.panels[0]: a paired_bars panel needs `series`" in p for p in problems)
    assert any("figures.pain.panels[0].of: paired bars need two flags" in p for p in problems)
    assert any("panels[0].bars[0]: a paired bar needs `columns`: two flags" in p for p in problems)


def test_yaml_errors_are_located(tmp_path):
    problems = problems_of(tmp_path, GOOD + "settings: {}\n")
    assert problems[0].endswith(
        "key 'settings' given twice (first at line 2): each key may appear once in a mapping"
    )


def test_figure_names_and_optional_inputs(tmp_path):
    path = write(tmp_path, GOOD.replace("QUALITY", str(tmp_path / "quality.tsv")))
    assert figure_names(path) == ["pain"]
    assert optional_inputs(path) == []  # optional and absent
    (tmp_path / "quality.tsv").write_text("study_id\tjudgement\treason\n")
    assert optional_inputs(path) == [str(tmp_path / "quality.tsv")]
    assert figure_names(tmp_path / "missing.yaml") == []


def test_named_conditions_as_flags_and_title_placeholders():
    cases = pd.DataFrame(
        {
            "pain": pd.array([True, False, None, False], dtype="boolean"),
            "pain_back": pd.array([False, True, None, None], dtype="boolean"),
            "ratio_low": [50.0, 40.0, 40.0, None],
            "ratio_qualifier": ["exact", "exact", "greater_than", ""],
        }
    )
    named = {
        **DEFINITIONS.conditions,
        "both": {"all": [{"is_true": "pain"}, {"is_true": "pain_back"}]},
        "known": {"any": [{"reported": "pain"}, {"reported": "pain_back"}]},
    }
    definitions = Definitions("definitions.yaml", DEFINITIONS.parameters, named)
    frame = with_flags(cases, Analysis("analysis.yaml", Settings(), definitions=definitions))
    assert frame["painful"].tolist() == [True, True, False, False]
    assert frame["both"].tolist() == [False, False, False, False]
    assert frame["known"].tolist() == [True, True, False, True]
    # 50 > 40; exactly 40 does not exceed; "> 40" does
    assert frame["ratio_high"].tolist() == [True, False, True, False]
    title = "{painful.true} of {n}; {pain_back.reported} reported, {pain_back.not_reported} not"
    assert fill_title(title, frame, Settings()) == "2 of 4; 2 reported, 2 not"


def test_alpha_and_quantile_method_come_from_config_statistics_their_one_owner(tmp_path):
    extraction = REPO / "extraction"
    columns = load_codebook(extraction / "codebook.yaml", extraction / "vocabulary.yaml").columns
    schema = REPO / "workflow" / "schemas" / "analysis.schema.yaml"
    statistics = {"normality_alpha": 0.1, "quantile_method": "hazen"}
    codebook = load_codebook(extraction / "codebook.yaml", extraction / "vocabulary.yaml")
    definitions = committed_definitions(codebook)
    settings = load_analysis(
        REPO / "config" / "analysis.yaml", columns, schema, statistics, definitions
    ).settings
    assert (settings.normality_alpha, settings.quantile_method) == (0.1, "hazen")
    defaults = load_analysis(
        REPO / "config" / "analysis.yaml", columns, schema, None, definitions
    ).settings
    assert (defaults.normality_alpha, defaults.quantile_method) == (0.05, "weibull")
    # an analysis file that still gives the alpha is told where it belongs
    path = tmp_path / "analysis.yaml"
    text = (REPO / "config" / "analysis.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("settings:\n", "settings:\n  normality_alpha: 0.1\n", 1))
    with pytest.raises(InputProblems, match="settings.*normality_alpha"):
        load_analysis(path, columns, schema, None, definitions)


def test_load_analysed_cases_reads_what_the_table_rules_read(tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text("case_id,sex\nC01,male\n", encoding="utf-8")
    inputs = {
        "cases": cases,
        "codebook": REPO / "extraction" / "codebook.yaml",
        "vocabulary": REPO / "extraction" / "vocabulary.yaml",
        "definitions": REPO / "config" / "definitions.yaml",
        "analysis": REPO / "config" / "analysis.yaml",
        "schema": REPO / "workflow" / "schemas" / "analysis.schema.yaml",
    }
    with pytest.raises(InputProblems, match="cases.csv"):  # not the codebook's columns
        load_analysed_cases(inputs)


def test_an_unbalanced_brace_in_a_title_is_refused_not_printed(tmp_path):
    """Issue 24: `{` that opens no placeholder used to be drawn literally in the figure."""
    text = GOOD.replace('"Pain ({painful.true} of {n})"', '"Pain ({painful.true} of {n"')
    source = str(tmp_path / "analysis.yaml")
    assert problems_of(tmp_path, text) == [
        f"{source}: figures.pain.title: 'Pain ({{painful.true}} of {{n': a '{{' that is not "
        "part of a placeholder (unbalanced, or around something else): braces hold only the "
        "placeholders {n} or {<column>.true|reported|not_reported}; use ( ) or [ ] for other "
        "text"
    ]


@pytest.mark.parametrize("text", ["", "\n# only a comment\n"])
def test_an_empty_analysis_file_says_it_is_empty(tmp_path, text):
    source = str(tmp_path / "analysis.yaml")
    assert problems_of(tmp_path, text) == [
        f"{source}: the file is empty: it declares the review's analysis (settings, descriptive, "
        "characteristics, figures, sensitivity): restore it (git checkout -- the file) "
        "or start from the one `reviewflow new-review` writes"
    ]


def test_a_title_placeholder_with_an_unknown_part_is_located(tmp_path):
    text = GOOD.replace('"Pain ({painful.true} of {n})"', '"Pain ({painful.count} of {n})"')
    source = str(tmp_path / "analysis.yaml")
    assert problems_of(tmp_path, text) == [
        f"{source}: figures.pain.title: {{painful.count}}: placeholders are {{n}} or "
        "{<column>.true|reported|not_reported}"
    ]


def test_as_flag_reads_missing_as_false_for_every_kind_of_flag_column():
    """A typed flag column takes a faster path: the same answers as the others."""
    for values, dtype in (
        ([True, None, False], "boolean"),
        ([True, None, False], object),
        ([1.0, None, 0.0], float),
    ):
        flags = as_flag(pd.Series(values, dtype=dtype, name="f"))
        assert list(flags) == [True, False, False]
        assert flags.dtype == bool and flags.name == "f"
    plain = pd.Series([True, False])
    flags = as_flag(plain)
    flags[:] = True  # its own copy: the column is unchanged
    assert list(plain) == [True, False]


def test_a_file_found_to_fit_its_schema_is_not_checked_again_until_it_changes(
    tmp_path, monkeypatch
):
    """With a cache folder: the schema check runs once for the same file and schema; a changed
    file is checked again, and a file that breaks the schema is reported at every load."""
    from reviewflow.statistics import analysis_file

    checks = []
    own = analysis_file.schema_problems
    monkeypatch.setattr(analysis_file, "schema_problems", lambda *a: checks.append(1) or own(*a))
    cache, path = tmp_path / "cache", write(tmp_path, GOOD)
    for _ in range(2):
        load_analysis(path, COLUMNS, SCHEMA, None, DEFINITIONS, cache)
    assert len(checks) == 1
    write(tmp_path, GOOD.replace("decimals: {continuous: 2", "decimals: {continuous: 3"))
    analysis = load_analysis(path, COLUMNS, SCHEMA, None, DEFINITIONS, cache)
    assert analysis.settings.continuous_decimals == 3
    assert len(checks) == 2
    write(tmp_path, GOOD.replace("normality_rule: shapiro_wilk", "normality_rule: shapiro"))
    for _ in range(2):
        with pytest.raises(InputProblems, match="normality_rule"):
            load_analysis(path, COLUMNS, SCHEMA, None, DEFINITIONS, cache)
    assert len(checks) == 4
