# reviewflow: a living systematic review of case reports, rebuilt end to end by one command.
# Thin entry point: the rules live in workflow/rules/, one file per stage.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/search.smk"
include: "workflow/rules/dedup.smk"
include: "workflow/rules/screening.smk"
include: "workflow/rules/extraction.smk"
include: "workflow/rules/double_extraction.smk"
include: "workflow/rules/dataset.smk"
include: "workflow/rules/appraisal.smk"
include: "workflow/rules/statistics.smk"
include: "workflow/rules/prisma.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/living.smk"


rule all:
    input:
        SEARCH_TARGETS,
        DEDUP_TARGETS,
        SCREENING_TARGETS,
        EXTRACTION_TARGETS,
        DOUBLE_EXTRACTION_TARGETS,
        DATASET_TARGETS,
        APPRAISAL_TARGETS,
        STATISTICS_TARGETS,
        PRISMA_TARGETS,
        REPORT_TARGETS,
        LIVING_TARGETS,
    default_target: True
