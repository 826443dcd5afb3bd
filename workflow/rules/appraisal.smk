# Stage: appraisal. Critical appraisal of the included studies with a checklist declared in a
# file (appraisal.checklist: items, answers, overall rule). A workbook per appraiser is generated
# (results/templates/appraisal_<appraiser>.xlsx: one row per included study, drop-downs); the
# appraisers save theirs as extraction/appraisal/<appraiser>.xlsx and settle conflicts in
# extraction/appraisal/adjudication.tsv (no rule writes there). With no appraisal file every study
# is `not_appraised`: nothing is invented.

APPRAISAL = config.get("appraisal") or {}
# A review without its own checklist gets the shipped default (JBI), from the workflow's folder.
APPRAISAL_CHECKLIST = APPRAISAL.get("checklist") or buildcheck.short_path(
    f"{WORKFLOW_DIR}/config/appraisal/jbi_case_reports.yaml"
)
APPRAISERS = list(APPRAISAL.get("appraisers") or [])
APPRAISAL_WORKBOOK = APPRAISAL.get("workbooks", "extraction/appraisal/{appraiser}.xlsx")
APPRAISAL_WORKBOOKS = {name: APPRAISAL_WORKBOOK.format(appraiser=name) for name in APPRAISERS}
APPRAISAL_ADJUDICATION = APPRAISAL.get("adjudication", "extraction/appraisal/adjudication.tsv")
APPRAISAL_DIR = f"{RESULTS}/appraisal"


wildcard_constraints:
    appraiser="[A-Za-z0-9-]+",


rule appraisal_template:
    input:
        studies=EXTRACTION_STUDIES,
        checklist=APPRAISAL_CHECKLIST,
    output:
        f"{RESULTS}/templates/appraisal_{{appraiser}}.xlsx",
    log:
        f"{LOGS}/appraisal_template/{{appraiser}}.log",
    benchmark:
        f"{BENCHMARKS}/appraisal_template/{{appraiser}}.tsv"
    conda:
        "../../envs/appraisal.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        save_as=lambda wildcards: APPRAISAL_WORKBOOK.format(appraiser=wildcards.appraiser),
    script:
        "../../scripts/appraisal_template.py"


# The stage in one job (issue 21: four jobs imported pandas and matplotlib four times, to do
# milliseconds of work each): the appraisal tables, the traffic-light figure, the methods text and
# the report pages of the tables and texts (each output `<name>_page` shows the output `<name>`).
rule appraisal:
    input:
        studies=EXTRACTION_STUDIES,
        checklist=APPRAISAL_CHECKLIST,
        workbooks=lambda wildcards: existing_files(APPRAISAL_WORKBOOKS.values()),
        adjudication=lambda wildcards: existing_files([APPRAISAL_ADJUDICATION]),
        extraction_agreement=([f"{RESULTS}/extraction/agreement.tsv"] if EXTRACTORS else []),
        extraction_disagreements=([f"{RESULTS}/extraction/disagreements.tsv"] if EXTRACTORS else []),
        # the dataset is built: the methods describe the extraction it was built from (its
        # values are not read: ancient, a cell edited does not rewrite the methods)
        cases=ancient(f"{RESULTS}/extraction/cases.tsv"),
    output:
        table=f"{APPRAISAL_DIR}/appraisal.tsv",
        markdown=f"{APPRAISAL_DIR}/appraisal.md",
        quality=f"{APPRAISAL_DIR}/study_quality.tsv",
        agreement=f"{APPRAISAL_DIR}/agreement.tsv",
        conflicts=f"{APPRAISAL_DIR}/conflicts.tsv",
        png=report(
            f"{APPRAISAL_DIR}/traffic_light.png",
            caption="../report/appraisal/traffic_light.rst",
            category=REPORT_DATASET,
        ),
        svg=f"{APPRAISAL_DIR}/traffic_light.svg",
        methods=f"{APPRAISAL_DIR}/methods.md",
        markdown_page=report(
            f"{APPRAISAL_DIR}/appraisal.html",
            caption="../report/appraisal/appraisal.rst",
            category=REPORT_DATASET,
        ),
        agreement_page=report(
            f"{APPRAISAL_DIR}/agreement.html",
            caption="../report/appraisal/agreement.rst",
            category=REPORT_DATASET,
        ),
        conflicts_page=report(
            f"{APPRAISAL_DIR}/conflicts.html",
            caption="../report/appraisal/conflicts.rst",
            category=REPORT_DATASET,
        ),
        methods_page=report(
            f"{APPRAISAL_DIR}/methods.html",
            caption="../report/appraisal/methods.rst",
            category=REPORT_DATASET,
        ),
    log:
        f"{LOGS}/appraisal/appraisal.log",
    benchmark:
        f"{BENCHMARKS}/appraisal.tsv"
    conda:
        "../../envs/appraisal.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        workbooks=APPRAISAL_WORKBOOKS,
        adjudication=APPRAISAL_ADJUDICATION,
        extractors=EXTRACTORS,
        workbook=config["extraction"]["workbook"],
        appraisers=APPRAISERS,
        # the report pages, by the name of the output they show
        page_titles={
            "markdown": "Critical appraisal of the included studies",
            "agreement": "Agreement between appraisers, per item",
            "conflicts": "Appraisers' conflicts and their adjudication",
            "methods": "Methods: data extraction and critical appraisal",
        },
        page_notes={
            "markdown": "not_appraised: no complete, agreed appraisal of the study (see its reason).",
            "agreement": "Empty: fewer than two appraisers have appraised the same study.",
            "conflicts": "Empty: no two appraisers answered an item of a study differently.",
        },
    script:
        "../../scripts/appraisal_stage.py"


APPRAISAL_TARGETS = [
    *expand(
        f"{RESULTS}/templates/appraisal_{{appraiser}}.xlsx", appraiser=APPRAISERS or ["template"]
    ),
    *rules.appraisal.output,
]
