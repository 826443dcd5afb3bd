# Stage: prisma. See ARCHITECTURE.md for its inputs and outputs.
# The PRISMA 2020 flow diagram and its counts, from the search, dedup and screening counts and
# the dataset; every arithmetic check between boxes must hold, or the build stops.

# A case-report review also draws its patients (rows of the dataset).
PRISMA_DATASET = [f"{RESULTS}/dataset/cases.csv"] if config["prisma"].get("patients", True) else []

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
    script:
        "../../scripts/prisma.py"


PRISMA_TARGETS = [*rules.prisma.output]
