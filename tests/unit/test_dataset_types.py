"""Another review's codebook: every field type gives its dataset columns by its type, with the
default names, descriptions and labels (no field name of any review in the code)."""

import textwrap

import pytest

from reviewflow.dataset.build import build_dataset
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.raw import RawSheet

CODEBOOK = """
workbook:
  sheets:
    - name: patients
      fields:
        - {name: pid, label: Patient, type: id, pattern: '^P\\d+$', help: id}
        - {name: paper, label: Paper, type: ref, references: papers.paper, pattern: '^R\\d+$',
           help: paper}
        - {name: size, label: Tumour size, type: number, unit: cm, words: [NR], range: [0, 50],
           plausible: [0, 20], help: size}
        - {name: follow_up, label: Follow-up, type: duration, units: {m: months, y: years},
           words: [NR], plausible: [0, 120], dataset: {unit: months}, help: follow-up}
        - {name: grade, label: Grade, type: choice, words: [I, II, III, NR], help: grade}
        - {name: sites, label: Sites, type: levels, codes: {H: head, N: neck}, words: [NR],
           help: sites}
        - {name: ki67, label: Ki-67, type: bound, unit: percent, percent_sign: optional,
           words: [NR], help: ki67}
        - {name: symptoms, label: Symptoms, type: text, vocabulary: symptoms, help: symptoms}
        - {name: note, label: Note, type: text, required: false, help: note}
    - name: papers
      fields:
        - {name: paper, label: Paper, type: id, pattern: '^R\\d+$', help: id}
        - {name: author, label: Author, type: text, help: author}
quality_checks: {}
dataset:
  primary_key: pid
  order: [pid, papers.author]
"""
VOCABULARY = """
phrases:
  symptoms:
    fields: {symptoms: symptom_}
    categories: [pain, mass]
    not_reported: [NR]
    phrases: {Pain: [pain], Lump: [mass]}
"""


@pytest.fixture(scope="module")
def codebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    (folder / "codebook.yaml").write_text(textwrap.dedent(CODEBOOK), encoding="utf-8")
    (folder / "vocabulary.yaml").write_text(textwrap.dedent(VOCABULARY), encoding="utf-8")
    return load_codebook(folder / "codebook.yaml", folder / "vocabulary.yaml")


def sheet(name, rows):
    raw = RawSheet(name, list(rows[0]))
    for number, row in enumerate(rows, start=2):
        raw.rows.append(row)
        raw.cells.append({f: f"{name}!{chr(65 + i)}{number}" for i, f in enumerate(row)})
    return raw


def test_columns_by_type_with_defaults(codebook):
    columns = [(c.name, c.type, c.source, c.label) for c in codebook.columns]
    assert columns == [
        ("pid", "string", "pid", "Patient"),
        ("author", "string", "papers.author", "Author"),
        ("paper", "string", "paper", "Paper"),
        ("size", "number", "size", "Tumour size"),
        ("follow_up", "number", "follow_up", "Follow-up"),
        ("grade", "string", "grade", "Grade"),
        ("sites_head", "boolean", "sites", "Head"),
        ("sites_neck", "boolean", "sites", "Neck"),
        ("sites", "string", "sites", "Sites"),
        ("ki67_low", "number", "ki67", "Ki-67 (low)"),
        ("ki67_high", "number", "ki67", "Ki-67 (high)"),
        ("ki67_qualifier", "string", "ki67", "Ki-67 (qualifier)"),
        ("symptom_pain", "boolean", "symptoms", "Pain"),
        ("symptom_mass", "boolean", "symptoms", "Mass"),
        ("note", "string", "note", "Note"),
    ]
    assert codebook.column("grade").enum == ("I", "II", "III", "NR")
    assert codebook.column("follow_up").unit == "months"
    assert codebook.column("ki67_qualifier").enum == ("exact", "range", "greater_than", "less_than")
    assert codebook.column("sites").description == 'Canonical codes in the order H N, e.g. "H N".'


def test_values_by_type(codebook):
    patients = sheet(
        "patients",
        [
            {"pid": "P1", "paper": "R1", "size": "3.5", "follow_up": "2y",
             "grade": "II", "sites": "N H", "ki67": "<5%", "symptoms": "Pain, lump",
             "note": ""},
            {"pid": "P2", "paper": "R1", "size": "25", "follow_up": "NR", "grade": "NR",
             "sites": "NR", "ki67": "NR", "symptoms": "NR", "note": "seen twice"},
        ],
    )  # fmt: skip
    papers = sheet("papers", [{"paper": "R1", "author": "Ito"}])
    cases, qc = build_dataset(patients, papers, codebook, codebook.vocabulary)
    first, second = cases.to_dict("records")
    assert first == {
        "pid": "P1", "author": "Ito", "paper": "R1", "size": "3.5", "follow_up": "24",
        "grade": "II", "sites_head": "true", "sites_neck": "true", "sites": "H N",
        "ki67_low": "", "ki67_high": "5", "ki67_qualifier": "less_than", "symptom_pain": "true",
        "symptom_mass": "true", "note": "",
    }  # fmt: skip
    assert second["sites_head"] == "" and second["follow_up"] == "" and second["grade"] == "NR"
    assert second["note"] == "seen twice" and second["symptom_pain"] == ""
    assert qc.values.tolist() == [
        [
            "P2", "size", "25", "warning",
            "patients!C3: size 25 cm is outside the plausible range 0-20 cm "
            f"({codebook.path}), 7.1 times the largest other value (3.5): check the "
            "report for a unit or typing error; the value is kept as printed",
        ]
    ]  # fmt: skip
