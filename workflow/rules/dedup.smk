# Stage: dedup. See ARCHITECTURE.md for its inputs and outputs.
# Every record of every stored search window, matched against each other, against earlier
# windows and against the studies already included; reviewers settle the uncertain pairs in
# extraction/dedup_decisions.tsv (read here, never written).


rule dedup:
    input:
        records=f"{RESULTS}/search/records.tsv",
        search_counts=f"{RESULTS}/search/search_counts.json",
        studies=EXTRACTION_STUDIES,
        decisions=config["dedup"]["decisions"],
        first_version=config["review"]["first_version"],
        rules=buildcheck.short_path(f"{LIBRARY_DIR}/dedup/dedup_rules.yaml"),
    output:
        unique=report(
            f"{RESULTS}/dedup/unique_records.tsv",
            caption="../report/dedup/unique_records.rst",
            category=REPORT_DEDUP,
        ),
        duplicates=report(
            f"{RESULTS}/dedup/duplicates.tsv",
            caption="../report/dedup/duplicates.rst",
            category=REPORT_DEDUP,
        ),
        uncertain=report(
            f"{RESULTS}/dedup/uncertain_pairs.tsv",
            caption="../report/dedup/uncertain_pairs.rst",
            category=REPORT_DEDUP,
        ),
        counts=report(
            f"{RESULTS}/dedup/dedup_counts.json",
            caption="../report/dedup/dedup_counts.rst",
            category=REPORT_DEDUP,
        ),
        related=report(
            f"{RESULTS}/dedup/related_versions.tsv",
            caption="../report/dedup/related_versions.rst",
            category=REPORT_DEDUP,
        ),
        counts_page=report(
            f"{RESULTS}/dedup/dedup_counts.html",
            caption="../report/dedup/dedup_counts.rst",
            category=REPORT_DEDUP,
        ),
        duplicates_page=report(
            f"{RESULTS}/dedup/duplicates.html",
            caption="../report/dedup/duplicates.rst",
            category=REPORT_DEDUP,
        ),
        uncertain_page=report(
            f"{RESULTS}/dedup/uncertain_pairs.html",
            caption="../report/dedup/uncertain_pairs.rst",
            category=REPORT_DEDUP,
        ),
        related_page=report(
            f"{RESULTS}/dedup/related_versions.html",
            caption="../report/dedup/related_versions.rst",
            category=REPORT_DEDUP,
        ),
    log:
        f"{LOGS}/dedup/dedup.log",
    benchmark:
        f"{BENCHMARKS}/dedup.tsv"
    conda:
        "../../envs/dedup.yaml"
    resources:
        # the 100,000-record scale set of benchmarks/dedup.py needs more than the review's 362
        mem_mb=4000,
        runtime=60,
    params:
        page_titles={
            "counts": "Deduplication counts per search window",
            "duplicates": "Duplicate records removed",
            "uncertain": "Uncertain pairs (for reviewers)",
            "related": "Related versions (preprints and their published versions)",
        },
        page_notes={
            "counts": "null: the count was not reported (first version) or does not apply.",
        },
    script:
        "../../scripts/dedup.py"


DEDUP_TARGETS = [*rules.dedup.output]
