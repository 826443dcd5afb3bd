"""The dedup rule end to end: snakemake in a temporary copy of the workflow, on hand-made
records of two search windows and the included studies."""

import json

import pandas as pd
import pytest

from tests.e2e.conftest import run_snakemake

W1, W2, W3 = "2024-10-01_2025-03-31", "2025-04-01_2025-09-30", "2025-10-01_2025-12-31"
TARGETS = [
    "results/dedup/unique_records.tsv",
    "results/dedup/duplicates.tsv",
    "results/dedup/uncertain_pairs.tsv",
    "results/dedup/dedup_counts.json",
    "results/dedup/related_versions.tsv",
]
TITLE = "IgG4-related hypertrophic spinal pachymeningitis: a case report"
RECORDS = [
    # window 1: PubMed and WoS export the same article
    {"record_id": f"{W1}:pubmed:1", "window": W1, "source_db": "pubmed", "title": TITLE,
     "authors": "Tanaka, Akira; Sato, Kei", "year": "2024", "journal": "Journal of Neurology",
     "volume": "271", "pages": "100-105", "doi": "10.1007/s00415-024-00001", "pmid": "39000001"},
    {"record_id": f"{W1}:wos:1", "window": W1, "source_db": "wos", "title": TITLE.upper(),
     "authors": "Tanaka, A; Sato, K", "year": "2024", "journal": "J NEUROL", "volume": "271",
     "pages": "100-5", "doi": "https://doi.org/10.1007/S00415-024-00001", "wos_ut": "WOS:1"},
    # window 2: the same article again (overlapping windows), an erratum, a different study
    {"record_id": f"{W2}:embase:7", "window": W2, "source_db": "embase", "title": TITLE,
     "authors": "Tanaka A.; Sato K.", "year": "2024", "journal": "J. Neurol.", "volume": "271",
     "pages": "100", "embase_id": "L7"},
    {"record_id": f"{W2}:pubmed:2", "window": W2, "source_db": "pubmed",
     "title": f"Erratum: {TITLE}", "authors": "Tanaka, Akira", "year": "2024",
     "journal": "Journal of Neurology", "volume": "271", "pages": "900"},
    {"record_id": f"{W2}:pubmed:3", "window": W2, "source_db": "pubmed",
     "title": "Rituximab for IgG4-related pachymeningitis", "authors": "Okafor, N",
     "year": "2025", "journal": "Modern Rheumatology", "volume": "35", "pages": "1-9",
     "doi": "10.1093/mr/roae001"},
    # window 2: that study's preprint (a related version, never merged)
    {"record_id": f"{W2}:other:9", "window": W2, "source_db": "other",
     "title": "Rituximab for IgG4-related pachymeningitis.", "authors": "Okafor, Ngozi",
     "year": "2024", "journal": "medRxiv", "doi": "10.1101/2024.05.01.24306789",
     "publication_type": "Preprint"},
    # window 2: an article already included in the first version of the review
    {"record_id": f"{W2}:pubmed:4", "window": W2, "source_db": "pubmed",
     "title": "Spinal pachymeningitis and IgG4: report of two cases", "authors": "Lee, Min",
     "year": "2019", "journal": "Spine", "volume": "44", "pages": "E1-E5", "pmid": "31000004"},
]  # fmt: skip
STUDIES = [
    {"study_id": "S07", "first_author": "Lee", "year": "2019",
     "title": "Spinal pachymeningitis and IgG4: report of two cases", "journal": "Spine",
     "doi": "", "pmid": "31000004"},
    {"study_id": "S08", "first_author": "Kim", "year": "2018",
     "title": "IgG4-related disease of the dura", "journal": "Neurology", "doi": "", "pmid": ""},
]  # fmt: skip


def write_inputs(workdir):
    """What search and extraction hand to dedup (ARCHITECTURE.md contracts); the third search
    window found nothing."""
    for name, rows in (("search/records.tsv", RECORDS), ("extraction/studies.tsv", STUDIES)):
        path = workdir / "results" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(path, sep="\t", index=False)
    windows = [{"window": "v1", "reported": True}] + [
        {"window": w, "reported": False, "databases": {}} for w in (W1, W2, W3)
    ]
    (workdir / "results/search/search_counts.json").write_text(json.dumps({"windows": windows}))


def read(workdir, name):
    return pd.read_csv(workdir / "results" / "dedup" / name, sep="\t", dtype=str).fillna("")


def dedup(workdir, check=True):
    return run_snakemake(workdir, *TARGETS, "--allowed-rules", "dedup", check=check)


@pytest.mark.e2e
def test_dedup_rule_and_a_reviewer_decision(workflow_dir):
    write_inputs(workflow_dir)
    decisions = workflow_dir / "extraction" / "dedup_decisions.tsv"
    assert decisions.read_text() == "record_id_1\trecord_id_2\tdecision\treviewer\tnote\n"
    dedup(workflow_dir)

    unique = read(workflow_dir, "unique_records.tsv").set_index("record_id")
    article = unique.loc[f"{W1}:pubmed:1"]
    assert article["member_ids"] == f"{W1}:pubmed:1;{W1}:wos:1;{W2}:embase:7"
    assert article["first_window"] == W1 and article["wos_ut"] == "WOS:1"
    assert article["doi"] == "10.1007/s00415-024-00001" and article["embase_id"] == "L7"
    assert unique.loc[f"{W2}:pubmed:4", "matches_included_study"] == "S07"
    # the article, the erratum, the new study, its preprint, the included one
    assert len(unique) == 5

    removed = read(workflow_dir, "duplicates.tsv").set_index("record_id")
    assert set(removed.index) == {f"{W1}:wos:1", f"{W2}:embase:7", f"{W2}:pubmed:4"}
    assert removed.loc[f"{W1}:wos:1", "stage"] == "identifier"
    assert removed.loc[f"{W2}:embase:7", "merged_into"] == f"{W1}:pubmed:1"
    assert removed.loc[f"{W2}:pubmed:4", "merged_into"] == "study:S07"

    uncertain = read(workflow_dir, "uncertain_pairs.tsv")
    assert len(uncertain) == 1 and uncertain.loc[0, "reason"] == "article vs erratum"

    counts = json.loads((workflow_dir / "results/dedup/dedup_counts.json").read_text())
    v1, w1, w2, w3 = counts["windows"]
    assert (w3["window"], w3["records"], w3["duplicates_removed"], w3["unique_records"]) == (
        W3, 0, 0, 0
    )  # fmt: skip
    assert (v1["window"], v1["records"], v1["duplicates_removed"], v1["reported"]) == (
        "v1", 362, 140, True
    )  # fmt: skip
    assert (w1["records"], w1["duplicates_removed"], w1["unique_records"]) == (2, 1, 1)
    assert (w2["records"], w2["duplicates_removed"], w2["unique_records"]) == (5, 1, 4)
    assert w2["duplicates_removed_of_earlier_records"] == 1
    assert w2["unique_records_matching_included_studies"] == 1  # screening decides on it
    assert (workflow_dir / "results/logs/dedup/dedup.log").read_text()

    related = read(workflow_dir, "related_versions.tsv")
    assert related[["record_id_1", "record_id_2"]].values.tolist() == [
        [f"{W2}:other:9", f"{W2}:pubmed:3"]
    ]
    assert related.loc[0, "relation"] == "preprint and published version"

    # A reviewer decides the uncertain pair; the next build applies it and leaves the file.
    pair = uncertain.loc[0, ["record_id_1", "record_id_2"]].tolist()
    text = decisions.read_text() + f"{pair[0]}\t{pair[1]}\tdifferent\tJD\terratum\n"
    decisions.write_text(text)
    dedup(workflow_dir)
    assert read(workflow_dir, "uncertain_pairs.tsv").empty
    assert decisions.read_text() == text

    # A decision naming an unknown record fails with the file, line and value.
    decisions.write_text(text + f"{pair[0]}\tnope\tsame\tJD\t\n")
    proc = dedup(workflow_dir, check=False)
    assert proc.returncode != 0
    log = (workflow_dir / "results/logs/dedup/dedup.log").read_text()
    assert "line 3: record_id_2 'nope' is not a known record id" in log
