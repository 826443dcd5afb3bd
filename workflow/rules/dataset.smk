# Stage: dataset. See ARCHITECTURE.md for its inputs and outputs.
# Harmonises the raw workbook values through extraction/vocabulary.yaml into one typed row per
# patient, lists quality issues (never changing a value), and documents the table as a data
# dictionary and a Frictionless data package that validates it (written with the table, one job:
# a job of its own cost a Python start and the pandas import, issue 21).


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


rule dataset_harmonise:
    input:
        cases=f"{RESULTS}/extraction/cases.tsv",
        studies=f"{RESULTS}/extraction/studies.tsv",
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
        # the named conditions and parameters the codebook's consistency checks may use
        definitions=config["review"]["definitions"],
    output:
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
        title=config["review"]["title"],
        page_titles=DATASET_PAGE_TITLES,
        page_notes=DATASET_PAGE_NOTES,
    script:
        "../../scripts/dataset_harmonise.py"


DATASET_TARGETS = [*rules.dataset_harmonise.output]
