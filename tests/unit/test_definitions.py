"""The review's definitions (config/definitions.yaml): each named parameter and condition is
defined once in a review; every problem of the file is located by file and key, all at once."""

from pathlib import Path

import jsonschema
import pytest

from reviewflow.core.definitions import Definitions, read_definitions
from reviewflow.core.errors import InputProblems
from reviewflow.core.yamlfile import read_yaml
from reviewflow.dataset.definitions import load_definitions
from reviewflow.extraction.codebook import load_codebook

REPO = Path(__file__).resolve().parents[2]
REVIEWS = {
    "first review": REPO,
    "jaw_schwannoma": REPO / "tests" / "data" / "reviews" / "jaw_schwannoma",
    "sinonasal_glomangiopericytoma": REPO
    / "tests"
    / "data"
    / "reviews"
    / "sinonasal_glomangiopericytoma",
    "starter": REPO / "scripts" / "reviewflow" / "starter",
}


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "definitions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path, text: str, columns=None) -> list[str]:
    with pytest.raises(InputProblems) as caught:
        read_definitions(write(tmp_path, text), columns)
    return caught.value.problems


@pytest.mark.parametrize("review", sorted(REVIEWS))
def test_every_name_of_a_review_is_defined_once(review):
    """The definitions load against the review's codebook (no parameter, condition or dataset
    column shares a name), and no other file of the review defines a flag, condition or
    parameter of its own."""
    root = REVIEWS[review]
    config = read_yaml(root / "config" / "config.yaml")
    codebook = load_codebook(
        root / config["extraction"]["codebook"], root / config["dataset"]["vocabulary"]
    )
    definitions = load_definitions(root / config["review"]["definitions"], codebook)
    schema = read_yaml(REPO / "workflow" / "schemas" / "definitions.schema.yaml")
    jsonschema.validate(read_yaml(root / config["review"]["definitions"]) or {}, schema)
    names = [*definitions.parameters, *definitions.conditions, *codebook.column_names]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []
    analysis = read_yaml(root / config["statistics"]["analysis"])
    assert "derived" not in analysis
    reported = read_yaml(root / config["statistics"]["reported_results"])
    assert not {"parameters", "conditions"} & set(reported)


def test_the_first_review_defines_treated_and_the_immunosuppressants_once():
    codebook = load_codebook(
        REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
    )
    defs = load_definitions(REPO / "config" / "definitions.yaml", codebook)
    assert "treated" in defs.conditions
    # the drugs are listed once, by the vocabulary's derived column; the condition names it
    assert defs.conditions["conventional_immunosuppressant"] == {
        "condition": "treatment_immunosuppressant"
    }
    assert [part["is_true"] for part in defs.named["treatment_immunosuppressant"]["any"]] == [
        "treatment_azathioprine",
        "treatment_methotrexate",
        "treatment_cyclophosphamide",
        "treatment_mycophenolate",
    ]
    assert defs.parameters["igg4_cells_per_hpf"] == 10
    criterion = defs.conditions["histology_criteria_met"]["any"]
    assert [part["above"]["value"] for part in criterion] == [
        "{igg4_cells_per_hpf}",
        "{igg4_ratio_percent}",
    ]


def test_a_name_defined_twice_is_a_located_problem(tmp_path):
    text = (
        "parameters:\n  limit: 8\n  treated: 1\n"
        "conditions:\n  treated: {is_true: t}\n  sex: {reported: sex}\n  limit: {is_true: t}\n"
    )
    source = str(tmp_path / "definitions.yaml")
    found = problems_of(tmp_path, text, columns=["t", "sex"])
    assert found == [
        f"{source}: conditions.treated: 'treated' is also defined under parameters: one name, "
        "one definition",
        f"{source}: conditions.limit: 'limit' is also defined under parameters: one name, one "
        "definition",
        f"{source}: conditions.sex: 'sex' is already a dataset column (the codebook or the "
        "vocabulary defines it): one name, one definition; refer to the column by name",
    ]


def test_a_name_given_twice_in_one_section_is_a_located_problem(tmp_path):
    text = "conditions:\n  treated: {is_true: a}\n  treated: {is_true: b}\n"
    found = problems_of(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'definitions.yaml'}:3:")
    assert "key 'treated' given twice (first at line 2)" in found[0]


def test_every_problem_of_the_file_at_once(tmp_path):
    text = (
        "parameters:\n  a: $b\n  c: [1]\n  d: {status: x}\n"
        "conditions:\n  x: {condition: y}\n  y: {condition: x}\n  z: {is_true: nope}\n"
        "  w: {above: {column: t, value: '{e}'}}\n"
    )
    source = str(tmp_path / "definitions.yaml")
    assert problems_of(tmp_path, text, columns=["t"]) == [
        f"{source}: parameters.a: '$b': a parameter cannot name another parameter: write its value",
        f"{source}: parameters.c: [1]: a number, a text or {{status_threshold_of}}",
        f"{source}: parameters.d: {{'status': 'x'}}: a number, a text or {{status_threshold_of}}",
        f"{source}: conditions.z.is_true: 'nope': not a column",
        f"{source}: conditions.w.above.value: {{e}}: not a parameter; known: a, c, d",
        f"{source}: conditions.x: refers to itself (x -> y -> x): a condition cannot contain "
        "itself",
    ]


def test_unknown_sections_and_bad_names(tmp_path):
    source = str(tmp_path / "definitions.yaml")
    assert problems_of(tmp_path, "parameter: {a: 1}\nconditions: {2x: {is_true: a}}\n") == [
        f"{source}: parameter: unknown section: the definitions have parameters, conditions",
        f"{source}: conditions.2x: not a name: letters, digits and _",
    ]


def test_an_empty_file_defines_nothing(tmp_path):
    assert read_definitions(write(tmp_path, "# nothing yet\n")) == Definitions(
        str(tmp_path / "definitions.yaml")
    )
