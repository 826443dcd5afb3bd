"""Rule extraction_template: the blank extraction workbook, generated from the codebook."""

import sys

from reviewflow.codebook import load_codebook
from reviewflow.errors import InputProblems
from reviewflow.workbook import write_workbook

with open(snakemake.log[0], "w", encoding="utf-8") as log:
    try:
        codebook = load_codebook(snakemake.input.codebook)
        write_workbook(codebook, snakemake.output[0])
    except InputProblems as problems:
        print(problems, file=log)
        print(problems, file=sys.stderr)
        sys.exit(1)
    print(f"{snakemake.output[0]}: blank template of {codebook.path}", file=log)
