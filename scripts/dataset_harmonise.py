"""Rule dataset_harmonise: raw workbook values -> results/dataset/cases.csv and qc_issues.tsv."""

import sys

from reviewflow.codebook import load_codebook
from reviewflow.dataset import build_dataset
from reviewflow.errors import InputProblems
from reviewflow.harmonise import load_vocabulary
from reviewflow.io import write_table
from reviewflow.workbook import read_raw_table

with open(snakemake.log[0], "w", encoding="utf-8") as log:
    try:
        codebook = load_codebook(snakemake.input.codebook)
        vocabulary = load_vocabulary(snakemake.input.vocabulary, codebook)
        cases = read_raw_table(snakemake.input.cases, "cases")
        studies = read_raw_table(snakemake.input.studies, "studies")
        dataset, qc = build_dataset(cases, studies, codebook, vocabulary)
    except InputProblems as problems:
        print(problems, file=log)
        print(problems, file=sys.stderr)
        sys.exit(1)
    write_table(dataset, snakemake.output.cases)
    write_table(qc, snakemake.output.qc)
    counts = qc["severity"].value_counts().to_dict()
    print(f"{snakemake.output.cases}: {len(dataset)} patients", file=log)
    print(f"{snakemake.output.qc}: {len(qc)} issues {counts}", file=log)
