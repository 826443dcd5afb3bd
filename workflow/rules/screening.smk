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


rule screen_records:
    input:
        records=f"{RESULTS}/dedup/unique_records.tsv",
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
    log:
        f"{LOGS}/screen_records/screen_records.log",
    benchmark:
        f"{BENCHMARKS}/screen_records.tsv"
    conda:
        "../../envs/screening.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        decisions_dir=SCREENING_DECISIONS_DIR,
        settings=SCREENING_SETTINGS,
    script:
        "../../scripts/screen_records.py"


rule screening_sheet:
    input:
        records=f"{RESULTS}/dedup/unique_records.tsv",
        related=f"{RESULTS}/dedup/related_versions.tsv",
        log=rules.screen_records.output.log,
    output:
        xlsx=report(
            f"{SCREENING}/to_screen.xlsx",
            caption="../report/screening/to_screen.rst",
            category=REPORT_SCREENING,
        ),
        asreview_csv=f"{SCREENING}/asreview/to_screen.csv",
        asreview_ris=f"{SCREENING}/asreview/to_screen.ris",
    log:
        f"{LOGS}/screening_sheet/screening_sheet.log",
    benchmark:
        f"{BENCHMARKS}/screening_sheet.tsv"
    conda:
        "../../envs/screening.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        decisions_dir=SCREENING_DECISIONS_DIR,
        settings=SCREENING_SETTINGS,
    script:
        "../../scripts/screening_sheet.py"


rule screening_new_studies:
    input:
        records=f"{RESULTS}/dedup/unique_records.tsv",
        log=rules.screen_records.output.log,
        studies=EXTRACTION_STUDIES,
    output:
        tsv=f"{SCREENING}/new_studies.tsv",
        xlsx=report(
            f"{SCREENING}/new_studies.xlsx",
            caption="../report/screening/new_studies.rst",
            category=REPORT_SCREENING,
        ),
    log:
        f"{LOGS}/screening_new_studies/screening_new_studies.log",
    benchmark:
        f"{BENCHMARKS}/screening_new_studies.tsv"
    conda:
        "../../envs/screening.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        decisions_dir=SCREENING_DECISIONS_DIR,
    script:
        "../../scripts/screening_new_studies.py"


SCREENING_TARGETS = [
    rules.screen_records.output.counts,
    rules.screen_records.output.log,
    rules.screening_sheet.output.xlsx,
    rules.screening_sheet.output.asreview_csv,
    rules.screening_new_studies.output.tsv,
]
