# Stage: statistics. See ARCHITECTURE.md for its inputs and outputs.
# From the harmonised dataset: the results of sections 4.1-4.6 (summary), their reconciliation
# with the published figures (config/reported_results.yaml), the descriptive table of every
# dataset column, and the characteristics table and figures the analysis file declares
# (config/analysis.yaml), with its sensitivity analyses, and its outcome analyses (survival,
# comparisons between groups, Firth regression). All in one job: they read the same dataset, and
# a job's cost is mostly its Python start and imports (pandas, scipy, matplotlib), not the work.
from reviewflow.core.rule_inputs import (
    figure_names,
    not_reported_inputs,
    optional_inputs,
    outcome_names,
)

STATISTICS_CASES = f"{RESULTS}/dataset/cases.csv"
STATISTICS_DIR = f"{RESULTS}/statistics"
FIGURES_DIR = f"{RESULTS}/figures"
STATISTICS_REPORTED = config["statistics"]["reported_results"]
STATISTICS_REPORTED_SCHEMA = buildcheck.short_path(
    f"{WORKFLOW_DIR}/workflow/schemas/reported_results.schema.yaml"
)
ANALYSIS = config["statistics"]["analysis"]
ANALYSIS_INPUTS = {
    "cases": STATISTICS_CASES,
    "codebook": config["extraction"]["codebook"],
    "vocabulary": config["dataset"]["vocabulary"],
    "definitions": config["review"]["definitions"],
    "analysis": ANALYSIS,
    "schema": buildcheck.short_path(f"{WORKFLOW_DIR}/workflow/schemas/analysis.schema.yaml"),
}
# How numbers are summarised (their one owner: config.yaml's `statistics`), as the tables use them.
STATISTICS_SETTINGS = {
    key: config["statistics"][key] for key in ("normality_alpha", "quantile_method")
}
# The figures the analysis file declares.
STATISTICS_FIGURES = figure_names(ANALYSIS)
# The outcome analyses; a Kaplan-Meier figure for each survival analysis.
OUTCOMES_DIR = f"{STATISTICS_DIR}/outcomes"
STATISTICS_OUTCOMES = outcome_names(ANALYSIS)
STATISTICS_SURVIVAL = outcome_names(ANALYSIS, "survival")

# Every table, figure and outcome analysis of the stage in one job (issue 21: six jobs imported
# pandas and scipy six times, to do milliseconds of work each). The figures' and the outcome
# analyses' outputs exist only when the analysis file declares some.
STATISTICS_FIGURE_OUTPUTS = (
    {
        "figures_svg": report(
            expand(f"{FIGURES_DIR}/{{name}}.svg", name=STATISTICS_FIGURES),
            caption="../report/statistics/figures.rst",
            category=REPORT_FIGURES,
        ),
        "figures_png": expand(f"{FIGURES_DIR}/{{name}}.png", name=STATISTICS_FIGURES),
    }
    if STATISTICS_FIGURES
    else {}
)
# Per outcome analysis its contract (JSON) and page (Markdown), a Kaplan-Meier figure per
# survival analysis, and the usable-n table.
STATISTICS_OUTCOME_OUTPUTS = (
    {
        "outcomes_json": expand(f"{OUTCOMES_DIR}/{{name}}.json", name=STATISTICS_OUTCOMES),
        "outcomes_markdown": expand(f"{OUTCOMES_DIR}/{{name}}.md", name=STATISTICS_OUTCOMES),
        "outcomes_svg": report(
            expand(f"{OUTCOMES_DIR}/{{name}}.svg", name=STATISTICS_SURVIVAL),
            caption="../report/statistics/outcome_figure.rst",
            category=REPORT_FIGURES,
        ),
        "outcomes_png": expand(f"{OUTCOMES_DIR}/{{name}}.png", name=STATISTICS_SURVIVAL),
        "outcomes_usable": report(
            f"{STATISTICS_DIR}/outcomes_usable_n.tsv",
            caption="../report/statistics/outcomes_usable_n.rst",
            category=REPORT_STATISTICS,
        ),
        "outcomes_page": report(
            expand(f"{OUTCOMES_DIR}/{{name}}.html", name=STATISTICS_OUTCOMES),
            caption="../report/statistics/outcome.rst",
            category=REPORT_STATISTICS,
        ),
        "outcomes_usable_page": report(
            f"{STATISTICS_DIR}/outcomes_usable_n.html",
            caption="../report/statistics/outcomes_usable_n.rst",
            category=REPORT_STATISTICS,
        ),
    }
    if STATISTICS_OUTCOMES
    else {}
)
# The report's pages of the stage's tables and documents, written by the job that writes them (a
# cell edited starts no job of its own for pages): title and note by output name; the page is the
# output `<name>_page`; an outcome analysis's page shows its Markdown.
STATISTICS_PAGE_TITLES = {
    "summary": "Results of sections 4.1-4.6, recomputed",
    "reconciliation_markdown": "Reconciliation of the published results",
    "characteristics_markdown": "Characteristics of the patients",
    "descriptive_markdown": "Descriptive table of every dataset column",
    **(
        {"outcomes_usable": "Usable patients of every outcome analysis"}
        if STATISTICS_OUTCOMES
        else {}
    ),
}
STATISTICS_PAGE_NOTES = {
    "outcomes_usable": "One row per patient an analysis left out, with the reasons; "
    "an analysis that used every patient has one row with an empty case_id.",
}
OUTCOME_PAGE_TITLES = {
    name: f"Outcome analysis {name} (usable patients and estimates)" for name in STATISTICS_OUTCOMES
}


rule statistics:
    input:
        **ANALYSIS_INPUTS,
        # which not-reported meaning each empty cell had (when the codebook declares them)
        not_reported=not_reported_inputs(
            config["extraction"]["codebook"], f"{RESULTS}/dataset/not_reported.tsv"
        ),
        reported=STATISTICS_REPORTED,
        raw=f"{RESULTS}/extraction/cases.tsv",
        # The appraisal (contract C5) when the analysis file reads it (optional until it exists).
        quality=optional_inputs(ANALYSIS),
    output:
        **STATISTICS_FIGURE_OUTPUTS,
        **STATISTICS_OUTCOME_OUTPUTS,
        summary=report(
            f"{STATISTICS_DIR}/summary.tsv",
            caption="../report/statistics/summary.rst",
            category=REPORT_STATISTICS,
        ),
        # every figure with its readings, computed once; the reconciliation reads it back
        computed=f"{STATISTICS_DIR}/items.json",
        reconciliation_table=report(
            f"{STATISTICS_DIR}/reconciliation.tsv",
            caption="../report/statistics/reconciliation.rst",
            category=REPORT_STATISTICS,
        ),
        reconciliation_markdown=report(
            f"{STATISTICS_DIR}/reconciliation.md",
            caption="../report/statistics/reconciliation.rst",
            category=REPORT_STATISTICS,
        ),
        descriptive_table=report(
            f"{STATISTICS_DIR}/descriptive.tsv",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
        descriptive_markdown=report(
            f"{STATISTICS_DIR}/descriptive.md",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
        descriptive_xlsx=report(
            f"{STATISTICS_DIR}/descriptive.xlsx",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
        characteristics_markdown=report(
            f"{STATISTICS_DIR}/characteristics.md",
            caption="../report/statistics/characteristics.rst",
            category=REPORT_STATISTICS,
        ),
        characteristics_xlsx=report(
            f"{STATISTICS_DIR}/characteristics.xlsx",
            caption="../report/statistics/characteristics.rst",
            category=REPORT_STATISTICS,
        ),
        summary_page=report(
            f"{STATISTICS_DIR}/summary.html",
            caption="../report/statistics/summary.rst",
            category=REPORT_STATISTICS,
        ),
        reconciliation_markdown_page=report(
            f"{STATISTICS_DIR}/reconciliation.html",
            caption="../report/statistics/reconciliation.rst",
            category=REPORT_STATISTICS,
        ),
        characteristics_markdown_page=report(
            f"{STATISTICS_DIR}/characteristics.html",
            caption="../report/statistics/characteristics.rst",
            category=REPORT_STATISTICS,
        ),
        descriptive_markdown_page=report(
            f"{STATISTICS_DIR}/descriptive.html",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
    log:
        f"{LOGS}/statistics/statistics.log",
    benchmark:
        f"{BENCHMARKS}/statistics.tsv"
    conda:
        "../../envs/statistics.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        # the reported-results file's schema (the analysis file's is input.schema)
        schema=STATISTICS_REPORTED_SCHEMA,
        quantile_method=config["statistics"]["quantile_method"],
        normality_alpha=config["statistics"]["normality_alpha"],
        outlier_iqr_factor=config["statistics"]["outlier_iqr_factor"],
        statistics=STATISTICS_SETTINGS,
        cache=CONTENT_CACHE,
        page_titles=STATISTICS_PAGE_TITLES,
        page_notes=STATISTICS_PAGE_NOTES,
        outcome_page_titles=OUTCOME_PAGE_TITLES,
    # not scripts/statistics.py: with scripts/ on the path it would hide the standard library's
    # statistics module (which frictionless imports)
    script:
        "../../scripts/statistics_stage.py"


# every output of the stage: its tables, figures, outcome analyses and their pages
STATISTICS_TARGETS = [*rules.statistics.output]
