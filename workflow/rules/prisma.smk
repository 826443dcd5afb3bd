# Stage: prisma. See ARCHITECTURE.md for its inputs and outputs.
# The PRISMA 2020 flow diagram and its counts, from the search, dedup and screening counts and
# the dataset; every arithmetic check between boxes must hold, or the build stops.

# A case-report review also draws its patients (rows of the dataset) and counts their studies
# (study_id). Of the dataset the diagram reads only these: with a single extraction workbook they
# are given by which rows of its cases sheet hold values, their study ids, and the studies sheet,
# codebook and vocabulary (PRISMA_PATIENTS, a digest taken here, which the rule writes beside its
# outputs). When the last diagram was drawn from the same, the dataset's time stamp is ignored
# (ancient): a patient's cell edited does not redraw the diagram (issue 21).
PRISMA_DATASET = [f"{RESULTS}/dataset/cases.csv"] if config["prisma"].get("patients", True) else []
PRISMA_PATIENTS_FILE = f"{RESULTS}/prisma/patients_digest.txt"
PRISMA_PATIENTS = ""
if PRISMA_DATASET and SINGLE_EXTRACTION:
    _rows = buildcheck.rows_digest(config["extraction"]["workbook"], "cases", "study_id")
    PRISMA_PATIENTS = (
        f"{_rows} {EXTRACTION_STUDIES_CONTENT}" if _rows and EXTRACTION_STUDIES_CONTENT else ""
    )
    if PRISMA_PATIENTS and buildcheck.recorded_digest(PRISMA_PATIENTS_FILE) == PRISMA_PATIENTS:
        PRISMA_DATASET = [ancient(PRISMA_DATASET[0])]


# Published versions (versions/v<N>/): an update after a published version N > 1 draws version N's
# studies, reports and patients as the previous version (reviewflow.prisma.flow.previous_published).
from reviewflow.core.version_index import published_numbers

PRISMA_VERSIONS_DIR = config.get("living", {}).get("versions_dir", "versions")
PRISMA_VERSION_FILES = [
    f"{PRISMA_VERSIONS_DIR}/v{number}/{name}"
    for number in published_numbers(PRISMA_VERSIONS_DIR)
    for name in ("version.json", "prisma_counts.csv", "cases.csv")
]


rule prisma:
    input:
        search=f"{RESULTS}/search/search_counts.json",
        dedup=f"{RESULTS}/dedup/dedup_counts.json",
        screening=f"{RESULTS}/screening/counts.json",
        dataset=PRISMA_DATASET,
        first_version=config["review"]["first_version"],
        versions=PRISMA_VERSION_FILES,
    output:
        counts=report(
            f"{RESULTS}/prisma/prisma_counts.csv",
            caption="../report/prisma/prisma_counts.rst",
            category=REPORT_PRISMA,
        ),
        svg=report(
            f"{RESULTS}/prisma/prisma.svg",
            caption="../report/prisma/prisma_diagram.rst",
            category=REPORT_PRISMA,
        ),
        pdf=f"{RESULTS}/prisma/prisma.pdf",
        png=f"{RESULTS}/prisma/prisma.png",
        checks=report(
            f"{RESULTS}/prisma/prisma_checks.html",
            caption="../report/prisma/prisma_checks.rst",
            category=REPORT_PRISMA,
        ),
        # the patients and studies the diagram was drawn from (PRISMA_DATASET above)
        patients=PRISMA_PATIENTS_FILE,
        counts_page=report(
            f"{RESULTS}/prisma/prisma_counts.html",
            caption="../report/prisma/prisma_counts.rst",
            category=REPORT_PRISMA,
        ),
    log:
        f"{LOGS}/prisma/prisma.log",
    benchmark:
        f"{BENCHMARKS}/prisma.tsv"
    conda:
        "../../envs/prisma.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        title=config["review"]["title"],
        patients=PRISMA_PATIENTS,
        page_titles={"counts": "PRISMA 2020 counts (PRISMA2020 app upload format)"},
        page_notes={
            "counts": "The rows of the PRISMA2020 template with the counts in column n "
            "(shown second); NA: not a number (not reported, or no such step in this review).",
        },
        page_first_columns={"counts": ["data", "n", "description"]},
    script:
        "../../scripts/prisma.py"


PRISMA_TARGETS = [*rules.prisma.output]
