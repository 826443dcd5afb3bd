"""The dataset built from the committed reviewers' workbook: contract columns, known values,
QC findings, the Frictionless package and the data dictionary."""

import json
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.core.errors import InputProblems
from reviewflow.core.io import write_table
from reviewflow.dataset.build import (
    build_dataset,
    data_dictionary,
    package_descriptor,
    write_package,
)
from reviewflow.extraction.workbook import read_workbook
from tests.unit.test_harmonise import CODEBOOK, DEFINITIONS, VOCABULARY

REPO = Path(__file__).resolve().parents[2]
SYMPTOMS = ["pain", "pain_dorsalgia", "pain_cervicalgia", "pain_headache", "pain_limb",
            "pain_other", "sensory_or_weakness", "gait", "urinary_fecal", "cranial_visual",
            "other"]  # fmt: skip
# briefs/DATASET_COLUMNS.md: what the statistics and PRISMA stages code against.
CONTRACT_COLUMNS = [
    "case_id", "study_id", "first_author", "year", "sex", "age_years", "onset_to_diagnosis_weeks",
    "level_brain", "level_cervical", "level_thoracic", "level_lumbar", "level_sacral", "levels",
    "serum_igg4", "csf_cells_per_ul", "csf_cells_status", "csf_protein_mg_dl",
    "csf_protein_status", "mri_enhancement", "pattern_linear", "pattern_focal", "pattern_nodular",
    "path_fibrosis", "path_infiltration", "path_phlebitis", "igg4_cells_hpf_low",
    "igg4_cells_hpf_high", "igg4_cells_hpf_qualifier", "igg4_igg_ratio_low",
    "igg4_igg_ratio_high", "igg4_igg_ratio_qualifier", "treatment_decompression",
    "treatment_biopsy", "treatment_glucocorticoid", "treatment_azathioprine",
    "treatment_methotrexate", "treatment_cyclophosphamide", "treatment_mycophenolate",
    "treatment_rituximab", "outcome_improved", "outcome_no_improvement", "outcome_recurrence",
    "outcome_death", "outcome_lost_to_follow_up",
    *(f"{prefix}{s}" for prefix in ("initial_", "main_") for s in SYMPTOMS),
]  # fmt: skip


@pytest.fixture(scope="module")
def built():
    sheets = read_workbook(REPO / "extraction" / "cases.xlsx", CODEBOOK)
    return build_dataset(sheets["cases"], sheets["studies"], CODEBOOK, VOCABULARY, DEFINITIONS)


def test_dataset_has_every_contract_column_in_codebook_order(built):
    cases, _ = built
    assert list(cases.columns) == CODEBOOK.column_names
    assert [c for c in CONTRACT_COLUMNS if c not in cases.columns] == []
    assert len(cases) == 55 and cases["case_id"].tolist()[0] == "C01"
    assert cases["case_id"].is_unique and cases["study_id"].nunique() == 50


def test_known_values_of_table1(built):
    cases, _ = built
    by_id = cases.set_index("case_id")
    assert by_id.loc["C09", "onset_to_diagnosis_weeks"] == "0.2857142857"  # "2d"
    assert by_id.loc["C55", "csf_protein_mg_dl"] == "3260"  # "3,260", kept (flagged in QC)
    assert by_id.loc["C12", ["igg4_cells_hpf_low", "igg4_cells_hpf_high"]].tolist() == [
        "120",
        "130",
    ]
    assert by_id.loc["C14", ["igg4_cells_hpf_low", "igg4_cells_hpf_qualifier"]].tolist() == [
        "50",
        "greater_than",
    ]
    assert by_id.loc["C24", "igg4_igg_ratio_low"] == "27"  # "27%"
    assert by_id.loc["C06", ["path_fibrosis", "path_infiltration"]].tolist() == ["", ""]  # "Nd"
    assert by_id.loc["C31", ["treatment_glucocorticoid", "treatment_azathioprine"]].tolist() == [
        "true",
        "true",
    ]  # "Glucocorticoids Andazathioprine"
    assert by_id.loc["C28", ["pattern_linear", "pattern_nodular"]].tolist() == ["true", "true"]
    assert by_id.loc["C13", ["first_author", "year"]].tolist() == ["Radotra", "2016"]  # blank
    assert by_id.loc["C01", "outcome_improved"] == ""  # ND stays empty, never false
    assert by_id.loc["C38", ["treatment_biopsy", "treatment_decompression"]].tolist() == [
        "true",
        "false",
    ]


def test_counts_that_the_source_article_reports(built):
    """Figures of sections 4.1, 4.3, 4.5 and 4.6 that the table reproduces exactly."""
    cases, _ = built

    def n(column, value="true"):
        return int((cases[column] == value).sum())

    assert (n("sex", "male"), n("sex", "female")) == (29, 26)
    levels = [n(f"level_{s}") for s in ("thoracic", "cervical", "lumbar", "sacral", "brain")]
    assert levels == [41, 31, 10, 2, 10]
    assert int(((cases.level_cervical == "true") & (cases.level_thoracic == "true")).sum()) == 22
    assert (n("mri_enhancement", "yes"), 55 - n("mri_enhancement", "not_reported")) == (48, 49)
    assert (int((cases.pattern_linear != "").sum()), n("pattern_linear")) == (43, 29)
    assert (int((cases.path_fibrosis != "").sum()), n("path_fibrosis"), n("path_phlebitis")) == (
        53,
        46,
        12,
    )
    assert (n("treatment_decompression"), n("treatment_glucocorticoid")) == (42, 48)
    assert (n("treatment_rituximab"), n("outcome_recurrence"), n("outcome_death")) == (12, 6, 3)
    assert (int((cases.outcome_improved != "").sum()), n("outcome_improved")) == (51, 50)
    assert (int((cases.initial_pain != "").sum()), n("initial_gait")) == (53, 4)
    assert (n("initial_sensory_or_weakness"), n("initial_pain_cervicalgia")) == (17, 8)


def test_qc_findings_on_the_real_data(built):
    _, qc = built
    warnings = qc[qc.severity == "warning"]
    assert warnings[["case_id", "field", "raw_value"]].values.tolist() == [
        ["C45", "possible_duplicate_of", "C34"],  # Zhang et al. 2020 / Yang et al. 2022, 2nd
        ["C46", "possible_duplicate_of", "C14"],  # Rui Gu et al. 2016 / Yang et al. 2022, 3rd
        ["C55", "csf_protein_mg_dl", "3,260"],
    ]
    folded = set(qc.loc[qc.severity == "info", "message"].str.extract(r"'(.+?)' read as")[0])
    assert folded == {
        "Nd",
        "Doraslgia",
        "doraslgia",
        "doraslgia.",
        "Glucocorticoids",
        "Andazathioprine",
        "Azathioprine.",
        "Llimbs numbness",
        "AbNormal sensation",
        "Neck stifness",
        "neck stifness",
    }


def test_duplicates_are_flagged_both_ways_never_removed(built):
    cases, _ = built
    flagged = cases.loc[cases.possible_duplicate_of != "", ["case_id", "possible_duplicate_of"]]
    assert flagged.values.tolist() == [
        ["C14", "C46"],
        ["C34", "C45"],
        ["C45", "C34"],
        ["C46", "C14"],
    ]


def test_package_validates_the_csv_and_refuses_a_broken_one(built, tmp_path):
    cases, _ = built
    csv = tmp_path / "cases.csv"
    write_table(cases, csv)
    write_package(CODEBOOK, "IgG4-RSP", csv, tmp_path / "datapackage.json")
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor == package_descriptor(CODEBOOK, "IgG4-RSP")
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["serum_igg4"]["constraints"]["enum"] == ["normal", "elevated", "not_reported"]
    assert (
        fields["level_brain"]["type"] == "boolean"
        and "Unit: weeks." in (fields["onset_to_diagnosis_weeks"]["description"])
    )
    broken = cases.copy()
    broken.loc[3, "level_brain"] = "yes"
    broken.loc[5, "age_years"] = "forty"
    broken.loc[7, "case_id"] = "C01"
    write_table(broken, csv)
    (tmp_path / "datapackage.json").unlink()
    with pytest.raises(InputProblems) as error:
        write_package(CODEBOOK, "IgG4-RSP", csv, tmp_path / "datapackage.json")
    assert [p.split(": ")[:3] for p in error.value.problems] == [
        ["row 5", "level_brain", "type-error"],
        ["row 7", "age_years", "type-error"],
        ["row 9", "case_id", "unique-error"],
        ["row 9", "primary-key", "the same as in the row at position 2"],
    ]
    assert not (tmp_path / "datapackage.json").exists()


def test_data_dictionary_documents_every_column_and_phrase():
    text = data_dictionary(CODEBOOK, VOCABULARY)
    for column in CODEBOOK.column_names:
        assert f"| `{column}` |" in text
    for group in VOCABULARY.groups:
        for phrase in group.phrases:
            assert f"| {phrase.text} |" in text
    assert "8 itself is within the reference range 0-8 and counts as normal" in text
    assert "| Andazathioprine | azathioprine | and Azathioprine |" in text
    assert "A blank Source is a further patient of the article above" in text


def test_csv_reads_back_typed(built, tmp_path):
    cases, _ = built
    path = tmp_path / "cases.csv"
    write_table(cases, path)
    back = pd.read_csv(path, keep_default_na=False, dtype=str)
    assert back.equals(cases.astype(str))
