# Stage: screening. See ARCHITECTURE.md for its inputs and outputs.
# Reviewers' decisions (extraction/screening/, only read) + unique records -> the screening log,
# conflicts, agreement, PRISMA counts, the sheet of records still to screen (+ ASReview export)
# and the rows that studies newly included need in the extraction workbook.
from reviewflow.core.rule_inputs import decision_file_paths

SCREENING = f"{RESULTS}/screening"
SCREENING_DECISIONS_DIR = config["screening"]["decisions_dir"]
# What ScreeningSettings reads: these keys, not the whole section (decisions_dir is an input)
SCREENING_SETTINGS = {
    key: config["screening"][key]
    for key in ("exclusion_reasons", "reviewers_required", "asreview")
    if key in config["screening"]
}


# The whole stage in one job (issue 21: three jobs imported pandas and openpyxl three times, for
# milliseconds of work each; the sheet and the new studies always followed the log).
rule screening:
    input:
        records=f"{RESULTS}/dedup/unique_records.tsv",
        related=f"{RESULTS}/dedup/related_versions.tsv",
        studies=EXTRACTION_STUDIES,
        first_version=config["review"]["first_version"],
        # every file of the reviewers' folder: a new or changed file reruns the stage
        decisions=lambda wildcards: decision_file_paths(SCREENING_DECISIONS_DIR),
    output:
        log=report(
            f"{SCREENING}/screening_log.tsv",
            caption="../report/screening/screening_log.rst",
            category=REPORT_SCREENING,
        ),
        conflicts=report(
            f"{SCREENING}/conflicts.tsv",
            caption="../report/screening/conflicts.rst",
            category=REPORT_SCREENING,
        ),
        agreement=report(
            f"{SCREENING}/agreement.tsv",
            caption="../report/screening/agreement.rst",
            category=REPORT_SCREENING,
        ),
        counts=report(
            f"{SCREENING}/counts.json",
            caption="../report/screening/counts.rst",
            category=REPORT_SCREENING,
        ),
        to_screen=report(
            f"{SCREENING}/to_screen.xlsx",
            caption="../report/screening/to_screen.rst",
            category=REPORT_SCREENING,
        ),
        asreview_csv=f"{SCREENING}/asreview/to_screen.csv",
        asreview_ris=f"{SCREENING}/asreview/to_screen.ris",
        new_studies_tsv=f"{SCREENING}/new_studies.tsv",
        new_studies_xlsx=report(
            f"{SCREENING}/new_studies.xlsx",
            caption="../report/screening/new_studies.rst",
            category=REPORT_SCREENING,
        ),
        counts_page=report(
            f"{SCREENING}/counts.html",
            caption="../report/screening/counts.rst",
            category=REPORT_SCREENING,
        ),
        log_page=report(
            f"{SCREENING}/screening_log.html",
            caption="../report/screening/screening_log.rst",
            category=REPORT_SCREENING,
        ),
        conflicts_page=report(
            f"{SCREENING}/conflicts.html",
            caption="../report/screening/conflicts.rst",
            category=REPORT_SCREENING,
        ),
        agreement_page=report(
            f"{SCREENING}/agreement.html",
            caption="../report/screening/agreement.rst",
            category=REPORT_SCREENING,
        ),
    log:
        f"{LOGS}/screening/screening.log",
    benchmark:
        f"{BENCHMARKS}/screening.tsv"
    conda:
        "../../envs/screening.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        decisions_dir=SCREENING_DECISIONS_DIR,
        settings=SCREENING_SETTINGS,
        page_titles={
            "counts": "Screening counts (PRISMA)",
            "log": "Screening log",
            "conflicts": "Conflicts between reviewers",
            "agreement": "Agreement between reviewers",
        },
        page_notes={
            "counts": "null: not reported by the first version's article "
            "(previous_version), or no search update yet (update).",
        },
    script:
        "../../scripts/screening_stage.py"


SCREENING_TARGETS = [*rules.screening.output]
