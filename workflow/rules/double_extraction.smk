# Stage: extraction, double extraction (only when config extraction.extractors lists two or more
# extractors; single extraction from extraction/cases.xlsx, which rule dataset_harmonise reads,
# stays the default: extraction.smk refuses both at once). Each extractor keeps their own copy of
# the workbook (extraction.extractor_workbook, `{extractor}` replaced by the name);
# extraction_compare writes the cells in disagreement and the agreement per field;
# extraction_agreed builds the raw tables from the agreed values and the reviewers' adjudication
# file (extraction.adjudication, never written by a rule) and stops, listing them, while a
# disagreement is open.
from reviewflow.core.rule_inputs import existing_files

EXTRACTORS = list(config["extraction"].get("extractors") or [])
EXTRACTOR_WORKBOOKS = {
    name: config["extraction"]
    .get("extractor_workbook", "extraction/cases_{extractor}.xlsx")
    .format(extractor=name)
    for name in EXTRACTORS
}
EXTRACTION_ADJUDICATION = config["extraction"].get("adjudication", "extraction/adjudication.tsv")


DOUBLE_EXTRACTION_TARGETS = []

if EXTRACTORS:

    rule extraction_compare:
        input:
            workbooks=lambda wildcards: existing_files(EXTRACTOR_WORKBOOKS.values()),
            adjudication=lambda wildcards: existing_files([EXTRACTION_ADJUDICATION]),
            codebook=config["extraction"]["codebook"],
            vocabulary=config["dataset"]["vocabulary"],
        output:
            disagreements=f"{RESULTS}/extraction/disagreements.tsv",
            agreement=f"{RESULTS}/extraction/agreement.tsv",
        log:
            f"{LOGS}/extraction_compare/extraction_compare.log",
        benchmark:
            f"{BENCHMARKS}/extraction_compare.tsv"
        conda:
            "../../envs/extraction.yaml"
        resources:
            mem_mb=1000,
            runtime=5,
        params:
            workbooks=EXTRACTOR_WORKBOOKS,
            adjudication=EXTRACTION_ADJUDICATION,
        script:
            "../../scripts/extraction_compare.py"

    rule extraction_agreed:
        input:
            workbooks=lambda wildcards: existing_files(EXTRACTOR_WORKBOOKS.values()),
            adjudication=lambda wildcards: existing_files([EXTRACTION_ADJUDICATION]),
            codebook=config["extraction"]["codebook"],
            vocabulary=config["dataset"]["vocabulary"],
            # written first, so reviewers have the list even when this rule stops
            disagreements=rules.extraction_compare.output.disagreements,
        output:
            cases=f"{RESULTS}/extraction/cases.tsv",
            studies=f"{RESULTS}/extraction/studies.tsv",
        log:
            f"{LOGS}/extraction_agreed/extraction_agreed.log",
        benchmark:
            f"{BENCHMARKS}/extraction_agreed.tsv"
        conda:
            "../../envs/extraction.yaml"
        resources:
            mem_mb=1000,
            runtime=5,
        params:
            workbooks=EXTRACTOR_WORKBOOKS,
            adjudication=EXTRACTION_ADJUDICATION,
        script:
            "../../scripts/extraction_agreed.py"

    rule report_pages_extraction:
        input:
            disagreements=rules.extraction_compare.output.disagreements,
            agreement=rules.extraction_compare.output.agreement,
        output:
            disagreements=report(
                f"{RESULTS}/extraction/disagreements.html",
                caption="../report/extraction/disagreements.rst",
                category=REPORT_DATASET,
            ),
            agreement=report(
                f"{RESULTS}/extraction/agreement.html",
                caption="../report/extraction/agreement.rst",
                category=REPORT_DATASET,
            ),
        log:
            f"{LOGS}/report_pages_extraction/report_pages_extraction.log",
        benchmark:
            f"{BENCHMARKS}/report_pages_extraction.tsv"
        conda:
            "../../envs/report.yaml"
        resources:
            mem_mb=500,
            runtime=5,
        params:
            titles={
                "disagreements": "Double extraction: cells in disagreement",
                "agreement": "Double extraction: agreement per field",
            },
            notes={
                "agreement": "kappa: Cohen's kappa (choice fields only); empty when undefined.",
            },
        script:
            "../../scripts/report_pages.py"

    DOUBLE_EXTRACTION_TARGETS = [
        *rules.extraction_compare.output,
        *rules.report_pages_extraction.output,
    ]
