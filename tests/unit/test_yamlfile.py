"""The strict YAML reader: duplicate keys refused, syntax errors located, decimals kept."""

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from reviewflow.core.errors import InputProblems
from reviewflow.core.yamlfile import parse_yaml, read_yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "workflow" / "lib"))
import buildcheck  # noqa: E402  (the Snakefile's parse-time reader)


def test_duplicate_key_is_refused_with_both_lines():
    text = "coded:\n  sex:\n    values: {Male: male, Female: female}\n    values: {Male: female}\n"
    with pytest.raises(InputProblems) as caught:
        parse_yaml(text, "vocabulary.yaml")
    assert caught.value.problems == [
        "vocabulary.yaml:4:5: key 'values' given twice (first at line 3): "
        "each key may appear once in a mapping"
    ]


def test_duplicate_key_in_flow_mapping_and_all_reported_at_once():
    text = "a: {Male: male, Male: female}\nb: 1\nb: 2\n"
    with pytest.raises(InputProblems) as caught:
        parse_yaml(text, "v.yaml")
    assert [p.split(": key")[0] for p in caught.value.problems] == ["v.yaml:1:17", "v.yaml:3:1"]


def test_syntax_error_is_located():
    with pytest.raises(InputProblems) as caught:
        parse_yaml("a: [1, 2\nb: 3\n", "codebook.yaml")
    (problem,) = caught.value.problems
    assert problem.startswith("codebook.yaml:2:")
    assert "not valid YAML" in problem
    assert "<unicode string>" not in problem


def test_same_key_in_different_mappings_is_fine():
    assert parse_yaml("a: {x: 1}\nb: {x: 2}\n", "f") == {"a": {"x": 1}, "b": {"x": 2}}


def test_decimals_keep_printed_precision():
    assert parse_yaml("v: 98.0\nn: 3\n", "f", decimals=True) == {"v": Decimal("98.0"), "n": 3}
    assert str(parse_yaml("v: 98.0\n", "f", decimals=True)["v"]) == "98.0"


def test_missing_and_non_utf8_files_are_named(tmp_path):
    with pytest.raises(InputProblems, match="file not found"):
        read_yaml(tmp_path / "absent.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("a: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputProblems, match="not UTF-8"):
        read_yaml(bad)


HINTS = {
    # the usual causes of a syntax error, and what the message tells the reviewer to do
    "title: Note: x\n": 'must be in quotes, e.g. title: "Note: x"',
    "fields:\n  - name: size\n    label: Size, cm: x\n": 'e.g. label: "Size, cm: x"',
    "a:\n\tb: 1\n": "line 2 is indented with a tab: YAML indents with spaces only",
    'a: "Size\nb: 2\n': "the quote opened at line 1, column 4 is never closed",
    'label: "Size" cm\n': 'text after a closing quote: quote the whole value ("Size" cm',
    "values: [Size, cm\nnext: 1\n": "the [ ... ] opened at line 1 is not closed, or an item",
    "a: {x: 1\nb: 3\n": "the { ... } opened at line 1 is not closed",
    "a:\n  b: 1\n c: 2\n": "line 3 is indented unlike the keys around it",
}


@pytest.mark.parametrize("text", HINTS)
def test_syntax_errors_carry_a_hint_for_the_usual_causes(text, tmp_path):
    with pytest.raises(InputProblems) as caught:
        parse_yaml(text, "codebook.yaml")
    (problem,) = caught.value.problems
    assert HINTS[text] in problem
    assert problem.startswith("codebook.yaml:")
    # the parse-time reader of the Snakefile gives the very same message
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    assert buildcheck.yaml_problems([str(path)]) == [problem.replace("codebook.yaml", str(path), 1)]


def test_valid_text_with_commas_needs_no_hint():
    assert parse_yaml("label: Size, cm\n", "f") == {"label": "Size, cm"}
