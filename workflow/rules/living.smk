# Stage: living. See ARCHITECTURE.md for its inputs and outputs.
# The living review: What's new against the last published version (versions/v<N>/), the digest
# of the search windows since it (for the update's pull request), and the PRISMA 2020 / PRISMA-S
# / PRISMA-LSR checklists filled from the workflow. Included after every stage it reads.
from reviewflow.core.version_index import (
    last_published,
    published_numbers,
    read_versions,
    version_label,
)

# The review is living when it declares versions (config/versions.yaml, or a published version)
# or living-mode parameters (`living:` in config/config.yaml); a one-off review never calls
# itself living (the report's landing page, captions and checklists read this flag).
_LIVING = config.get("living") or {}
LIVING_DECLARED = bool(
    any(_LIVING.get(key) for key in ("search_schedule", "other_steps", "retirement"))
    or Path(_LIVING.get("versions", "config/versions.yaml")).is_file()
    or published_numbers(_LIVING.get("versions_dir", "versions"))
)
config["review"]["living"] = LIVING_DECLARED
if not LIVING_DECLARED:
    REPORT_LIVING = "8. What's new"  # the report's menu too calls no one-off review living

# A review without a `living:` section (e.g. one made by `reviewflow new-review`) has no versions
# and no living-mode parameters yet: the defaults say so.
config.setdefault("living", {})
config["living"].setdefault("versions", "config/versions.yaml")
config["living"].setdefault("versions_dir", "versions")
config["living"].setdefault("search_schedule", [])
config["living"].setdefault("other_steps", {})
config["living"].setdefault("retirement", "")

LIVING = f"{RESULTS}/living"
REPORTING = f"{RESULTS}/reporting"
VERSIONS_FILE = config["living"]["versions"]
VERSIONS_DIR = config["living"]["versions_dir"]
LAST_VERSION = last_published(VERSIONS_DIR)
# Every file of the last published version: a new publication reruns the comparison (the
# scripts find the version's folder from its version.json among them).
LAST_VERSION_FILES = sorted(str(p) for p in LAST_VERSION.iterdir()) if LAST_VERSION else []
# The descriptive table (contract C3) when the statistics stage makes it.
DESCRIPTIVE = [str(t) for t in STATISTICS_TARGETS if Path(str(t)).name == "descriptive.tsv"]
# The version this build is (for the report's landing page, which sees only the config).
VERSIONS_INPUT = [VERSIONS_FILE] if Path(VERSIONS_FILE).is_file() else []
config["review"]["version"] = version_label(
    read_versions(VERSIONS_FILE) if VERSIONS_INPUT else [], published_numbers(VERSIONS_DIR)
)
CHECKLIST_NAMES = ["prisma2020_checklist", "prisma_s_checklist", "prisma_lsr_items"]


# This build as What's new compares it with the last published version: its dataset and
# statistics files are read only when a version is published. Before the first one, an edit of a
# patient's cell reruns nothing of this stage (the checklists take the dataset's columns from
# the codebook, whose columns they are).
LIVING_COMPARED = (
    {
        "cases": f"{RESULTS}/dataset/cases.csv",
        "cases_raw": f"{RESULTS}/extraction/cases.tsv",
        "studies": EXTRACTION_STUDIES,
        "summary": f"{STATISTICS_DIR}/summary.tsv",
        "reconciliation": f"{STATISTICS_DIR}/reconciliation.tsv",
        "descriptive": DESCRIPTIVE,
    }
    if LAST_VERSION
    else {}
)


# The stage in one job (issue 21: three jobs imported pandas three times, to do milliseconds of
# work each): What's new first, then the update digest, then the checklists, which read What's new.
rule living:
    input:
        **LIVING_COMPARED,
        codebook=config["extraction"]["codebook"],
        vocabulary=config["dataset"]["vocabulary"],
        search_counts=f"{RESULTS}/search/search_counts.json",
        import_summary=f"{RESULTS}/search/import_summary.json",
        records=f"{RESULTS}/search/records.tsv",
        unique_records=f"{RESULTS}/dedup/unique_records.tsv",
        duplicates=f"{RESULTS}/dedup/duplicates.tsv",
        dedup_counts=f"{RESULTS}/dedup/dedup_counts.json",
        screening_counts=f"{RESULTS}/screening/counts.json",
        screening_log=f"{RESULTS}/screening/screening_log.tsv",
        agreement=f"{RESULTS}/screening/agreement.tsv",
        prisma_counts=f"{RESULTS}/prisma/prisma_counts.csv",
        versions=VERSIONS_INPUT,
        version_files=LAST_VERSION_FILES,
    output:
        whats_new_md=f"{LIVING}/whats_new.md",
        whats_new_tsv=f"{LIVING}/whats_new.tsv",
        whats_new_html=report(
            f"{LIVING}/whats_new.html",
            caption="../report/living/whats_new.rst",
            category=REPORT_LIVING,
        ),
        digest_md=f"{LIVING}/update_digest.md",
        digest_tsv=f"{LIVING}/update_digest.tsv",
        digest_html=report(
            f"{LIVING}/update_digest.html",
            caption="../report/living/update_digest.rst",
            category=REPORT_LIVING,
        ),
        checklists_md=expand(f"{REPORTING}/{{name}}.md", name=CHECKLIST_NAMES),
        checklists_xlsx=expand(f"{REPORTING}/{{name}}.xlsx", name=CHECKLIST_NAMES),
        checklists_html=report(
            expand(f"{REPORTING}/{{name}}.html", name=CHECKLIST_NAMES),
            caption="../report/living/checklists.rst",
            category=REPORT_REPORTING,
        ),
    log:
        f"{LOGS}/living/living.log",
    benchmark:
        f"{BENCHMARKS}/living.tsv"
    conda:
        "../../envs/living.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        title=config["review"]["title"],
        version=config["review"]["version"],
        # the keys the checklists answer from (not whole sections: an unrelated change reruns nothing)
        living={
            "declared": LIVING_DECLARED,
            **{
                k: config["living"].get(k)
                for k in ("retirement", "search_schedule", "other_steps")
            },
        },
        screening={k: config["screening"][k] for k in ("reviewers_required", "exclusion_reasons")},
        statistics=STATISTICS_SETTINGS,
        overlap_days=config["search"]["overlap_days"],
        # the checklists' files, kept by the key of their filled content
        cache=f"{CONTENT_CACHE}/checklists",
    script:
        "../../scripts/living_stage.py"


LIVING_TARGETS = [*rules.living.output]
