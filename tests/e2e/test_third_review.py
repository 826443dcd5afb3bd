"""The third hand-made review (issue 20; tests/data/reviews/sinonasal_glomangiopericytoma,
INVENTED test data: 16 patients in 5 case series) builds from its files alone with the values as
case series print them: sizes as dimensions (`10.0 × 5.0`, `3 by 2`, `12 mm`, ...), follow-up
and outcome in one combined cell in every dash variant (`32—ANED`, `24 - ANED`, `n/a—ANED`,
`n/a`, ...), two not-reported tokens with distinct meanings (n/r none reported, n/a not
available) and a recurrence noted inside the treatment cell (`Surgery (recur)`).

Its descriptive table is checked against values computed BY HAND from the rows file
(tests/data/reviews/sinonasal_glomangiopericytoma.rows.yaml), each with its arithmetic. The
rules (config/analysis.yaml, config/config.yaml): numbers always as median (Q1, Q3)
(normality_rule median_iqr), quartiles by the Weibull method (the p-th quantile sits at rank
p (n + 1) of the n sorted values, linearly interpolated, clipped to the first and last value),
2 decimals, rounded half up; percentages of the patients reporting the column, 1 decimal.
"""

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.third_review import read_rows

from .conftest import REPO, run_snakemake

pytestmark = pytest.mark.e2e

SNAKEFILE = str(REPO / "Snakefile")
REVIEW = REPO / "tests" / "data" / "reviews" / "sinonasal_glomangiopericytoma"
DATASET = "results/dataset"
STATS = "results/statistics"

# --- the descriptive table by hand -------------------------------------------------------------
# (variable, category) -> (n_reported, not_reported, none_reported, not_available, value); n_total
# is 16 everywhere. Not reported by patient (rows file):
#   sex: P07 n/r, P15 n/a            age: P12 n/r, P06 n/a           site: P12 n/r
#   size: P08 n/r, P12 n/a           follow-up: P07, P12 n/r; P05, P06 n/a (P05 "n/a—ANED")
#   outcome: P07 n/r, P06 n/a        treatment cell: P06 n/r, P12 n/a
#   symptoms before diagnosis: P06, P12 n/r; P10 n/a
N_TOTAL = 16
HAND = {
    # years: 2015 x4 (S01), 2017 x3 (S02), 2019 x4 (S03), 2021 x3 (S04), 2023 x2 (S05), n = 16:
    # median at rank 8.5 = (2019 + 2019) / 2; Q1 at rank 4.25 = 2015 + 0.25 (2017 - 2015) = 2015.5;
    # Q3 at rank 12.75 = 2021 + 0.75 (2021 - 2021) = 2021
    ("year", ""): (16, 0, 0, 0, "2019.00 (2015.50, 2021.00)"),
    # M: P01 P03 P04 P08 P10 P12 P14 = 7; F: P02 P05 P06 P09 P11 P13 P16 = 7; of 14 reported
    ("sex", "male"): (14, 2, 1, 1, "7 (50.0%)"),  # 7/14 = 50.0%
    ("sex", "female"): (14, 2, 1, 1, "7 (50.0%)"),
    # ages sorted (14): 39 44 48 52 55 57 59 61 62 64 66 68 71 73; median at rank 7.5 = (59 + 61)
    # / 2 = 60; Q1 at rank 3.75 = 48 + 0.75 (52 - 48) = 51; Q3 at rank 11.25 = 66 + 0.25 (68 - 66)
    # = 66.5
    ("age_years", ""): (14, 2, 1, 1, "60.00 (51.00, 66.50)"),
    # sites of 15 reported patients (P12 n/r): nasal cavity P01 P02 P03 P05 P06 P08 P09 P10 P11
    # P14 P15 = 11 -> 11/15 = 73.33%
    ("site_nasal_cavity", ""): (15, 1, 1, 0, "11 (73.3%)"),
    ("site_maxillary_sinus", ""): (15, 1, 1, 0, "3 (20.0%)"),  # P04 P08 P16: 3/15 = 20.0%
    ("site_ethmoid_sinus", ""): (15, 1, 1, 0, "3 (20.0%)"),  # P03 P07 P11: 3/15 = 20.0%
    ("site_sphenoid_sinus", ""): (15, 1, 1, 0, "1 (6.7%)"),  # P13: 1/15 = 6.67%
    # sizes in cm (mm x 0.1), as printed: P01 10x5, P02 1.5x1.5, P03 4, P04 3x2x1, P05 3x2, P06
    # 1.2, P07 1.0x0.5, P09 2.5x2.0, P10 2.0x3.5, P11 4.2x3.1x2.0, P13 2, P14 2.5x1.5, P15 5x3,
    # P16 6 (14 reported; P08 n/r, P12 n/a).
    # largest sorted: 1 1.2 1.5 2 2.5 2.5 3 3 3.5 4 4.2 5 6 10; median at rank 7.5 = (3 + 3) / 2
    # = 3; Q1 at rank 3.75 = 1.5 + 0.75 (2 - 1.5) = 1.875; Q3 at rank 11.25 = 4.2 + 0.25 (5 - 4.2)
    # = 4.4
    ("tumour_size_largest", ""): (14, 2, 1, 1, "3.00 (1.88, 4.40)"),
    # first axis as printed (P10 gives 2.0 first) sorted: 1 1.2 1.5 2 2 2.5 2.5 3 3 4 4.2 5 6 10;
    # median at rank 7.5 = (2.5 + 3) / 2 = 2.75; Q1 = 1.5 + 0.75 (2 - 1.5) = 1.875; Q3 = 4.2 +
    # 0.25 (5 - 4.2) = 4.4
    ("tumour_size_axis1", ""): (14, 2, 1, 1, "2.75 (1.88, 4.40)"),
    # second axis of the 10 cells with two or more: 5 1.5 2 2 0.5 2.0 3.5 3.1 1.5 3.0, sorted 0.5
    # 1.5 1.5 2 2 2 3 3.1 3.5 5; median at rank 5.5 = (2 + 2) / 2 = 2; Q1 at rank 2.75 = 1.5 +
    # 0.75 (1.5 - 1.5) = 1.5; Q3 at rank 8.25 = 3.1 + 0.25 (3.5 - 3.1) = 3.2. Not reported: 6 =
    # 4 one-axis cells (no second axis) + P08 n/r + P12 n/a
    ("tumour_size_axis2", ""): (10, 6, 1, 1, "2.00 (1.50, 3.20)"),
    # third axis of P04 (1) and P11 (2.0): median at rank 1.5 = 1.5; Q1 at rank 0.75 and Q3 at
    # rank 2.25 are clipped to the first (1) and last (2) value
    ("tumour_size_axis3", ""): (2, 14, 1, 1, "1.50 (1.00, 2.00)"),
    # product of the axes (one axis: itself): 50 2.25 4 6 6 1.2 0.5 5 7 26.04 2 3.75 15 6, sorted
    # 0.5 1.2 2 2.25 3.75 4 5 6 6 6 7 15 26.04 50; median at rank 7.5 = (5 + 6) / 2 = 5.5; Q1 at
    # rank 3.75 = 2 + 0.75 (2.25 - 2) = 2.1875 -> 2.19 (half up); Q3 at rank 11.25 = 7 + 0.25
    # (15 - 7) = 9
    ("tumour_size_product", ""): (14, 2, 1, 1, "5.50 (2.19, 9.00)"),
    # follow-up (months) of 12: 32 24 24 12 60 18 6 36 9.5 120 7 48, sorted 6 7 9.5 12 18 24 24
    # 32 36 48 60 120; median at rank 6.5 = (24 + 24) / 2 = 24; Q1 at rank 3.25 = 9.5 + 0.25
    # (12 - 9.5) = 10.125 -> 10.13; Q3 at rank 9.75 = 36 + 0.75 (48 - 36) = 45
    ("follow_up", ""): (12, 4, 2, 2, "24.00 (10.13, 45.00)"),
    # outcomes of 14: ANED P01 P02 P03 P05 P10 P11 P13 P14 P16 = 9 -> 9/14 = 64.29%
    ("outcome", "ANED"): (14, 2, 1, 1, "9 (64.3%)"),
    ("outcome", "AWD"): (14, 2, 1, 1, "2 (14.3%)"),  # P08 P15: 2/14 = 14.29%
    ("outcome", "DOD"): (14, 2, 1, 1, "2 (14.3%)"),  # P04 P12 (n/r—DOD): 2/14
    ("outcome", "DOC"): (14, 2, 1, 1, "1 (7.1%)"),  # P09: 1/14 = 7.14%
    # treatment of 14 (P06 n/r, P12 n/a): surgery in all 14 = 100%
    ("treatment_surgery", ""): (14, 2, 1, 1, "14 (100.0%)"),
    ("treatment_embolization", ""): (14, 2, 1, 1, "2 (14.3%)"),  # P03 P11: 2/14
    ("treatment_radiotherapy", ""): (14, 2, 1, 1, "2 (14.3%)"),  # P04 P09: 2/14
    # a recurrence noted in the treatment cell ("Surgery (recur)"): P02 P04 P08 P15 = 4 of the
    # 14 patients whose treatment cell is reported (no bracket: none noted) -> 4/14 = 28.57%
    ("recurrence", ""): (14, 2, 1, 1, "4 (28.6%)"),
    # symptoms before diagnosis (months; a year = 12), a bound: 13 cells reported (P06 P12 n/r,
    # P10 n/a): P01 6, P02 "~1 year" = ~12, P03 <1, P04 "1-2 years" = 12-24, P05 approximately 3,
    # P07 "2 months" = 2, P08 ">5 years" = >60, P09 3-4, P11 8, P13 ~6, P14 "1.5 years" = 18,
    # P15 1, P16 <1.
    # low bounds (none for <1): 6 12 12 3 2 60 3 8 6 18 1, sorted 1 2 3 3 6 6 8 12 12 18 60
    # (n = 11; P03 P16 no low bound + 3 tokens = 5 not reported); median at rank 6 = 6; Q1 at
    # rank 3 = 3; Q3 at rank 9 = 12
    ("symptom_months_low", ""): (11, 5, 2, 1, "6.00 (3.00, 12.00)"),
    # high bounds (none for >60): 6 12 1 24 3 2 4 8 6 18 1 1, sorted 1 1 1 2 3 4 6 6 8 12 18 24
    # (n = 12); median at rank 6.5 = (4 + 6) / 2 = 5; Q1 at rank 3.25 = 1 + 0.25 (2 - 1) = 1.25;
    # Q3 at rank 9.75 = 8 + 0.75 (12 - 8) = 11
    ("symptom_months_high", ""): (12, 4, 2, 1, "5.00 (1.25, 11.00)"),
    # how it was printed, of 13: exact P01 P07 P11 P14 P15 = 5 -> 5/13 = 38.46%
    ("symptom_months_qualifier", "exact"): (13, 3, 2, 1, "5 (38.5%)"),
    ("symptom_months_qualifier", "range"): (13, 3, 2, 1, "2 (15.4%)"),  # P04 P09: 2/13
    ("symptom_months_qualifier", "greater_than"): (13, 3, 2, 1, "1 (7.7%)"),  # P08: 1/13
    ("symptom_months_qualifier", "less_than"): (13, 3, 2, 1, "2 (15.4%)"),  # P03 P16: 2/13
    ("symptom_months_qualifier", "approximate"): (13, 3, 2, 1, "3 (23.1%)"),  # P02 P05 P13
}


def rows(path: Path, delimiter: str = "\t") -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The review copied to a temporary folder and built whole (every stage and page reads the
    new types: the report, the data dictionary, PRISMA, the reconciliation)."""
    review = shutil.copytree(REVIEW, tmp_path_factory.mktemp("third") / "sinonasal")
    run_snakemake(review, "-s", SNAKEFILE)
    return review


def test_the_whole_review_builds_and_reconciles_its_patient_count(built):
    reconciled = rows(built / STATS / "reconciliation.tsv")
    assert [(r["item"], r["status"]) for r in reconciled] == [("n_cases", "match")]
    assert (built / "results/prisma/prisma.png").stat().st_size > 0
    assert "n/r" in (built / DATASET / "codebook.md").read_text(encoding="utf-8")


def test_every_cell_is_kept_raw_as_typed(built):
    # results/extraction/cases.tsv holds each cell's text as typed: the rows file's text, its
    # whole numbers, and the one float (ki67 of P04) as its number format 0.0 shows it
    sheet = read_rows()["cases"]

    def shown(value) -> str:
        if value is None:
            return ""
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    typed = [{n: shown(v) for n, v in zip(sheet["columns"], r, strict=True)} for r in sheet["rows"]]
    raw = rows(built / "results/extraction/cases.tsv")
    assert [{name: r[name] for name in sheet["columns"]} for r in raw] == typed


def test_descriptive_table_is_the_one_computed_by_hand(built):
    table = rows(built / STATS / "descriptive.tsv")
    got = {
        (r["variable"], r["category"]): (int(r["n_reported"]), int(r["not_reported"]), r["value"])
        for r in table
    }
    assert {r["n_total"] for r in table} == {str(N_TOTAL)}
    assert got == {key: (n, nr, value) for key, (n, nr, _, _, value) in HAND.items()}
    assert list(got) == list(HAND)  # in codebook order: a part where its combined field stands
    assert all(n + nr == N_TOTAL for n, nr, *_ in HAND.values())


def test_descriptive_table_counts_each_not_reported_meaning(built):
    table = rows(built / STATS / "descriptive.tsv")
    header = list(table[0])
    # one count per declared meaning (named by its key), right after the total of not reported
    at = header.index("not_reported")
    assert header[at : at + 3] == ["not_reported", "none_reported", "not_available"]
    got = {
        (r["variable"], r["category"]): (int(r["none_reported"]), int(r["not_available"]))
        for r in table
    }
    assert got == {key: (none, na) for key, (_, _, none, na, _) in HAND.items()}


def test_each_not_reported_cell_keeps_its_meaning(built):
    # every n/r and n/a of the rows file, by hand: a combined cell holding a token alone gives it
    # to every part (P06 "n/a", "n/r"; P07 "n/r"; P12 "n/a"); a token in one part only to that part
    # (P05 "n/a—ANED", P12 "n/r—DOD"); the columns: A case_id .. I ki67, J follow_up_outcome,
    # K treatment, L symptom_months; P01 is row 2
    none, na = "none_reported", "not_available"
    assert [tuple(r.values()) for r in rows(built / DATASET / "not_reported.tsv")] == [
        ("P05", "ki67", "cases!I6", "n/r", none),
        ("P05", "follow_up", "cases!J6", "n/a", na),
        ("P06", "age", "cases!F7", "n/a", na),
        ("P06", "follow_up", "cases!J7", "n/a", na),
        ("P06", "outcome", "cases!J7", "n/a", na),
        ("P06", "treatment", "cases!K7", "n/r", none),
        ("P06", "recurrence_note", "cases!K7", "n/r", none),
        ("P06", "symptom_months", "cases!L7", "n/r", none),
        ("P07", "sex", "cases!E8", "n/r", none),
        ("P07", "follow_up", "cases!J8", "n/r", none),
        ("P07", "outcome", "cases!J8", "n/r", none),
        ("P08", "tumour_size", "cases!H9", "n/r", none),
        ("P09", "ki67", "cases!I10", "n/a", na),
        ("P10", "symptom_months", "cases!L11", "n/a", na),
        ("P12", "age", "cases!F13", "n/r", none),
        ("P12", "site", "cases!G13", "n/r", none),
        ("P12", "tumour_size", "cases!H13", "n/a", na),
        ("P12", "follow_up", "cases!J13", "n/r", none),
        ("P12", "treatment", "cases!K13", "n/a", na),
        ("P12", "recurrence_note", "cases!K13", "n/a", na),
        ("P12", "symptom_months", "cases!L13", "n/r", none),
        ("P15", "sex", "cases!E16", "n/a", na),
    ]


def test_cases_hold_the_dimensions_and_the_parts_of_combined_cells(built):
    cases = {c["case_id"]: c for c in rows(built / DATASET / "cases.csv", ",")}
    assert len(cases) == 16

    def size(case: str) -> tuple[str, ...]:
        parts = ("largest", "axis1", "axis2", "axis3", "product")
        return tuple(cases[case][f"tumour_size_{p}"] for p in parts)

    assert size("P01") == ("10", "10", "5", "", "50")  # "10.0 × 5.0"
    assert size("P03") == ("4", "4", "", "", "4")  # "4.0": one axis
    assert size("P04") == ("3", "3", "2", "1", "6")  # "3 * 2 * 1"
    assert size("P05") == ("3", "3", "2", "", "6")  # "3 by 2"
    assert size("P06") == ("1.2", "1.2", "", "", "1.2")  # "12 mm" in cm
    assert size("P07") == ("1", "1", "0.5", "", "0.5")  # "10mm x 5mm"
    assert size("P10") == ("3.5", "2", "3.5", "", "7")  # "2.0×3.5": the larger printed second
    assert size("P11") == ("4.2", "4.2", "3.1", "2", "26.04")  # 4.2 x 3.1 x 2.0
    assert size("P14") == ("2.5", "2.5", "1.5", "", "3.75")  # "25 × 15 mm"
    assert size("P08") == size("P12") == ("",) * 5  # n/r, n/a

    def course(case: str) -> tuple[str, ...]:
        names = ("follow_up", "outcome", "treatment_surgery", "treatment_radiotherapy")
        return tuple(cases[case][n] for n in (*names, "recurrence"))

    assert course("P01") == ("32", "ANED", "true", "false", "false")  # "32—ANED", "Surgery"
    assert course("P02") == ("24", "ANED", "true", "false", "true")  # "24 - ANED", "(recur)"
    assert course("P04") == ("12", "DOD", "true", "true", "true")  # "12-DOD"
    assert course("P05") == ("", "ANED", "true", "false", "false")  # "n/a—ANED"
    assert course("P06") == ("", "", "", "", "")  # "n/a" and treatment "n/r": every part
    assert course("P07") == ("", "", "true", "false", "false")  # "n/r"
    assert course("P10") == ("6", "ANED", "true", "false", "false")  # "6−ANED" (minus sign)
    assert course("P12") == ("", "DOD", "", "", "")  # "n/r—DOD", treatment "n/a"
    assert course("P13")[:2] == ("9.5", "ANED")  # "9.5-ANED"
    assert course("P16")[:2] == ("48", "ANED")  # "48‒ANED" (figure dash)
    assert cases["P02"]["ki67"] == "2"

    def symptoms(case: str) -> tuple[str, ...]:
        return tuple(cases[case][f"symptom_months_{p}"] for p in ("low", "high", "qualifier"))

    assert symptoms("P02") == ("12", "12", "approximate")  # "~1 year"
    assert symptoms("P05") == ("3", "3", "approximate")  # "approximately 3"
    assert symptoms("P03") == ("", "1", "less_than")  # "<1"
    assert symptoms("P04") == ("12", "24", "range")  # "1-2 years"
    assert symptoms("P08") == ("60", "", "greater_than")  # ">5 years"
    assert symptoms("P10") == ("", "", "")  # "n/a"
    assert symptoms("P14") == ("18", "18", "exact")  # "1.5 years"
    assert symptoms("P07") == ("2", "2", "exact")  # "2 months"


def test_number_typed_into_a_text_field_is_kept_as_shown_with_a_located_warning(built):
    cases = {c["case_id"]: c for c in rows(built / DATASET / "cases.csv", ",")}
    assert cases["P04"]["ki67"] == "4.0"  # typed 4.0, shown 4.0 (number format 0.0), not 4
    # the only QC issue of the review: every other cell is within its plausible range
    issues = rows(built / DATASET / "qc_issues.tsv")
    assert [(i["case_id"], i["field"], i["raw_value"], i["severity"]) for i in issues] == [
        ("P04", "ki67", "4.0", "warning")
    ]
    # ki67 is column I, P04 row 5
    assert issues[0]["message"].startswith(
        "cases!I5: ki67 '4.0' is a spreadsheet number in a text field: "
    )


def test_characteristics_table_by_hand_with_the_recurrences_noted_in_the_treatment_cell(built):
    table = (built / STATS / "characteristics.md").read_text(encoding="utf-8")
    got = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[4].isdigit():
            got[cells[1]] = (cells[2], int(cells[4]), int(cells[5]))
    # the same counts and summaries as the descriptive table (HAND), with the range min-max
    assert got == {
        "Male sex": ("7/14 (50.0%)", 14, 2),
        "Age (years)": ("60.00 (51.00, 66.50); range 39.00–73.00", 14, 2),
        "Nasal cavity": ("11/15 (73.3%)", 15, 1),
        "Largest diameter (cm)": ("3.00 (1.88, 4.40); range 1.00–10.00", 14, 2),
        # definitions.yaml: above 4 cm (P01 10, P11 4.2, P15 5, P16 6; P03's 4.0 is not above)
        # among the 14 patients whose size is reported (size_reported)
        "Largest diameter above 4 cm": ("4/14 (28.6%)", 14, 2),
        "Embolization before surgery": ("2/14 (14.3%)", 14, 2),
        "Follow-up (months)": ("24.00 (10.13, 45.00); range 6.00–120.00", 12, 4),
        "Alive without evidence of disease": ("9/14 (64.3%)", 14, 2),
        # P02 P04 P08 P15 of the 14 patients whose treatment cell is reported
        "Recurrence": ("4/14 (28.6%)", 14, 2),
    }


def test_bad_dimensions_and_combined_cells_are_located_errors_all_at_once(tmp_path):
    review = shutil.copytree(REVIEW, tmp_path / "sinonasal")
    workbook = review / "extraction" / "cases.xlsx"
    book = load_workbook(workbook)
    sheet = book["cases"]
    assert (sheet["H3"].value, sheet["J4"].value) == ("1.5 x 1.5", "24 – ANED")  # P02, P03
    bad = {
        "H3": "a × 3",  # not a size
        "H5": "10 ×",  # a separator without a second size
        "H6": "1 x 2 x 3 x 4",  # more axes than declared
        "H7": "12 in",  # a unit not in `units:`
        "J4": "3x – ANED",  # a bad part of a combined cell
        "J9": "60",  # a combined cell without its outcome part
        "K8": "Surgery (relapse)",  # a bracketed part the vocabulary does not know
    }
    for address, text in bad.items():
        sheet[address] = text
    book.save(workbook)
    proc = run_snakemake(review, "-s", SNAKEFILE, f"{DATASET}/cases.csv", check=False)
    console = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for expected in (
        "cases!H3: 'a × 3': tumour_size has 'a', which is not a size: 1 to 3 sizes",
        "cases!H5: '10 ×': tumour_size has a separator without a size on both sides",
        "cases!H6: '1 x 2 x 3 x 4': tumour_size gives 4 sizes where 1 to 3 are allowed",
        "cases!H7: '12 in': tumour_size has the unknown unit 'in'",
        "cases!J4: '3x – ANED': follow_up_outcome (follow_up) '3x' is not a number",
        "cases!J9: '60': follow_up_outcome has no outcome part (separated by a dash)",
        "cases!K8: 'Surgery (relapse)': treatment has the unknown phrase 'relapse'",
    ):
        assert expected in console
    assert "7 problems, nothing was written" in console
    assert not (review / DATASET / "cases.csv").exists()
