# Report pages: the review's HTML report (`snakemake --report results/report.html`) shows images,
# PDFs and HTML inline but offers TSV, CSV, Markdown and JSON only as downloads. So every table or
# document a reader of the review reads is also written, next to it, as a small self-contained
# HTML page (scripts/reviewflow/report/pages.py), which carries the caption of the file it shows.
# The rule's named outputs are the pages of its inputs of the same name; titles and notes are
# given per name. Included after the stage rule files, whose outputs it reads. The pages of the
# stages up to PRISMA and of the outcome analyses are made in one job: each page takes
# milliseconds, a job of its own a Python start and the pandas import (the pages of the appraisal,
# written by its one job, rule appraisal, and of double extraction stay with their stages, which
# a workbook edit does not re-run).


# The outcome analyses' pages (only when the analysis file declares some): inputs, outputs, titles
# and notes of the same names.
OUTCOME_PAGE_INPUTS = (
    {
        **{name: f"{OUTCOMES_DIR}/{name}.md" for name in STATISTICS_OUTCOMES},
        "outcomes_usable": rules.statistics.output.outcomes_usable,
    }
    if STATISTICS_OUTCOMES
    else {}
)
OUTCOME_PAGE_OUTPUTS = (
    {
        **{
            name: report(
                f"{OUTCOMES_DIR}/{name}.html",
                caption="../report/statistics/outcome.rst",
                category=REPORT_STATISTICS,
            )
            for name in STATISTICS_OUTCOMES
        },
        "outcomes_usable": report(
            f"{STATISTICS_DIR}/outcomes_usable_n.html",
            caption="../report/statistics/outcomes_usable_n.rst",
            category=REPORT_STATISTICS,
        ),
    }
    if STATISTICS_OUTCOMES
    else {}
)
OUTCOME_PAGE_TITLES = (
    {
        **{
            name: f"Outcome analysis {name} (usable patients and estimates)"
            for name in STATISTICS_OUTCOMES
        },
        "outcomes_usable": "Usable patients of every outcome analysis",
    }
    if STATISTICS_OUTCOMES
    else {}
)
OUTCOME_PAGE_NOTES = (
    {
        "outcomes_usable": "One row per patient an analysis left out, with the reasons; "
        "an analysis that used every patient has one row with an empty case_id.",
    }
    if STATISTICS_OUTCOMES
    else {}
)


rule report_pages:
    input:
        **OUTCOME_PAGE_INPUTS,
        search_report=rules.search_summary.output.report,
        dedup_counts=rules.dedup.output.counts,
        dedup_duplicates=rules.dedup.output.duplicates,
        dedup_uncertain=rules.dedup.output.uncertain,
        dedup_related=rules.dedup.output.related,
        screening_counts=rules.screen_records.output.counts,
        screening_log=rules.screen_records.output.log,
        screening_conflicts=rules.screen_records.output.conflicts,
        screening_agreement=rules.screen_records.output.agreement,
        dataset_cases=rules.dataset_harmonise.output.cases,
        dataset_qc=rules.dataset_harmonise.output.qc,
        dataset_codebook=rules.dataset_codebook.output[0],
        statistics_summary=rules.statistics.output.summary,
        statistics_reconciliation=rules.statistics.output.reconciliation_markdown,
        statistics_characteristics=rules.statistics.output.characteristics_markdown,
        statistics_descriptive=rules.statistics.output.descriptive_markdown,
        prisma_counts=rules.prisma.output.counts,
    output:
        **OUTCOME_PAGE_OUTPUTS,
        search_report=report(
            f"{RESULTS}/search/search_report.html",
            caption="../report/search/search_report.rst",
            category=REPORT_SEARCH,
        ),
        dedup_counts=report(
            f"{RESULTS}/dedup/dedup_counts.html",
            caption="../report/dedup/dedup_counts.rst",
            category=REPORT_DEDUP,
        ),
        dedup_duplicates=report(
            f"{RESULTS}/dedup/duplicates.html",
            caption="../report/dedup/duplicates.rst",
            category=REPORT_DEDUP,
        ),
        dedup_uncertain=report(
            f"{RESULTS}/dedup/uncertain_pairs.html",
            caption="../report/dedup/uncertain_pairs.rst",
            category=REPORT_DEDUP,
        ),
        dedup_related=report(
            f"{RESULTS}/dedup/related_versions.html",
            caption="../report/dedup/related_versions.rst",
            category=REPORT_DEDUP,
        ),
        screening_counts=report(
            f"{SCREENING}/counts.html",
            caption="../report/screening/counts.rst",
            category=REPORT_SCREENING,
        ),
        screening_log=report(
            f"{SCREENING}/screening_log.html",
            caption="../report/screening/screening_log.rst",
            category=REPORT_SCREENING,
        ),
        screening_conflicts=report(
            f"{SCREENING}/conflicts.html",
            caption="../report/screening/conflicts.rst",
            category=REPORT_SCREENING,
        ),
        screening_agreement=report(
            f"{SCREENING}/agreement.html",
            caption="../report/screening/agreement.rst",
            category=REPORT_SCREENING,
        ),
        dataset_cases=report(
            f"{RESULTS}/dataset/cases.html",
            caption="../report/dataset/cases.rst",
            category=REPORT_DATASET,
        ),
        dataset_qc=report(
            f"{RESULTS}/dataset/qc_issues.html",
            caption="../report/dataset/qc_issues.rst",
            category=REPORT_DATASET,
        ),
        dataset_codebook=report(
            f"{RESULTS}/dataset/codebook.html",
            caption="../report/dataset/codebook.rst",
            category=REPORT_DATASET,
        ),
        statistics_summary=report(
            f"{STATISTICS_DIR}/summary.html",
            caption="../report/statistics/summary.rst",
            category=REPORT_STATISTICS,
        ),
        statistics_reconciliation=report(
            f"{STATISTICS_DIR}/reconciliation.html",
            caption="../report/statistics/reconciliation.rst",
            category=REPORT_STATISTICS,
        ),
        statistics_characteristics=report(
            f"{STATISTICS_DIR}/characteristics.html",
            caption="../report/statistics/characteristics.rst",
            category=REPORT_STATISTICS,
        ),
        statistics_descriptive=report(
            f"{STATISTICS_DIR}/descriptive.html",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
        prisma_counts=report(
            f"{RESULTS}/prisma/prisma_counts.html",
            caption="../report/prisma/prisma_counts.rst",
            category=REPORT_PRISMA,
        ),
    log:
        f"{LOGS}/report_pages/report_pages.log",
    benchmark:
        f"{BENCHMARKS}/report_pages.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={
            "search_report": "Search report (PRISMA-S)",
            "dedup_counts": "Deduplication counts per search window",
            "dedup_duplicates": "Duplicate records removed",
            "dedup_uncertain": "Uncertain pairs (for reviewers)",
            "dedup_related": "Related versions (preprints and their published versions)",
            "screening_counts": "Screening counts (PRISMA)",
            "screening_log": "Screening log",
            "screening_conflicts": "Conflicts between reviewers",
            "screening_agreement": "Agreement between reviewers",
            "dataset_cases": "Dataset: one row per patient",
            "dataset_qc": "Quality checks of the dataset",
            "dataset_codebook": "Data dictionary of the dataset",
            "statistics_summary": "Results of sections 4.1-4.6, recomputed",
            "statistics_reconciliation": "Reconciliation of the published results",
            "statistics_characteristics": "Characteristics of the patients",
            "statistics_descriptive": "Descriptive table of every dataset column",
            "prisma_counts": "PRISMA 2020 counts (PRISMA2020 app upload format)",
            **OUTCOME_PAGE_TITLES,
        },
        notes={
            "dedup_counts": "null: the count was not reported (first version) or does not apply.",
            "screening_counts": "null: not reported by the first version's article "
            "(previous_version), or no search update yet (update).",
            "dataset_cases": "Empty cell: not described in the case report "
            "(never a guessed false).",
            "prisma_counts": "The rows of the PRISMA2020 template with the counts in column n "
            "(shown second); NA: not a number (not reported, or no such step in this review).",
            **OUTCOME_PAGE_NOTES,
        },
        first_columns={
            "prisma_counts": ["data", "n", "description"],
        },
    script:
        "../../scripts/report_pages.py"


REPORT_TARGETS = [*rules.report_pages.output]
