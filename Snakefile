# reviewflow: a living systematic review of case reports, rebuilt end to end by one command.
# Thin entry point: the rules live in workflow/rules/, one file per stage.
import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# The workflow's own files are found from this file, not from workflow.basedir: a review folder
# runs it as a Snakemake module (reviewflow new-review), where workflow.basedir is that folder.
WORKFLOW_DIR = Path(workflow.current_basedir)

# Parse-time checks (standard library + PyYAML only; see workflow/lib/buildcheck.py).
sys.path.insert(0, str(WORKFLOW_DIR / "workflow" / "lib"))
import buildcheck

# Snakemake imported pandas in every build only to hash rule params and to hand them to a job's
# script (none is a pandas object): see workflow/lib/params_without_pandas.py.
from params_without_pandas import (
    serialise_params_without_importing_pandas,
    store_script_params_without_importing_pandas,
)

serialise_params_without_importing_pandas()
store_script_params_without_importing_pandas()

# Snakemake's process waited, idle, up to a second after its last job for a timer of its job
# rate limit: see workflow/lib/scheduler_timers.py.
from scheduler_timers import reevaluate_with_daemon_timers

reevaluate_with_daemon_timers()

# Snakemake's process ends without the interpreter's last garbage collection (0.1 s of every
# build, a no-op's included): see scripts/reviewflow/core/process_end.py.
from reviewflow.core.process_end import spare_final_collection

spare_final_collection()

# Snakemake's own config loader lets a second `normality_alpha:` win silently, ends a syntax error
# without its line and dumps the whole schema on a typo: every config file (--configfile ones
# after config/config.yaml) is read strictly first, and every problem is listed, located.
CONFIG_FILES = [
    "config/config.yaml",
    *map(buildcheck.short_path, workflow.config_settings.configfiles),
]
_config_problems = buildcheck.yaml_problems(CONFIG_FILES)
if _config_problems:
    raise buildcheck.BuildStop("The configuration cannot be used", _config_problems)


configfile: "config/config.yaml"


_config_problems = buildcheck.schema_problems(
    config,
    CONFIG_FILES,
    WORKFLOW_DIR / "workflow" / "schemas" / "config.schema.yaml",
    overrides=dict(workflow.config_settings.config),
)
if _config_problems:
    raise buildcheck.BuildStop("The configuration cannot be used", _config_problems)
buildcheck.fill_defaults(config, WORKFLOW_DIR / "workflow" / "schemas" / "config.schema.yaml")

# A lock left by a snakemake that was killed is removed when none runs here (no --unlock); only
# by the main process (a cluster job's snakemake runs while the main one holds the lock).
if workflow.is_main_process:
    for _note in buildcheck.remove_stale_locks():
        print(_note, file=sys.stderr)

# Stored search windows are verified on every build (sizes and SHA-256 against search_log.json),
# not only when their import reruns; empty window folders of a killed fetch are removed.
buildcheck.remove_empty_window_folders(config["search"]["windows_dir"])
_window_problems = buildcheck.window_problems(config["search"]["windows_dir"])
if _window_problems:
    raise buildcheck.BuildStop("A stored search window cannot be used", _window_problems)
# Published versions too: each versions/v<N>/ against its version.json and its declaration.
_living = config.get("living") or {}
_versions_dir = _living.get("versions_dir", "versions")
_version_problems = buildcheck.version_problems(
    _living.get("versions", "config/versions.yaml"), _versions_dir
)
if _version_problems:
    raise buildcheck.BuildStop("A published version cannot be used", _version_problems)
for _note in buildcheck.partial_publication_notes(_versions_dir):
    print(_note, file=sys.stderr)


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/search.smk"
include: "workflow/rules/dedup.smk"
include: "workflow/rules/screening.smk"
include: "workflow/rules/extraction.smk"
include: "workflow/rules/double_extraction.smk"
include: "workflow/rules/dataset.smk"
include: "workflow/rules/appraisal.smk"
include: "workflow/rules/statistics.smk"
include: "workflow/rules/prisma.smk"
include: "workflow/rules/living.smk"
include: "workflow/rules/runstate.smk"


rule all:
    default_target: True
    input:
        SEARCH_TARGETS,
        DEDUP_TARGETS,
        SCREENING_TARGETS,
        EXTRACTION_TARGETS,
        DOUBLE_EXTRACTION_TARGETS,
        DATASET_TARGETS,
        APPRAISAL_TARGETS,
        STATISTICS_TARGETS,
        PRISMA_TARGETS,
        LIVING_TARGETS,


# Every file the review is made from is a declared input of the rules that read it; a deleted one
# stops every build, named (Snakemake alone would say "Nothing to be done" when outputs exist).
_missing = buildcheck.missing_inputs(workflow.rules)
if _missing:
    raise buildcheck.BuildStop("A file the review is made from is missing", _missing)
