"""The codebook: its own checks, each field type's cell check, the table schema."""

from pathlib import Path

import pytest
import yaml

from reviewflow.core.errors import InputProblems
from reviewflow.extraction.codebook import load_codebook, table_schema

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = load_codebook(
    REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
)
CASES = CODEBOOK.sheet("cases")
STUDIES = CODEBOOK.sheet("studies")


def test_cases_sheet_is_case_id_study_id_then_the_19_columns_of_table1():
    labels = [f.label for f in CASES.fields]
    assert CASES.names[:2] == ["case_id", "study_id"] and len(labels) == 21
    assert labels[2:] == [
        "Study", "Source", "Gender", "Age", "Time", "Initial symptom", "Main symptoms",
        "serum IgG4", "CSF cell count (0-8)*10^6", "CSF protein", "CSF protein (mg/dl)",
        "Involved area", "MRI enhancement", "Patterns of enhancement", "Pathology", "IgG4+ cell",
        "IgG4+/IgG", "Treatment", "Outcome",
    ]  # fmt: skip
    assert STUDIES.names == ["study_id", "first_author", "year", "title", "journal", "doi", "pmid"]
    assert all(f.help for f in CASES.fields + STUDIES.fields)


@pytest.mark.parametrize(
    ("field", "text", "problem"),
    [
        ("sex", "Male", None),
        ("sex", "male", "is not an allowed value"),
        ("age", "37", None),
        ("age", "ND", None),
        ("age", "130", "is outside the possible range"),
        ("age", "", "is empty"),
        ("source", "", None),
        ("csf_protein_mg_dl", "", None),
        ("csf_protein_mg_dl", "3,260", None),
        ("csf_cell_count", "Increase", None),
        ("csf_cell_count", "Increased", "is not a number"),
        ("time", "48w", None),
        ("time", "48", "is not a number followed by a unit"),
        ("involved_area", "B C T L S", None),
        ("igg4_igg_ratio", "27%", None),
        ("igg4_cells", "27%", "has a % sign where no percentage is expected"),
        ("igg4_igg_ratio", "40-170", "is outside the possible range"),
        ("case_id", "C7", "does not match the id pattern"),
        ("year", "2016.0", "is not a whole number"),
        ("initial_symptom", "anything at all", None),
    ],
)
def test_cell_checks(field, text, problem):
    assert CASES.field(field).check(text) == problem


@pytest.mark.parametrize(
    ("field", "text", "problem"),
    [
        ("doi", "10.3389/fnhum.2025.1541096", None),
        ("doi", "https://doi.org/10.3389/x", "is not a DOI"),
        ("pmid", "12345678", None),
        ("pmid", "PMID:1", "is not a PubMed id"),
        ("title", "", None),
        ("first_author", "", "is empty"),
    ],
)
def test_study_cell_checks(field, text, problem):
    assert STUDIES.field(field).check(text) == problem


def test_allowed_texts_end_the_messages():
    assert CASES.field("sex").allowed() == "one of Male, Female, ND"
    assert CASES.field("csf_protein_mg_dl").allowed() == (
        "a number such as 37, 11.2 or 3,260 from 0 to 100000, or ND; blank: not reported "
        "(Table 1 leaves the cell empty when no value is given)"
    )


def test_codebook_problems_are_reported_at_once(tmp_path):
    data = yaml.safe_load((REPO / "extraction" / "codebook.yaml").read_text(encoding="utf-8"))
    fields = data["workbook"]["sheets"][0]["fields"]
    fields[4]["type"] = "gender"
    fields[5]["colour"] = "red"
    fields[5]["range"] = "zero to 120"  # used to end in "too many values to unpack"
    fields[1]["references"] = "articles.study_id"
    fields[6]["dataset"].pop("unit")
    fields[11]["dataset"]["name"] = "age_years"
    data["dataset"]["order"].append("weight")
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputProblems) as error:
        load_codebook(path, REPO / "extraction" / "vocabulary.yaml")
    problems = [p.removeprefix(f"{path}: ") for p in error.value.problems]
    assert problems[0].startswith("cases.sex: type 'gender': unknown type: one of bound, choice")
    assert problems[1].startswith(
        "cases.age: unknown key(s) colour: one of approximate, axes, blank_means, brackets"
    )
    assert problems[2:7] == [
        "cases.age: range: 'zero to 120': not two numbers from low to high: [low, high], e.g. "
        "[0, 120]",
        "cases.time: dataset.unit: missing: the unit of its dataset column, one of days, weeks, "
        "months, years",
        "cases.study_id: references 'articles.study_id': no such sheet.field: a field of another "
        "sheet",
        "cases.year: same_as: 'studies.year': sheet.field of a sheet that a ref field of sheet "
        "cases references",
        "dataset.order: 'studies.first_author': no ref field of sheet cases reaches it: a field "
        "of sheet cases, or sheet.field of a sheet that a ref field references",
    ]
    assert problems[7].startswith("dataset.order: 'weight': not a field of sheet cases: one of")
    assert problems[8] == (
        "dataset: column age_years is made twice: unique column names (set dataset.name or "
        "dataset.prefix of one field)"
    )
    # the checks that name what is gone are located too
    assert "quality_checks.duplicates.first_author: 'first_author': not a dataset column" in (
        problems
    )


def test_a_range_that_is_not_two_numbers_is_a_located_error(tmp_path):
    text = (REPO / "extraction" / "codebook.yaml").read_text(encoding="utf-8")
    path = tmp_path / "codebook.yaml"
    path.write_text(text.replace("range: [0, 120]", 'range: "zero to 120"'), encoding="utf-8")
    with pytest.raises(InputProblems) as error:
        load_codebook(path)
    assert error.value.problems == [
        f"{path}: cases.age: range: 'zero to 120': not two numbers from low to high: [low, high], "
        "e.g. [0, 120]"
    ]


def test_yaml_syntax_errors_and_duplicate_keys_are_located(tmp_path):
    text = (REPO / "extraction" / "codebook.yaml").read_text(encoding="utf-8")
    path = tmp_path / "codebook.yaml"
    path.write_text(
        text.replace("  primary_key: case_id\n", "  primary_key: case_id\n  sheet: x\n")
    )
    with pytest.raises(InputProblems, match=r"codebook.yaml:\d+:3: key 'sheet' given twice"):
        load_codebook(path)


def test_table_schema_types_booleans_and_key():
    schema = table_schema(CODEBOOK)
    fields = {f["name"]: f for f in schema["fields"]}
    assert schema["primaryKey"] == ["case_id"] and schema["missingValues"] == [""]
    assert fields["case_id"]["constraints"] == {"required": True, "unique": True}
    assert fields["path_fibrosis"]["trueValues"] == ["true"]
    assert fields["year"]["type"] == "integer" and fields["age_years"]["type"] == "number"
    assert fields["mri_enhancement"]["constraints"]["enum"] == ["yes", "no", "not_reported"]


def test_cross_sheet_rules_must_name_a_ref_and_a_reachable_field(tmp_path):
    text = (REPO / "extraction" / "codebook.yaml").read_text(encoding="utf-8")
    text = text.replace("continues: study_id", "continues: year")
    text = text.replace("same_as: studies.year", "same_as: articles.year")
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputProblems) as error:
        load_codebook(path)
    assert error.value.problems == [
        f"{path}: cases.year: same_as: 'articles.year': sheet.field of a sheet that a ref field "
        "of sheet cases references",
        f"{path}: cases.source: continues: 'year': a ref field of sheet cases",
    ]
