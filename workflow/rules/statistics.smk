# Stage: statistics. See ARCHITECTURE.md for its inputs and outputs.
# From the harmonised dataset: the results of sections 4.1-4.6 (summary), their reconciliation
# with the published figures (config/reported_results.yaml), the descriptive table of every
# dataset column, and the characteristics table and figures the analysis file declares
# (config/analysis.yaml), with its sensitivity analyses, and its outcome analyses (survival,
# comparisons between groups, Firth regression; one job each).
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
STATISTICS_REPORTED_SCHEMA = f"{WORKFLOW_DIR}/workflow/schemas/reported_results.schema.yaml"
ANALYSIS = config["statistics"]["analysis"]
ANALYSIS_INPUTS = {
    "cases": STATISTICS_CASES,
    "codebook": config["extraction"]["codebook"],
    "vocabulary": config["dataset"]["vocabulary"],
    "definitions": config["review"]["definitions"],
    "analysis": ANALYSIS,
    "schema": f"{WORKFLOW_DIR}/workflow/schemas/analysis.schema.yaml",
}
# How numbers are summarised (their one owner: config.yaml's `statistics`), as the tables use them.
STATISTICS_SETTINGS = {
    key: config["statistics"][key] for key in ("normality_alpha", "quantile_method")
}
# The figures the analysis file declares.
STATISTICS_FIGURES = figure_names(ANALYSIS)
# One job per outcome analysis; a Kaplan-Meier figure for each survival analysis.
OUTCOMES_DIR = f"{STATISTICS_DIR}/outcomes"
STATISTICS_OUTCOMES = outcome_names(ANALYSIS)
STATISTICS_SURVIVAL = outcome_names(ANALYSIS, "survival")

STATISTICS_TARGETS = [
    f"{STATISTICS_DIR}/summary.tsv",
    f"{STATISTICS_DIR}/reconciliation.tsv",
    f"{STATISTICS_DIR}/reconciliation.md",
    f"{STATISTICS_DIR}/characteristics.md",
    f"{STATISTICS_DIR}/characteristics.xlsx",
    f"{STATISTICS_DIR}/descriptive.tsv",
    f"{STATISTICS_DIR}/descriptive.md",
    f"{STATISTICS_DIR}/descriptive.xlsx",
    *expand(f"{FIGURES_DIR}/{{name}}.{{ext}}", name=STATISTICS_FIGURES, ext=["svg", "png"]),
    *expand(f"{OUTCOMES_DIR}/{{name}}.{{ext}}", name=STATISTICS_OUTCOMES, ext=["json", "md"]),
    *expand(f"{OUTCOMES_DIR}/{{name}}.{{ext}}", name=STATISTICS_SURVIVAL, ext=["svg", "png"]),
    *([f"{STATISTICS_DIR}/outcomes_usable_n.tsv"] if STATISTICS_OUTCOMES else []),
]


rule statistics_summary:
    input:
        cases=STATISTICS_CASES,
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
        definitions=config["review"]["definitions"],
        reported=STATISTICS_REPORTED,
        raw=f"{RESULTS}/extraction/cases.tsv",
    output:
        summary=report(
            f"{STATISTICS_DIR}/summary.tsv",
            caption="../report/statistics/summary.rst",
            category=REPORT_STATISTICS,
        ),
        # every figure with its readings, computed once here and consumed by reconciliation
        computed=f"{STATISTICS_DIR}/items.json",
    log:
        f"{LOGS}/statistics_summary/statistics_summary.log",
    benchmark:
        f"{BENCHMARKS}/statistics_summary.tsv"
    conda:
        "../../envs/statistics.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        schema=STATISTICS_REPORTED_SCHEMA,
        quantile_method=config["statistics"]["quantile_method"],
        normality_alpha=config["statistics"]["normality_alpha"],
        outlier_iqr_factor=config["statistics"]["outlier_iqr_factor"],
    script:
        "../../scripts/statistics_summary.py"


rule reconciliation:
    input:
        computed=rules.statistics_summary.output.computed,
        reported=STATISTICS_REPORTED,
    output:
        table=report(
            f"{STATISTICS_DIR}/reconciliation.tsv",
            caption="../report/statistics/reconciliation.rst",
            category=REPORT_STATISTICS,
        ),
        markdown=report(
            f"{STATISTICS_DIR}/reconciliation.md",
            caption="../report/statistics/reconciliation.rst",
            category=REPORT_STATISTICS,
        ),
    log:
        f"{LOGS}/reconciliation/reconciliation.log",
    benchmark:
        f"{BENCHMARKS}/reconciliation.tsv"
    conda:
        "../../envs/statistics.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        schema=STATISTICS_REPORTED_SCHEMA,
    script:
        "../../scripts/reconciliation.py"


rule descriptive:
    input:
        **ANALYSIS_INPUTS,
        # which not-reported meaning each empty cell had (when the codebook declares them)
        not_reported=not_reported_inputs(
            config["extraction"]["codebook"], f"{RESULTS}/dataset/not_reported.tsv"
        ),
        # The appraisal (contract C5) when the analysis file reads it (optional until it exists).
        quality=optional_inputs(ANALYSIS),
    output:
        table=report(
            f"{STATISTICS_DIR}/descriptive.tsv",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
        markdown=report(
            f"{STATISTICS_DIR}/descriptive.md",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
        xlsx=report(
            f"{STATISTICS_DIR}/descriptive.xlsx",
            caption="../report/statistics/descriptive.rst",
            category=REPORT_STATISTICS,
        ),
    log:
        f"{LOGS}/descriptive/descriptive.log",
    benchmark:
        f"{BENCHMARKS}/descriptive.tsv"
    conda:
        "../../envs/statistics.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        statistics=STATISTICS_SETTINGS,
    script:
        "../../scripts/descriptive.py"


rule characteristics:
    input:
        **ANALYSIS_INPUTS,
        quality=optional_inputs(ANALYSIS),
    output:
        markdown=report(
            f"{STATISTICS_DIR}/characteristics.md",
            caption="../report/statistics/characteristics.rst",
            category=REPORT_STATISTICS,
        ),
        xlsx=report(
            f"{STATISTICS_DIR}/characteristics.xlsx",
            caption="../report/statistics/characteristics.rst",
            category=REPORT_STATISTICS,
        ),
    log:
        f"{LOGS}/characteristics/characteristics.log",
    benchmark:
        f"{BENCHMARKS}/characteristics.tsv"
    conda:
        "../../envs/statistics.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        statistics=STATISTICS_SETTINGS,
    script:
        "../../scripts/characteristics.py"


# The declared figures in one job (they read the same inputs, so they are always drawn together).
if STATISTICS_FIGURES:

    rule statistics_figures:
        input:
            **ANALYSIS_INPUTS,
        output:
            svg=report(
                expand(f"{FIGURES_DIR}/{{name}}.svg", name=STATISTICS_FIGURES),
                caption="../report/statistics/figures.rst",
                category=REPORT_FIGURES,
            ),
            png=expand(f"{FIGURES_DIR}/{{name}}.png", name=STATISTICS_FIGURES),
        log:
            f"{LOGS}/statistics_figures/statistics_figures.log",
        benchmark:
            f"{BENCHMARKS}/statistics_figures.tsv"
        conda:
            "../../envs/statistics.yaml"
        resources:
            mem_mb=1000,
            runtime=5,
        script:
            "../../scripts/statistics_figures.py"


# The declared outcome analyses in one job (they read the same files): per analysis its contract
# (JSON) and page (Markdown), a Kaplan-Meier figure per survival analysis, and the usable-n table.
if STATISTICS_OUTCOMES:

    rule statistics_outcomes:
        input:
            **ANALYSIS_INPUTS,
        output:
            json=expand(f"{OUTCOMES_DIR}/{{name}}.json", name=STATISTICS_OUTCOMES),
            markdown=expand(f"{OUTCOMES_DIR}/{{name}}.md", name=STATISTICS_OUTCOMES),
            svg=report(
                expand(f"{OUTCOMES_DIR}/{{name}}.svg", name=STATISTICS_SURVIVAL),
                caption="../report/statistics/outcome_figure.rst",
                category=REPORT_FIGURES,
            ),
            png=expand(f"{OUTCOMES_DIR}/{{name}}.png", name=STATISTICS_SURVIVAL),
            usable=report(
                f"{STATISTICS_DIR}/outcomes_usable_n.tsv",
                caption="../report/statistics/outcomes_usable_n.rst",
                category=REPORT_STATISTICS,
            ),
        log:
            f"{LOGS}/statistics_outcomes/statistics_outcomes.log",
        benchmark:
            f"{BENCHMARKS}/statistics_outcomes.tsv"
        conda:
            "../../envs/statistics.yaml"
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            statistics=STATISTICS_SETTINGS,
        script:
            "../../scripts/statistics_outcomes.py"
