"""docs/reference.md is generated (docs/make_reference.py) from the codebook's type registry,
the schemas and the shipped reviews: it must be what the generator writes today."""

import importlib.util

from tests.import_closure import REPO

spec = importlib.util.spec_from_file_location("make_reference", REPO / "docs" / "make_reference.py")
make_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_reference)


def test_the_committed_reference_is_up_to_date():
    committed = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == make_reference.reference(), (
        "docs/reference.md is out of date: run `python docs/make_reference.py` and commit it"
    )


def test_every_codebook_type_and_key_has_its_sentence():
    assert make_reference.missing_text(make_reference.load(make_reference.TEXT)) == []
    missing = make_reference.missing_text({"keys": {"range": "x", "colour": "y"}})
    assert "reference_text.yaml: keys.unit: no text" in missing
    assert "reference_text.yaml: keys.colour: not in the codebook" in missing


def test_every_schema_key_is_in_the_reference():
    text = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    for key in (
        "settings.normality_rule",
        "figures.<name>.panels",
        "sensitivity[].exclude_studies_judged",
        "every_item_readings",
        "compute.statistic",
        "condition.column",
    ):
        assert f"`{key}" in text
