# Stage: dataset. See ARCHITECTURE.md for its inputs and outputs.
# Harmonises the raw workbook values (single extraction: read here from the workbook, see
# RAW_TABLES) through extraction/vocabulary.yaml into one typed row per patient, lists quality
# issues (never changing a value), and documents the table as a data dictionary and a
# Frictionless data package that validates it (written with the table, one job: a job of its own
# cost a Python start and the pandas import, issue 21).


# The report's pages of the dataset's files, written by the job that writes them (a cell edited
# starts no job of its own for pages): title and note by output name; the page is `<name>_page`.
DATASET_PAGE_TITLES = {
    "cases": "Dataset: one row per patient",
    "qc": "Quality checks of the dataset",
    "codebook": "Data dictionary of the dataset",
}
DATASET_PAGE_NOTES = {
    "cases": "Empty cell: not described in the case report (never a guessed false).",
}


# The raw tables (results/extraction/cases.tsv, studies.tsv: the values as typed, with their
# cells). Single extraction: this job reads the reviewers' workbook and writes them before it
# harmonises them (a job of their own cost a Python start and the pandas import on every edit,
# issue 21), with the workbook's content digest. Double extraction: extraction_agreed writes them.
RAW_TABLES = {
    "raw_cases": f"{RESULTS}/extraction/cases.tsv",
    "raw_studies": f"{RESULTS}/extraction/studies.tsv",
}
if SINGLE_EXTRACTION:
    DATASET_SOURCE = {"workbook": EXTRACTION_WORKBOOK}
    DATASET_RAW_OUTPUT = {**RAW_TABLES, "workbook_digest": EXTRACTION_DIGEST}
    DATASET_DIGEST = f"{EXTRACTION_CONTENT}\n{EXTRACTION_STUDIES_CONTENT}"
else:
    DATASET_SOURCE, DATASET_RAW_OUTPUT, DATASET_DIGEST = RAW_TABLES, {}, ""


rule dataset_harmonise:
    input:
        **DATASET_SOURCE,
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
        # the named conditions and parameters the codebook's consistency checks may use
        definitions=config["review"]["definitions"],
    output:
        **DATASET_RAW_OUTPUT,
        cases=report(
            f"{RESULTS}/dataset/cases.csv",
            caption="../report/dataset/cases.rst",
            category=REPORT_DATASET,
        ),
        qc=report(
            f"{RESULTS}/dataset/qc_issues.tsv",
            caption="../report/dataset/qc_issues.rst",
            category=REPORT_DATASET,
        ),
        # the cells holding a declared not-reported token, with its meaning (header only if none)
        not_reported=f"{RESULTS}/dataset/not_reported.tsv",
        # the data package of the table just written, which it validates
        package=report(
            f"{RESULTS}/dataset/datapackage.json",
            caption="../report/dataset/datapackage.rst",
            category=REPORT_DATASET,
        ),
        # the data dictionary, from the codebook and vocabulary
        codebook=report(
            f"{RESULTS}/dataset/codebook.md",
            caption="../report/dataset/codebook.rst",
            category=REPORT_DATASET,
        ),
        cases_page=report(
            f"{RESULTS}/dataset/cases.html",
            caption="../report/dataset/cases.rst",
            category=REPORT_DATASET,
        ),
        qc_page=report(
            f"{RESULTS}/dataset/qc_issues.html",
            caption="../report/dataset/qc_issues.rst",
            category=REPORT_DATASET,
        ),
        codebook_page=report(
            f"{RESULTS}/dataset/codebook.html",
            caption="../report/dataset/codebook.rst",
            category=REPORT_DATASET,
        ),
    log:
        f"{LOGS}/dataset_harmonise/dataset_harmonise.log",
    benchmark:
        f"{BENCHMARKS}/dataset_harmonise.tsv"
    conda:
        "../../envs/dataset.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        # the workbook's content digest taken when the workflow was read (buildcheck)
        digest=DATASET_DIGEST,
        title=config["review"]["title"],
        page_titles=DATASET_PAGE_TITLES,
        page_notes=DATASET_PAGE_NOTES,
    script:
        "../../scripts/dataset_harmonise.py"


DATASET_TARGETS = [*rules.dataset_harmonise.output]
