"""The field-type registry and the types for what case reports print: dimensions, combined
cells, review-wide not-reported tokens (hand-made codebook, answers computed by hand)."""

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.core.errors import InputProblems
from reviewflow.dataset.build import build_dataset
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.raw import RawSheet
from reviewflow.extraction.types import TYPES
from reviewflow.extraction.types.combined import split_cell
from reviewflow.extraction.types.dimensions import axes_of
from reviewflow.extraction.values import ValueProblem

CODEBOOK = """
not_reported:
  none_reported: {tokens: [n/r], label: none reported}
  not_available: {tokens: [n/a, NA], label: not available}
workbook:
  other_sheets: [readme]
  sheets:
    - name: cases
      fields:
        - {name: case_id, label: Case, type: id, pattern: '^C\\d+$', help: id}
        - {name: study_id, label: Study, type: ref, references: studies.study_id,
           pattern: '^S\\d+$', help: study}
        - {name: age, label: Age, type: number, unit: years, help: age}
        - name: tumour_size
          label: Size (cm)
          type: dimensions
          axes: [1, 3]
          unit: cm
          units: {cm: 1, mm: 0.1}
          readings: [largest, axes, product]
          range: [0, 100]
          help: size
        - name: follow_up_outcome
          label: F/U (months)—outcome
          type: combined
          parts:
            - {name: follow_up, label: Follow-up, type: number, unit: months, range: [0, 600],
               plausible: [0, 240]}
            - {name: outcome, label: Outcome, type: choice, words: [ANED, AWD, DOD, DOC]}
          help: follow-up and outcome
        - name: treatment
          label: Treatment
          type: combined
          parts:
            - {name: treatment, label: Treatment, type: text, vocabulary: treatment}
            - {name: recurrence_note, label: Recurrence, type: choice, words: [recur],
               required: false, brackets: true}
          help: treatment
    - name: studies
      fields:
        - {name: study_id, label: Study, type: id, pattern: '^S\\d+$', help: id}
quality_checks: {}
"""
VOCABULARY = """
phrases:
  treatment:
    fields: {treatment: treated_}
    categories: [surgery, radiotherapy]
    not_reported: [NR]
    phrases: {Surgery: [surgery], RT: [radiotherapy]}
"""


def write_review(folder, codebook=CODEBOOK, vocabulary=VOCABULARY):
    (folder / "codebook.yaml").write_text(textwrap.dedent(codebook), encoding="utf-8")
    (folder / "vocabulary.yaml").write_text(textwrap.dedent(vocabulary), encoding="utf-8")
    return folder / "codebook.yaml", folder / "vocabulary.yaml"


@pytest.fixture(scope="module")
def codebook(tmp_path_factory):
    return load_codebook(*write_review(tmp_path_factory.mktemp("review")))


def sheet(name, rows):
    raw = RawSheet(name, list(rows[0]))
    for number, row in enumerate(rows, start=2):
        raw.rows.append(row)
        raw.cells.append({f: f"{name}!{chr(65 + i)}{number}" for i, f in enumerate(row)})
    return raw


def fld(codebook, name):
    return codebook.sheet("cases").field(name)


def test_every_type_is_registered_once_with_its_reference_text():
    assert {"dimensions", "combined", "number", "text", "id"} <= set(TYPES)
    assert all(kind.name == name and kind.reference for name, kind in TYPES.items())


def test_columns_of_the_new_types(codebook):
    assert [(c.name, c.part, c.field, c.source) for c in codebook.columns[2:]] == [
        ("age", "value", "age", "age"),
        ("tumour_size_largest", "largest", "tumour_size", "tumour_size"),
        ("tumour_size_axis1", "axis1", "tumour_size", "tumour_size"),
        ("tumour_size_axis2", "axis2", "tumour_size", "tumour_size"),
        ("tumour_size_axis3", "axis3", "tumour_size", "tumour_size"),
        ("tumour_size_product", "product", "tumour_size", "tumour_size"),
        ("follow_up", "value", "follow_up", "follow_up_outcome"),
        ("outcome", "value", "outcome", "follow_up_outcome"),
        ("treated_surgery", "flag:surgery", "treatment", "treatment"),
        ("treated_radiotherapy", "flag:radiotherapy", "treatment", "treatment"),
        ("recurrence_note", "value", "recurrence_note", "treatment"),
    ]
    assert codebook.column("outcome").enum == ("ANED", "AWD", "DOD", "DOC")
    assert codebook.not_reported["not_available"] == {
        "tokens": ("n/a", "NA"),
        "label": "not available",
    }


@pytest.mark.parametrize(
    ("text", "axes"),
    [
        ("10.0 × 5.0", (10.0, 5.0)),
        ("1.5 x 1.5", (1.5, 1.5)),
        ("4.0", (4.0,)),
        ("3 * 2 * 1", (3.0, 2.0, 1.0)),
        ("3 by 2", (3.0, 2.0)),
        ("3X2", (3.0, 2.0)),
        ("10 × 5 mm", (1.0, 0.5)),
        ("10mm x 5mm", (1.0, 0.5)),
        ("2 x 1 cm", (2.0, 1.0)),
    ],
)
def test_dimensions_read_as_printed(codebook, text, axes):
    assert axes_of(fld(codebook, "tumour_size"), text) == axes


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("10 × ", "has a separator without a size on both sides"),
        ("a × 3", "has 'a', which is not a size"),
        ("1 x 2 x 3 x 4", "gives 4 sizes where 1 to 3 are allowed"),
        ("10 × 5 in", "has the unknown unit 'in'"),
        ("10mm x 5", "has a unit on some sizes only"),
        ("200 x 3", "has a size outside the possible range 0-100 cm"),
    ],
)
def test_bad_dimensions_say_what_is_wrong(codebook, text, problem):
    size = fld(codebook, "tumour_size")
    assert size.check(text) == problem
    assert "sizes separated by × (or x, *, by)" in size.allowed()


@given(
    st.lists(st.integers(0, 999), min_size=1, max_size=3),
    st.sampled_from(["×", "x", "X", "*", "by"]),
    st.sampled_from(["", " ", "  "]),
)
def test_dimensions_property_any_separator_and_spacing(codebook, numbers, separator, space):
    if separator == "by":
        space = space or " "
    text = f"{space}{separator}{space}".join(str(n) for n in numbers)
    assert axes_of(fld(codebook, "tumour_size"), text) == tuple(float(n) for n in numbers)


@pytest.mark.parametrize(
    "text", ["32—ANED", "32 - ANED", "32 – ANED", "32-ANED", "32 —ANED", "32‒ANED", "32 − ANED"]
)
def test_combined_follow_up_outcome_in_every_dash_variant(codebook, text):
    combined = fld(codebook, "follow_up_outcome")
    assert [(p.name, t) for p, t in split_cell(combined, text)] == [
        ("follow_up", "32"),
        ("outcome", "ANED"),
    ]
    assert combined.check(text) is None


@given(
    st.integers(0, 600),
    st.sampled_from(["ANED", "AWD", "DOD", "DOC"]),
    st.sampled_from(list("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["", " ", "  "]),
)
def test_combined_property_any_dash_any_spacing(codebook, months, outcome, dash, left, right):
    combined = fld(codebook, "follow_up_outcome")
    text = f"{months}{left}{dash}{right}{outcome}"
    assert [t for _, t in split_cell(combined, text)] == [str(months), outcome]


def test_combined_tokens_and_brackets(codebook):
    combined = fld(codebook, "follow_up_outcome")
    assert [t for _, t in split_cell(combined, "n/a—ANED")] == ["n/a", "ANED"]
    assert [t for _, t in split_cell(combined, "n/a")] == ["n/a", "n/a"]
    treatment = fld(codebook, "treatment")
    assert [t for _, t in split_cell(treatment, "Surgery (recur)")] == ["Surgery", "recur"]
    assert [t for _, t in split_cell(treatment, "Surgery")] == ["Surgery", ""]


def test_combined_part_problems_name_the_part(codebook):
    combined = fld(codebook, "follow_up_outcome")
    assert combined.check("3x—ANED") == "(follow_up) '3x' is not a number"
    assert combined.check("32—alive") == "(outcome) 'alive' is not an allowed value"
    assert combined.check("32") == "has no outcome part (separated by a dash)"
    assert combined.allowed().startswith("follow_up (a number such as 37, 11.2 or 3,260")
    with pytest.raises(ValueProblem):
        split_cell(combined, "32")


def dataset(codebook, rows):
    cases = sheet("cases", rows)
    studies = sheet("studies", [{"study_id": "S1"}])
    return build_dataset(cases, studies, codebook, codebook.vocabulary)


# Three patients typed as printed: dimensions, combined cells, not-reported tokens of both meanings.
ROWS = [
    {"case_id": "C1", "study_id": "S1", "age": "40", "tumour_size": "10.0 × 5.0",
     "follow_up_outcome": "32—ANED", "treatment": "Surgery (recur)"},
    {"case_id": "C2", "study_id": "S1", "age": "n/r", "tumour_size": "4.0",
     "follow_up_outcome": "n/a—DOD", "treatment": "Surgery, RT"},
    {"case_id": "C3", "study_id": "S1", "age": "NA", "tumour_size": "n/a",
     "follow_up_outcome": "n/a", "treatment": "n/r"},
]  # fmt: skip


def test_harmonised_values_of_the_new_types(codebook):
    frame, qc = dataset(
        codebook,
        ROWS,
    )
    first, second, third = frame.to_dict("records")
    assert first | {} == first and {k: first[k] for k in list(first)[2:]} == {
        "age": "40", "tumour_size_largest": "10", "tumour_size_axis1": "10",
        "tumour_size_axis2": "5", "tumour_size_axis3": "", "tumour_size_product": "50",
        "follow_up": "32", "outcome": "ANED", "treated_surgery": "true",
        "treated_radiotherapy": "false", "recurrence_note": "recur",
    }  # fmt: skip
    assert second["age"] == "" and second["tumour_size_largest"] == "4"
    assert second["tumour_size_product"] == "4" and second["follow_up"] == ""
    assert second["outcome"] == "DOD" and second["recurrence_note"] == ""
    assert second["treated_radiotherapy"] == "true"
    assert all(third[k] == "" for k in list(third)[2:])
    assert qc.empty


def test_codebook_problems_are_located(tmp_path):
    bad = CODEBOOK.replace("tokens: [n/a, NA]", "tokens: [n/a, n/r]").replace(
        "not_available:", "not_reported:"
    )
    bad = bad.replace("axes: [1, 3]", "axes: [3, 1]").replace(
        "readings: [largest, axes, product]", "readings: [mean]"
    )
    bad = bad.replace("{name: outcome, label: Outcome", "{name: age, label: Outcome")
    bad = bad.replace("type: number, unit: years, help: age}", "type: number, words: [n/r, ND]}")
    with pytest.raises(InputProblems) as raised:
        load_codebook(*write_review(tmp_path, bad))
    text = str(raised.value)
    assert "not_reported.not_reported: a name of lower-case letters" in text
    assert "not_reported.not_reported: token 'n/r' is listed twice" in text
    assert "cases.tumour_size: axes: [3, 1]: the fewest and most axes" in text
    assert "cases.tumour_size: readings: ['mean']: a list of largest, axes, product" in text
    assert "cases.follow_up_outcome: part age: also a field of sheet cases" in text
    assert "cases.age: words: n/r: also a not-reported token (not_reported:): one or the" in text


def test_not_reported_meanings_reach_the_descriptive_table(codebook):
    from reviewflow.dataset.build import not_reported_frame
    from reviewflow.statistics.analysis_file import Settings
    from reviewflow.statistics.descriptive import (
        NotReported,
        described_columns,
        descriptive_frame,
        typed,
    )

    rows = [
        *ROWS,
        {"case_id": "C4", "study_id": "S1", "age": "", "tumour_size": "n/r",
         "follow_up_outcome": "12—n/r", "treatment": "RT"},
    ]  # fmt: skip
    frame, _ = dataset(codebook, rows)
    cells = not_reported_frame(sheet("cases", rows), codebook)
    assert cells.values.tolist() == [
        ["C2", "age", "cases!C3", "n/r", "none_reported"],
        ["C2", "follow_up", "cases!E3", "n/a", "not_available"],
        ["C3", "age", "cases!C4", "NA", "not_available"],
        ["C3", "tumour_size", "cases!D4", "n/a", "not_available"],
        ["C3", "follow_up", "cases!E4", "n/a", "not_available"],
        ["C3", "outcome", "cases!E4", "n/a", "not_available"],
        ["C3", "treatment", "cases!F4", "n/r", "none_reported"],
        ["C3", "recurrence_note", "cases!F4", "n/r", "none_reported"],
        ["C4", "tumour_size", "cases!D5", "n/r", "none_reported"],
        ["C4", "outcome", "cases!E5", "n/r", "none_reported"],
    ]
    columns = described_columns(codebook.columns, [], "case_id")
    meanings = NotReported(tuple(codebook.not_reported), cells, "case_id")
    table = descriptive_frame(typed(frame, columns), columns, Settings(), meanings)
    assert list(table.columns[4:9]) == [
        "n_total", "not_reported", "none_reported", "not_available", "statistic"
    ]  # fmt: skip
    counts = {
        (r.variable, r.category): (r.n_reported, r.not_reported, r.none_reported, r.not_available)
        for r in table.itertuples()
    }
    # age: C1 40, C2 n/r, C3 NA, C4 blank -> 1 reported, 3 not (1 none reported, 1 not available)
    assert counts[("age", "")] == (1, 3, 1, 1)
    assert counts[("tumour_size_largest", "")] == (2, 2, 1, 1)
    assert counts[("follow_up", "")] == (2, 2, 0, 2)
    assert counts[("outcome", "ANED")] == (2, 2, 1, 1)
    assert counts[("treated_surgery", "")] == (3, 1, 1, 0)
    assert table.loc[table.variable == "outcome", "value"].tolist() == [
        "1 (50.0%)", "0 (0.0%)", "1 (50.0%)", "0 (0.0%)"
    ]  # fmt: skip
    plain = descriptive_frame(typed(frame, columns), columns, Settings())
    assert "none_reported" not in plain.columns
    from reviewflow.statistics.descriptive import descriptive_markdown

    markdown = descriptive_markdown(table, 4, Settings()).splitlines()
    header = "| Variable | Category | Reported | Not reported | none_reported | not_available |"
    assert any(line.startswith(header) for line in markdown)
    assert any(line.startswith("| Age (years) |  | 1 | 3 | 1 | 1 | ") for line in markdown)


def test_the_data_dictionary_lists_the_not_reported_tokens(codebook):
    from reviewflow.dataset.build import data_dictionary

    text = data_dictionary(codebook, codebook.vocabulary)
    assert "| `not_available` | not available | n/a, NA |" in text


def test_a_part_outside_its_plausible_range_is_a_qc_warning_naming_the_cell(codebook):
    rows = [
        {"case_id": "C1", "study_id": "S1", "age": "40", "tumour_size": "2",
         "follow_up_outcome": "300 – AWD", "treatment": "RT"},
        {"case_id": "C2", "study_id": "S1", "age": "41", "tumour_size": "3",
         "follow_up_outcome": "30 – AWD", "treatment": "RT"},
    ]  # fmt: skip
    _, qc = dataset(codebook, rows)
    assert qc.values.tolist() == [
        [
            "C1", "follow_up", "300 – AWD", "warning",
            "cases!E2: follow_up 300 months is outside the plausible range 0-240 months "
            f"({codebook.path}), 10.0 times the largest other value (30): check the report for "
            "a unit or typing error; the value is kept as printed",
        ]
    ]  # fmt: skip


def test_the_descriptive_rule_reads_the_meanings_only_when_the_codebook_declares_them(tmp_path):
    from reviewflow.core.rule_inputs import not_reported_inputs

    declared, plain = tmp_path / "declared.yaml", tmp_path / "plain.yaml"
    declared.write_text(textwrap.dedent(CODEBOOK), encoding="utf-8")
    plain.write_text("workbook: {sheets: []}\n", encoding="utf-8")
    table = "results/dataset/not_reported.tsv"
    assert not_reported_inputs(declared, table) == [table]
    assert not_reported_inputs(plain, table) == []
    assert not_reported_inputs(tmp_path / "missing.yaml", table) == []


# --- every type module, with known answers ---------------------------------------------------

EVERY_TYPE = """
workbook:
  sheets:
    - name: cases
      fields:
        - {name: case_id, type: id, pattern: '^C\\d+$', example: C1}
        - {name: study_id, type: ref, references: studies.study_id, pattern: '^S\\d+$'}
        - {name: year, type: integer, range: [1900, 2100]}
        - {name: size, type: number, unit: cm, words: [NR], range: [0, 50]}
        - {name: grade, type: choice, words: [I, II]}
        - {name: onset, type: duration, units: {w: weeks, m: months}, dataset: {unit: weeks}}
        - {name: ki67, type: bound, percent_sign: optional}
        - {name: sites, type: levels, codes: {H: head, N: neck}}
        - {name: note, type: text}
        - {name: size2, type: dimensions, unit: cm, axes: [2, 2]}
        - name: fu
          type: combined
          separator: ';'
          parts:
            - {name: fu_months, type: integer}
            - {name: fu_grade, type: choice, words: [I, II]}
    - name: studies
      fields:
        - {name: study_id, type: id, pattern: '^S\\d+$'}
        - {name: doi, type: doi}
        - {name: pmid, type: pmid}
"""


@pytest.fixture(scope="module")
def every_type(tmp_path_factory):
    folder = tmp_path_factory.mktemp("every")
    return load_codebook(*write_review(folder, EVERY_TYPE, "phrases: {}\n"))


@pytest.mark.parametrize(
    ("sheet_name", "name", "cell", "parsed", "problem"),
    [
        ("cases", "case_id", "C12", [], None),
        ("cases", "case_id", "X1", None, "does not match the id pattern"),
        ("cases", "study_id", "S3", [], None),
        ("cases", "year", "2019", [2019.0], None),
        ("cases", "year", "1850", [1850.0], "is outside the possible range"),
        ("cases", "year", "20.5", None, "is not a whole number"),
        ("cases", "size", "3,260", [3260.0], "is outside the possible range"),
        ("cases", "size", "-3", None, "is negative, below the allowed minimum 0"),
        ("cases", "size", "NR", None, None),
        ("cases", "grade", "II", [], None),
        ("cases", "grade", "III", [], "is not an allowed value"),
        ("cases", "onset", "2m", [2 * 30.4375 / 7], None),
        ("cases", "onset", "2y", None, "has an unknown unit 'y'"),
        ("cases", "ki67", "120–130", [120.0, 130.0], None),
        ("cases", "ki67", ">10%", [10.0, None], None),
        ("cases", "sites", "N H", [], None),
        ("cases", "sites", "H H", None, "repeats an area code"),
        ("cases", "note", "anything at all", [], None),
        ("cases", "size2", "3 x 2", [3.0, 2.0], None),
        ("cases", "size2", "3", None, "gives 1 sizes where 2 to 2 are allowed"),
        ("cases", "fu", "12; II", [12.0], None),
        ("cases", "fu", "12 - II", None, "has no fu_grade part (separated by ';')"),
        ("studies", "doi", "10.1000/xyz.1", [], None),
        ("studies", "doi", "https://doi.org/10.1000/x", None, "is not a DOI"),
        ("studies", "pmid", "12345678", [], None),
        ("studies", "pmid", "0123", None, "is not a PubMed id"),
    ],
)
def test_each_type_reads_and_checks_a_cell(every_type, sheet_name, name, cell, parsed, problem):
    field_ = every_type.sheet(sheet_name).field(name)
    assert field_.check(cell) == problem
    if parsed is not None and not field_.is_blank(cell):
        assert field_.parse(cell) == pytest.approx(parsed)


def test_each_type_says_what_a_cell_may_hold(every_type):
    allowed = {f.name: f.allowed() for s in every_type.sheets for f in s.fields}
    assert allowed["case_id"] == "a unique id like C1 (pattern ^C\\d+$)"
    assert allowed["year"] == "a whole number from 1900 to 2100"
    assert allowed["size"] == "a number such as 37, 11.2 or 3,260 from 0 to 50, or NR"
    assert allowed["onset"] == "a number followed by w (weeks) or m (months), e.g. 2d or 48w"
    assert allowed["size2"] == "2 sizes separated by × (or x, *, by), e.g. 10.0 × 5.0"
    assert allowed["fu"] == "fu_months (a whole number) ; fu_grade (one of I, II)"
    assert allowed["pmid"] == "a PubMed id (digits only)"


def test_identifiers_take_no_not_reported_token(codebook):
    assert fld(codebook, "case_id").tokens == {}
    assert fld(codebook, "case_id").check("n/a") == "does not match the id pattern"
    assert fld(codebook, "age").check("n/a") is None


def test_a_workbook_with_the_new_types_is_written_read_and_harmonised(codebook, tmp_path):
    from reviewflow.extraction.workbook import read_workbook, write_workbook

    path = tmp_path / "cases.xlsx"
    rows = {
        "cases": [
            ["C1", "S1", 40, "10 × 5 mm", "24 – AWD", "Surgery (recur)"],
            ["C2", "S1", "n/r", "n/a", "n/a", "RT"],
        ],
        "studies": [["S1"]],
    }
    write_workbook(codebook, path, rows)
    sheets = read_workbook(path, codebook)
    frame, qc = build_dataset(sheets["cases"], sheets["studies"], codebook, codebook.vocabulary)
    first, second = frame.to_dict("records")
    assert (first["tumour_size_largest"], first["tumour_size_product"]) == ("1", "0.5")
    assert (first["follow_up"], first["outcome"], first["recurrence_note"]) == (
        "24",
        "AWD",
        "recur",
    )
    assert second["age"] == second["tumour_size_largest"] == second["outcome"] == ""
    assert second["treated_radiotherapy"] == "true" and qc.empty


def test_bad_cells_of_the_new_types_are_located_at_once(codebook, tmp_path):
    from reviewflow.extraction.workbook import read_workbook, write_workbook

    path = tmp_path / "cases.xlsx"
    rows = {
        "cases": [
            ["C1", "S1", 40, "10 ×", "3x—ANED", "Surgery (later)"],
            ["C2", "S1", 41, "1 x 2 x 3 x 4", "32", "Chemo"],
        ],
        "studies": [["S1"]],
    }
    write_workbook(codebook, path, rows)
    with pytest.raises(InputProblems) as raised:
        read_workbook(path, codebook)
    problems = "\n".join(raised.value.problems)
    assert "cases!D2: '10 ×': tumour_size has a separator without a size on both sides" in problems
    assert (
        "cases!E2: '3x—ANED': follow_up_outcome (follow_up) '3x' is not a number: follow_up (a "
        "number such as 37, 11.2 or 3,260 from 0 to 600) — outcome (one of ANED, AWD, DOD, DOC), "
        "or n/r, n/a, NA"
    ) in problems
    assert (
        "cases!F2: 'Surgery (later)': treatment (recurrence_note) 'later' is not an allowed value: "
        "treatment (text as written in the report), then in brackets recurrence_note (one of "
        "recur; blank: not reported), or n/r, n/a, NA"
    ) in problems
    assert "cases!D3: '1 x 2 x 3 x 4': tumour_size gives 4 sizes where 1 to 3" in problems
    assert "cases!E3: '32': follow_up_outcome has no outcome part (separated by a dash)" in problems
    assert "cases!F3: 'Chemo': treatment has the unknown phrase 'Chemo'" in problems


def test_a_bound_reads_approximate_numbers_when_it_declares_their_words(tmp_path):
    text = EVERY_TYPE.replace(
        "{name: ki67, type: bound, percent_sign: optional}",
        "{name: ki67, type: bound, percent_sign: optional, approximate: ['~', approximately]}",
    )
    book = load_codebook(*write_review(tmp_path, text, "phrases: {}\n"))
    ki67 = book.sheet("cases").field("ki67")
    assert ki67.parse("~40") == [40.0, 40.0] and ki67.parse("approximately 40%") == [40.0, 40.0]
    assert ki67.check("about 40") == "is not a number, range or bound"
    assert "or ~ or approximately before a number (~40)" in ki67.allowed()
    assert book.column("ki67_qualifier").enum[-1] == "approximate"
    columns = [c for c in book.columns if c.field == "ki67"]
    values, _ = ki67.values("~ 40", columns, book.vocabulary)
    assert values == {"ki67_low": 40.0, "ki67_high": 40.0, "ki67_qualifier": "approximate"}
    unquoted = text.replace("['~', approximately]", "[~, approximately]")
    with pytest.raises(InputProblems, match=r"approximate: \[None, 'approximately'\]: .*quote"):
        load_codebook(*write_review(tmp_path, unquoted, "phrases: {}\n"))
    (tmp_path / "plain").mkdir()
    plain = load_codebook(*write_review(tmp_path / "plain", EVERY_TYPE, "phrases: {}\n"))
    assert "approximate" not in plain.column("ki67_qualifier").enum
    assert plain.sheet("cases").field("ki67").check("~40") == "is not a number, range or bound"


def test_the_field_keys_are_the_common_keys_and_each_type_s_own():
    from reviewflow.extraction.codebook import COMMON_KEYS, FIELD_KEYS

    assert TYPES["number"].keys - COMMON_KEYS == {"range", "plausible", "status"}
    assert FIELD_KEYS == COMMON_KEYS | {
        "pattern", "example", "references", "continues", "range", "plausible", "status",
        "units", "codes", "percent_sign", "approximate", "vocabulary", "axes", "readings",
        "parts", "separator",
    }  # fmt: skip


def test_a_combined_field_s_own_word_leaves_every_part_blank(tmp_path):
    text = EVERY_TYPE.replace(
        "          separator: ';'\n", "          separator: ';'\n          words: [ND]\n"
    )
    book = load_codebook(*write_review(tmp_path, text, "phrases: {}\n"))
    combined = book.sheet("cases").field("fu")
    assert combined.check("ND") is None
    columns = [c for c in book.columns if c.source == "fu"]
    assert combined.values("ND", columns, book.vocabulary)[0] == {
        "fu_months": None,
        "fu_grade": None,
    }


def test_the_product_of_dimensions_has_a_unit_only_when_the_axes_are_fixed(codebook, every_type):
    from reviewflow.extraction.types.dimensions import product_unit

    assert product_unit("cm", (2, 2)) == "cm^2" and product_unit("cm", (1, 3)) is None
    assert codebook.column("tumour_size_product").unit is None
    assert "to the power of their number" in codebook.column("tumour_size_product").description


@pytest.mark.parametrize(
    ("cell", "low", "high", "qualifier"),
    [
        ("40-45", 40.0, 45.0, "range"),
        ("<1 year", None, 1.0, "less_than"),
        ("6 months", 0.5, 0.5, "exact"),
        ("18 mo", 1.5, 1.5, "exact"),
        ("~40 years", 40.0, 40.0, "approximate"),
        ("approximately 40", 40.0, 40.0, "approximate"),
        ("2-3 years", 2.0, 3.0, "range"),
    ],
)
def test_ages_as_case_series_print_them(tmp_path, cell, low, high, qualifier):
    text = EVERY_TYPE.replace(
        "{name: ki67, type: bound, percent_sign: optional}",
        "{name: ki67, type: bound, unit: years, approximate: ['~', approximately],\n"
        "           units: {year: 1, years: 1, months: 0.0833333333333, mo: 0.0833333333333}}",
    )
    book = load_codebook(*write_review(tmp_path, text, "phrases: {}\n"))
    age = book.sheet("cases").field("ki67")
    columns = [c for c in book.columns if c.field == "ki67"]
    values, _ = age.values(cell, columns, book.vocabulary)
    assert values == {
        "ki67_low": pytest.approx(low),
        "ki67_high": pytest.approx(high),
        "ki67_qualifier": qualifier,
    }
    assert age.check("3 decades") == "has the unknown unit 'decades'"
    assert "optionally followed by a unit (year, years, months, mo)" in age.allowed()


def test_a_combined_cell_is_cut_where_every_part_is_valid(tmp_path):
    text = CODEBOOK.replace(
        "- {name: follow_up, label: Follow-up, type: number, unit: months, range: [0, 600],",
        "- {name: follow_up, label: Follow-up, type: bound, unit: months, range: [0, 600],",
    )
    book = load_codebook(*write_review(tmp_path, text))
    combined = book.sheet("cases").field("follow_up_outcome")
    assert [t for _, t in split_cell(combined, "12-24—ANED")] == ["12-24", "ANED"]
    assert [t for _, t in split_cell(combined, "12 - 24 - DOD")] == ["12 - 24", "DOD"]
    assert [t for _, t in split_cell(combined, "24-ANED")] == ["24", "ANED"]
    # no cut gives valid parts: cut at the first dash, and the part that is wrong is named
    assert combined.check("12-24-alive") == "(outcome) '24-alive' is not an allowed value"
