"""Rule dataset_harmonise: (single extraction) the reviewers' workbook validated, its raw values
and cells -> results/extraction/cases.tsv, studies.tsv and the workbook's digest; then the raw
values -> results/dataset/cases.csv, qc_issues.tsv and not_reported.tsv; datapackage.json,
written only once it validates cases.csv; the data dictionary codebook.md (from the codebook and
vocabulary); the report's page of each of these three (params.page_titles)."""

import logging

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.dataset.build import (
    build_dataset,
    data_dictionary,
    not_reported_frame,
    write_package,
)
from reviewflow.dataset.definitions import load_definitions
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.raw import read_raw_table
from reviewflow.extraction.workbook import read_workbook
from reviewflow.report.pages import write_own_pages

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook = load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    vocabulary = codebook.vocabulary
    # the named conditions and parameters the codebook's consistency checks may use
    definitions = load_definitions(snakemake.input.definitions, codebook)
    if "workbook" in snakemake.input.keys():  # single extraction: the raw tables are written here
        sheets = read_workbook(snakemake.input.workbook, codebook)
        for name in ("cases", "studies"):
            write_table(sheets[name].to_frame(), snakemake.output[f"raw_{name}"])
            logging.info("%s: %d rows", snakemake.output[f"raw_{name}"], len(sheets[name].rows))
        write_text(snakemake.params.digest + "\n", snakemake.output.workbook_digest)
    # read back as written (formula guards undone), as double extraction's tables are
    cases = read_raw_table(snakemake.output.get("raw_cases") or snakemake.input.raw_cases, "cases")
    studies = read_raw_table(
        snakemake.output.get("raw_studies") or snakemake.input.raw_studies, "studies"
    )
    dataset, qc = build_dataset(cases, studies, codebook, vocabulary, definitions)
    write_table(dataset, snakemake.output.cases)
    write_table(qc, snakemake.output.qc)
    write_table(not_reported_frame(cases, codebook), snakemake.output.not_reported)
    write_package(
        codebook, snakemake.params.title, snakemake.output.cases, snakemake.output.package
    )
    write_text(data_dictionary(codebook, vocabulary), snakemake.output.codebook)
    write_own_pages(snakemake.output, snakemake.params.page_titles, snakemake.params.page_notes)
logging.info("%s: %d patients", snakemake.output.cases, len(dataset))
logging.info(
    "%s: %d issues %s", snakemake.output.qc, len(qc), qc["severity"].value_counts().to_dict()
)
logging.info("%s: valid for %s", snakemake.output.package, snakemake.output.cases)
logging.info("%s: %d columns", snakemake.output.codebook, len(codebook.columns))
