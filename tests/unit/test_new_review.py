"""`reviewflow new-review`: the starter's files, the workbook rows typed by the codebook, and a
folder that is never written over."""

import pytest
from openpyxl import load_workbook

from reviewflow.core.errors import InputProblems
from reviewflow.core.yamlfile import read_yaml
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.workbook import read_workbook
from reviewflow.new_review import STARTER, cell_value, create_review, workbook_rows


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(
        STARTER / "extraction" / "codebook.yaml", STARTER / "extraction" / "vocabulary.yaml"
    )


def test_numbers_of_numeric_fields_stay_numbers_everything_else_text():
    assert cell_value(34, "number") == 34
    assert cell_value(2020, "integer") == 2020
    assert cell_value("NR", "number") == "NR"
    assert cell_value(12, "text") == "12"
    assert cell_value(None, "text") is None


def test_rows_in_codebook_order_and_unknown_names_refused(codebook):
    ordered = workbook_rows(codebook, {"studies": [{"year": 2020, "study_id": "S01"}]})
    fields = [f.name for f in codebook.sheet("studies").fields]
    assert ordered["studies"][0][fields.index("study_id")] == "S01"
    assert ordered["studies"][0][fields.index("year")] == 2020
    with pytest.raises(InputProblems) as caught:
        workbook_rows(codebook, {"patients": [], "studies": [{"study": "S01"}]})
    assert caught.value.problems == [
        "example_rows.yaml: sheet 'patients' is not in the codebook",
        "example_rows.yaml: studies row 1: unknown field 'study'",
    ]


def test_skeleton_workbook_reads_back_without_problems(tmp_path, codebook):
    written = create_review(tmp_path / "review", title='A "quoted" title')
    assert {"config/config.yaml", "extraction/cases.xlsx", "README.md"} <= set(map(str, written))
    config = (tmp_path / "review" / "config" / "config.yaml").read_text()
    assert 'title: "A \\"quoted\\" title"' in config
    sheets = read_workbook(tmp_path / "review" / "extraction" / "cases.xlsx", codebook)
    assert [len(sheets["cases"].rows), len(sheets["studies"].rows)] == [3, 2]
    book = load_workbook(tmp_path / "review" / "extraction" / "cases.xlsx")
    assert book["cases"].freeze_panes == "A2"


def test_an_existing_non_empty_folder_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(InputProblems, match="exists and is not an empty folder"):
        create_review(folder)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert not list(tmp_path.glob(".*partial*"))
    empty = tmp_path / "empty"
    empty.mkdir()
    create_review(empty)
    assert (empty / "extraction" / "cases.xlsx").is_file()


@pytest.mark.parametrize("title", ["Zebra bites 🦓: case reports", 'Ünïcode "quoted" \\ title'])
def test_a_title_reads_back_as_typed_emoji_included(tmp_path, title):
    """JSON's ASCII escapes of an emoji ("\\ud83e\\udd93") would read back from YAML as two lone
    surrogates, which no UTF-8 file can hold: the PRISMA rule crashed writing its page."""
    create_review(tmp_path / "review", title=title)
    config = read_yaml(tmp_path / "review" / "config" / "config.yaml")
    assert config["review"]["title"] == title
    config["review"]["title"].encode("utf-8")
