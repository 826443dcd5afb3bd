"""Rule dataset_codebook: the data dictionary (codebook.md) from the codebook and vocabulary."""

import sys

from reviewflow.codebook import load_codebook
from reviewflow.dataset import data_dictionary
from reviewflow.errors import InputProblems
from reviewflow.harmonise import load_vocabulary
from reviewflow.io import write_text

with open(snakemake.log[0], "w", encoding="utf-8") as log:
    try:
        codebook = load_codebook(snakemake.input.codebook)
        vocabulary = load_vocabulary(snakemake.input.vocabulary, codebook)
    except InputProblems as problems:
        print(problems, file=log)
        print(problems, file=sys.stderr)
        sys.exit(1)
    write_text(data_dictionary(codebook, vocabulary), snakemake.output[0])
    print(f"{snakemake.output[0]}: {len(codebook.columns)} columns", file=log)
