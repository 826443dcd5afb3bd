"""Rule extraction_read: validate the reviewers' workbook, write its raw values and cells."""

import sys

from reviewflow.codebook import load_codebook
from reviewflow.errors import InputProblems
from reviewflow.io import write_table
from reviewflow.workbook import read_workbook

with open(snakemake.log[0], "w", encoding="utf-8") as log:
    try:
        codebook = load_codebook(snakemake.input.codebook)
        sheets = read_workbook(snakemake.input.workbook, codebook)
    except InputProblems as problems:
        print(problems, file=log)
        print(problems, file=sys.stderr)
        sys.exit(1)
    for name in ("cases", "studies"):
        write_table(sheets[name].to_frame(), snakemake.output[name])
        print(f"{snakemake.output[name]}: {len(sheets[name].rows)} rows", file=log)
