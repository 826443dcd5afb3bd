# Stage: statistics. See ARCHITECTURE.md for its inputs and outputs.
# From the harmonised dataset: the results of sections 4.1-4.6 (summary), their reconciliation
# with the published figures (config/reported_results.yaml), the characteristics table and figures.

STATISTICS_CASES = f"{RESULTS}/dataset/cases.csv"
STATISTICS_DIR = f"{RESULTS}/statistics"
FIGURES_DIR = f"{RESULTS}/figures"
STATISTICS_FIGURES = ["levels", "symptoms", "treatments_outcomes", "case_overview"]
STATISTICS_REPORTED = config["statistics"]["reported_results"]
STATISTICS_REPORTED_SCHEMA = f"{workflow.basedir}/workflow/schemas/reported_results.schema.yaml"

STATISTICS_TARGETS = [
    f"{STATISTICS_DIR}/summary.tsv",
    f"{STATISTICS_DIR}/reconciliation.tsv",
    f"{STATISTICS_DIR}/reconciliation.md",
    f"{STATISTICS_DIR}/characteristics.md",
    f"{STATISTICS_DIR}/characteristics.xlsx",
    *expand(f"{FIGURES_DIR}/{{name}}.{{ext}}", name=STATISTICS_FIGURES, ext=["svg", "png"]),
]


rule statistics_summary:
    input:
        cases=STATISTICS_CASES,
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
        reported=STATISTICS_REPORTED,
    output:
        summary=report(
            f"{STATISTICS_DIR}/summary.tsv",
            caption="../report/statistics/summary.rst",
            category=REPORT_STATISTICS,
        ),
    params:
        schema=STATISTICS_REPORTED_SCHEMA,
        quantile_method=config["statistics"]["quantile_method"],
        normality_alpha=config["statistics"]["normality_alpha"],
        outlier_iqr_factor=config["statistics"]["outlier_iqr_factor"],
    log:
        f"{LOGS}/statistics_summary/statistics_summary.log",
    benchmark:
        f"{BENCHMARKS}/statistics_summary.tsv"
    conda:
        "../../envs/statistics.yaml"
    script:
        "../../scripts/statistics_summary.py"


rule reconciliation:
    input:
        cases=STATISTICS_CASES,
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
        reported=STATISTICS_REPORTED,
        raw=f"{RESULTS}/extraction/cases.tsv",
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
    params:
        schema=STATISTICS_REPORTED_SCHEMA,
        quantile_method=config["statistics"]["quantile_method"],
        normality_alpha=config["statistics"]["normality_alpha"],
        outlier_iqr_factor=config["statistics"]["outlier_iqr_factor"],
    log:
        f"{LOGS}/reconciliation/reconciliation.log",
    benchmark:
        f"{BENCHMARKS}/reconciliation.tsv"
    conda:
        "../../envs/statistics.yaml"
    script:
        "../../scripts/reconciliation.py"


rule characteristics:
    input:
        cases=STATISTICS_CASES,
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
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
    params:
        settings=config["statistics"],
    log:
        f"{LOGS}/characteristics/characteristics.log",
    benchmark:
        f"{BENCHMARKS}/characteristics.tsv"
    conda:
        "../../envs/statistics.yaml"
    script:
        "../../scripts/characteristics.py"


rule statistics_figures:
    input:
        cases=STATISTICS_CASES,
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
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
    script:
        "../../scripts/statistics_figures.py"
