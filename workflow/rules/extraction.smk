# Stage: extraction. See ARCHITECTURE.md for its inputs and outputs.
# The reviewers' workbook (extraction/cases.xlsx) is validated against the codebook and its raw
# values, exactly as typed, are written with their cell addresses; a blank template for new
# reviews or reviewers is generated from the codebook.


rule extraction_template:
    input:
        codebook=config["extraction"]["codebook"],
    output:
        f"{RESULTS}/templates/cases_template.xlsx",
    log:
        f"{LOGS}/extraction_template/extraction_template.log",
    benchmark:
        f"{BENCHMARKS}/extraction_template.tsv"
    conda:
        "../../envs/extraction.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/extraction_template.py"


# Single extraction (from extraction.workbook: rule dataset_harmonise reads it, see dataset.smk)
# and double extraction (double_extraction.smk, with extraction.extractors) are never both
# active: only one rule makes the raw tables, so whatever reads them always follows the one that
# was rebuilt.
_extraction_problems = buildcheck.extraction_mode_problems(config, CONFIG_FILES)
if _extraction_problems:
    raise buildcheck.BuildStop("The extraction cannot be used", _extraction_problems)

EXTRACTION_TARGETS = [*rules.extraction_template.output]

# A workbook saved again without a change gets new bytes and a new time stamp, but the same
# content (sheets, cells, formats, hidden and merged cells: buildcheck.workbook_content, whichever
# program saved it). Its digest is taken here and written by the rule that reads the workbook
# (params.digest); when the workbook still holds what was last read, its time stamp is ignored
# (ancient), so that nothing after the extraction is rebuilt.
if SINGLE_EXTRACTION:  # common.smk
    EXTRACTION_WORKBOOK = config["extraction"]["workbook"]
    EXTRACTION_DIGEST = f"{RESULTS}/extraction/workbook_digest.txt"
    EXTRACTION_CONTENT = buildcheck.workbook_digest(EXTRACTION_WORKBOOK)
    if EXTRACTION_CONTENT and buildcheck.recorded_digest(EXTRACTION_DIGEST) == EXTRACTION_CONTENT:
        EXTRACTION_WORKBOOK = ancient(EXTRACTION_WORKBOOK)
