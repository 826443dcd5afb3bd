# Report pages: the review's HTML report (`snakemake --report results/report.html`) shows images,
# PDFs and HTML inline but offers TSV, CSV, Markdown and JSON only as downloads. So every table or
# document a reader of the review reads is also written, next to it, as a small self-contained
# HTML page (scripts/reviewflow/report/pages.py), which carries the caption of the file it shows.
# Each rule's named outputs are the pages of its inputs of the same name; titles and notes are
# given per name. Included after the stage rule files, whose outputs these rules read.


rule report_pages_search:
    input:
        search_report=rules.search_summary.output.report,
    output:
        search_report=report(
            f"{RESULTS}/search/search_report.html",
            caption="../report/search/search_report.rst",
            category=REPORT_SEARCH,
        ),
    log:
        f"{LOGS}/report_pages_search/report_pages_search.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_search.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={"search_report": "Search report (PRISMA-S)"},
        notes={},
    script:
        "../../scripts/report_pages.py"


rule report_pages_dedup:
    input:
        counts=rules.dedup.output.counts,
        duplicates=rules.dedup.output.duplicates,
        uncertain=rules.dedup.output.uncertain,
        related=rules.dedup.output.related,
    output:
        counts=report(
            f"{RESULTS}/dedup/dedup_counts.html",
            caption="../report/dedup/dedup_counts.rst",
            category=REPORT_DEDUP,
        ),
        duplicates=report(
            f"{RESULTS}/dedup/duplicates.html",
            caption="../report/dedup/duplicates.rst",
            category=REPORT_DEDUP,
        ),
        uncertain=report(
            f"{RESULTS}/dedup/uncertain_pairs.html",
            caption="../report/dedup/uncertain_pairs.rst",
            category=REPORT_DEDUP,
        ),
        related=report(
            f"{RESULTS}/dedup/related_versions.html",
            caption="../report/dedup/related_versions.rst",
            category=REPORT_DEDUP,
        ),
    log:
        f"{LOGS}/report_pages_dedup/report_pages_dedup.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_dedup.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={
            "counts": "Deduplication counts per search window",
            "duplicates": "Duplicate records removed",
            "uncertain": "Uncertain pairs (for reviewers)",
            "related": "Related versions (preprints and their published versions)",
        },
        notes={
            "counts": "null: the count was not reported (first version) or does not apply.",
        },
    script:
        "../../scripts/report_pages.py"


rule report_pages_screening:
    input:
        counts=rules.screen_records.output.counts,
        log=rules.screen_records.output.log,
        conflicts=rules.screen_records.output.conflicts,
        agreement=rules.screen_records.output.agreement,
    output:
        counts=report(
            f"{SCREENING}/counts.html",
            caption="../report/screening/counts.rst",
            category=REPORT_SCREENING,
        ),
        log=report(
            f"{SCREENING}/screening_log.html",
            caption="../report/screening/screening_log.rst",
            category=REPORT_SCREENING,
        ),
        conflicts=report(
            f"{SCREENING}/conflicts.html",
            caption="../report/screening/conflicts.rst",
            category=REPORT_SCREENING,
        ),
        agreement=report(
            f"{SCREENING}/agreement.html",
            caption="../report/screening/agreement.rst",
            category=REPORT_SCREENING,
        ),
    log:
        f"{LOGS}/report_pages_screening/report_pages_screening.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_screening.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={
            "counts": "Screening counts (PRISMA)",
            "log": "Screening log",
            "conflicts": "Conflicts between reviewers",
            "agreement": "Agreement between reviewers",
        },
        notes={
            "counts": "null: not reported by the first version's article (previous_version), "
            "or no search update yet (update).",
        },
    script:
        "../../scripts/report_pages.py"


rule report_pages_dataset:
    input:
        cases=rules.dataset_harmonise.output.cases,
        qc=rules.dataset_harmonise.output.qc,
        codebook=rules.dataset_codebook.output[0],
    output:
        cases=report(
            f"{RESULTS}/dataset/cases.html",
            caption="../report/dataset/cases.rst",
            category=REPORT_DATASET,
        ),
        qc=report(
            f"{RESULTS}/dataset/qc_issues.html",
            caption="../report/dataset/qc_issues.rst",
            category=REPORT_DATASET,
        ),
        codebook=report(
            f"{RESULTS}/dataset/codebook.html",
            caption="../report/dataset/codebook.rst",
            category=REPORT_DATASET,
        ),
    log:
        f"{LOGS}/report_pages_dataset/report_pages_dataset.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_dataset.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={
            "cases": "Dataset: one row per patient",
            "qc": "Quality checks of the dataset",
            "codebook": "Data dictionary of the dataset",
        },
        notes={
            "cases": "Empty cell: not described in the case report (never a guessed false).",
        },
    script:
        "../../scripts/report_pages.py"


rule report_pages_statistics:
    input:
        summary=rules.statistics_summary.output.summary,
        reconciliation=rules.reconciliation.output.markdown,
        characteristics=rules.characteristics.output.markdown,
        descriptive=rules.descriptive.output.markdown,
    output:
        summary=report(
            f"{STATISTICS_DIR}/summary.html",
            caption="../report/statistics/summary.rst",
            category=REPORT_STATISTICS,
        ),
        reconciliation=report(
            f"{STATISTICS_DIR}/reconciliation.html",
            caption="../report/statistics/reconciliation.rst",
            category=REPORT_STATISTICS,
        ),
        characteristics=report(
            f"{STATISTICS_DIR}/characteristics.html",
            caption="../report/statistics/characteristics.rst",
            category=REPORT_STATISTICS,
        ),
        descriptive=report(
            f"{STATISTICS_DIR}/descriptive.html",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
    log:
        f"{LOGS}/report_pages_statistics/report_pages_statistics.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_statistics.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={
            "summary": "Results of sections 4.1-4.6, recomputed",
            "reconciliation": "Reconciliation of the published results",
            "characteristics": "Characteristics of the patients",
            "descriptive": "Descriptive table of every dataset column",
        },
        notes={},
    script:
        "../../scripts/report_pages.py"


rule report_pages_prisma:
    input:
        counts=rules.prisma.output.counts,
    output:
        counts=report(
            f"{RESULTS}/prisma/prisma_counts.html",
            caption="../report/prisma/prisma_counts.rst",
            category=REPORT_PRISMA,
        ),
    log:
        f"{LOGS}/report_pages_prisma/report_pages_prisma.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_prisma.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={"counts": "PRISMA 2020 counts (PRISMA2020 app upload format)"},
        notes={
            "counts": "The rows of the PRISMA2020 template with the counts in column n "
            "(shown second); NA: not a number (not reported, or no such step in this review).",
        },
        first_columns={"counts": ["data", "n", "description"]},
    script:
        "../../scripts/report_pages.py"


rule report_pages_outcome:
    input:
        outcome=rules.statistics_outcome.output.markdown,
    output:
        outcome=report(
            f"{OUTCOMES_DIR}/{{name}}.html",
            caption="../report/statistics/outcome.rst",
            category=REPORT_STATISTICS,
        ),
    log:
        f"{LOGS}/report_pages_outcome/{{name}}.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_outcome/{{name}}.tsv"
    wildcard_constraints:
        name="|".join(STATISTICS_OUTCOMES) or "(?!)",
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={"outcome": "Outcome analysis (usable patients and estimates)"},
        notes={},
    script:
        "../../scripts/report_pages.py"


rule report_pages_outcomes_usable:
    input:
        table=rules.statistics_outcomes_usable.output.table,
    output:
        table=report(
            f"{STATISTICS_DIR}/outcomes_usable_n.html",
            caption="../report/statistics/outcomes_usable_n.rst",
            category=REPORT_STATISTICS,
        ),
    log:
        f"{LOGS}/report_pages_outcomes_usable/report_pages_outcomes_usable.log",
    benchmark:
        f"{BENCHMARKS}/report_pages_outcomes_usable.tsv"
    conda:
        "../../envs/report.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        titles={"table": "Usable patients of every outcome analysis"},
        notes={
            "table": "One row per patient an analysis left out, with the reasons; an analysis "
            "that used every patient has one row with an empty case_id.",
        },
    script:
        "../../scripts/report_pages.py"


REPORT_TARGETS = [
    *rules.report_pages_search.output,
    *rules.report_pages_dedup.output,
    *rules.report_pages_screening.output,
    *rules.report_pages_dataset.output,
    *rules.report_pages_statistics.output,
    *rules.report_pages_prisma.output,
    *expand(f"{OUTCOMES_DIR}/{{name}}.html", name=STATISTICS_OUTCOMES),
    *([f"{STATISTICS_DIR}/outcomes_usable_n.html"] if STATISTICS_OUTCOMES else []),
]
