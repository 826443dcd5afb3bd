# The state of the last build: results/run_state.json (running | succeeded | partial | failed),
# written by the onstart/onsuccess/onerror handlers (workflow/lib/buildcheck.py).
# - A failed build ends with the located problems its rules found (not a temporary script's
#   traceback), and the HTML pages it did not remake say so at their top, until a build that
#   succeeds remakes them or finds them current (its DAG holds them).
# - `snakemake --report` refuses to make a report unless the last build succeeded and no file the
#   review is made from has changed since (by content); after a build of some targets only
#   ("partial"), the report's landing page says which.

RUN_STATE = f"{RESULTS}/run_state.json"
# The reviewflow version that makes a build: in run_state.json and on the report's first page.
REVIEWFLOW_VERSION = deployment.reviewflow_version()
# What the results are made from: a change here makes the last build's results out of date.
RUN_SOURCES = [
    *CONFIG_FILES,
    "config",
    "extraction",
    config["search"]["windows_dir"],
    # the workflow's code, wherever it is (snakemake -s .../Snakefile --directory DIR)
    f"{WORKFLOW_DIR}/Snakefile",
    f"{WORKFLOW_DIR}/scripts",
    f"{WORKFLOW_DIR}/workflow/rules",
    f"{WORKFLOW_DIR}/workflow/schemas",
    f"{WORKFLOW_DIR}/workflow/lib",
]


def run_producers():
    """Each output of the workflow -> the (file) inputs of the rule that makes it."""
    producers = {}
    for rule_ in workflow.rules:
        inputs = [str(item) for item in rule_.input if isinstance(item, str)]
        for item in rule_.output:
            producers[str(item)] = inputs
        # a report page of a pages-only rule is made from the input of its own name only
        # (report_pages_extraction, double_extraction.smk)
        named_inputs = dict(rule_.input.items())
        for name, value in rule_.output.items():
            if isinstance(named_inputs.get(name), str):
                producers[str(value)] = [str(named_inputs[name])]
    return producers


def run_targets():
    """The rules of this run's targets (["all"] for a complete build)."""
    try:
        return sorted({job.rule.name for job in workflow.dag.targetjobs})
    except AttributeError:
        return []


def run_pages():
    """The HTML pages of this run's DAG: after a success, each is made or found current."""
    try:
        jobs = list(workflow.dag.jobs)
    except AttributeError:
        return []
    return sorted({str(f) for job in jobs for f in job.output if str(f).endswith(".html")})


onstart:
    buildcheck.write_run_state(RUN_STATE, "running", reviewflow=REVIEWFLOW_VERSION)


onsuccess:
    buildcheck.write_run_state(
        RUN_STATE,
        "succeeded" if "all" in run_targets() else "partial",
        targets=run_targets(),
        # what the results are made from, checked by --report and by publish-version
        source_roots=RUN_SOURCES,
        sources=buildcheck.source_hashes(RUN_SOURCES),
        reviewflow=REVIEWFLOW_VERSION,
    )
    buildcheck.clear_stale_pages(run_pages())


onerror:
    _state = buildcheck.write_run_state(
        RUN_STATE, "failed", log=str(log), reviewflow=REVIEWFLOW_VERSION
    )
    _producers = run_producers()
    _pages = [path for path in _producers if path.endswith(".html")]
    _marked = buildcheck.mark_stale_pages(_pages, _producers, _state, generated=RESULTS)
    _files = buildcheck.input_problem_files(LOGS, _state["started"])
    buildcheck.print_summary(buildcheck.console_summary(_files))
    if _marked:
        print(
            f"{len(_marked)} HTML pages of an earlier build are marked out of date.",
            file=sys.stderr,
        )


# A review folder runs this workflow as a Snakemake module, whose handlers Snakemake does not
# call: the folder's Snakefile calls these (reviewflow/starter/Snakefile).
deployment.HANDLERS.update(
    {
        name: getattr(handler, "func", handler)
        for name, handler in [("onstart", onstart), ("onsuccess", onsuccess), ("onerror", onerror)]
    }
)

# `snakemake --report`: refused unless the last build succeeded and is current.
if any(arg == "--report" or arg.startswith("--report=") for arg in sys.argv) and (
    "--report-after-run" not in sys.argv
):
    _report_problems = buildcheck.report_problems(RUN_STATE, RUN_SOURCES)
    if _report_problems:
        raise buildcheck.BuildStop("No report made", _report_problems)
    # shown on the report's landing page (workflow/report/workflow.rst)
    config["build"] = buildcheck.read_run_state(RUN_STATE)
    # written under a temporary name and renamed when complete (never a truncated report)
    workflow.create_report = buildcheck.atomic_report(workflow.create_report)
