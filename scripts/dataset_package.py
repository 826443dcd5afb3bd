"""Rule dataset_package: datapackage.json, written only once it validates cases.csv."""

import sys

from reviewflow.codebook import load_codebook
from reviewflow.dataset import write_package
from reviewflow.errors import InputProblems

with open(snakemake.log[0], "w", encoding="utf-8") as log:
    try:
        codebook = load_codebook(snakemake.input.codebook)
        write_package(codebook, snakemake.params.title, snakemake.input.cases, snakemake.output[0])
    except InputProblems as problems:
        print(problems, file=log)
        print(problems, file=sys.stderr)
        sys.exit(1)
    print(f"{snakemake.output[0]}: valid for {snakemake.input.cases}", file=log)
