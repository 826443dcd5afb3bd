# Report pages: the review's HTML report (`snakemake --report results/report.html`) shows images,
# PDFs and HTML inline but offers TSV, CSV, Markdown and JSON only as downloads. So every table or
# document a reader of the review reads is also written, next to it, as a small self-contained
# HTML page (scripts/reviewflow/report/pages.py), which carries the caption of the file it shows.
# The rule's named outputs are the pages of its inputs of the same name; titles and notes are
# given per name. Included after the stage rule files, whose outputs it reads. The pages of the
# search, dedup, screening and PRISMA files are made in one job: each page takes milliseconds, a
# job of its own a Python start and the pandas import. The jobs a workbook edit re-runs write
# their pages themselves (dataset_harmonise, statistics: a cell edited starts no job for pages);
# so do the appraisal and double extraction, which a workbook edit does not re-run.


rule report_pages:
    input:
        search_report=rules.search.output.report,
        dedup_counts=rules.dedup.output.counts,
        dedup_duplicates=rules.dedup.output.duplicates,
        dedup_uncertain=rules.dedup.output.uncertain,
        dedup_related=rules.dedup.output.related,
        screening_counts=rules.screening.output.counts,
        screening_log=rules.screening.output.log,
        screening_conflicts=rules.screening.output.conflicts,
        screening_agreement=rules.screening.output.agreement,
        prisma_counts=rules.prisma.output.counts,
    output:
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
            "prisma_counts": "PRISMA 2020 counts (PRISMA2020 app upload format)",
        },
        notes={
            "dedup_counts": "null: the count was not reported (first version) or does not apply.",
            "screening_counts": "null: not reported by the first version's article "
            "(previous_version), or no search update yet (update).",
            "prisma_counts": "The rows of the PRISMA2020 template with the counts in column n "
            "(shown second); NA: not a number (not reported, or no such step in this review).",
        },
        first_columns={
            "prisma_counts": ["data", "n", "description"],
        },
    script:
        "../../scripts/report_pages.py"


REPORT_TARGETS = [*rules.report_pages.output]
