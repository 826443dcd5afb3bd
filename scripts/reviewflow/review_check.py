"""`reviewflow check [DIR]`: every file a reviewer edits, validated without building.

Each file is read by the very function the build's rule reads it with (the rule adapters'
library calls, and workflow/lib/buildcheck.py for the configuration), so a problem is reported
with the same located message as the build, and every file's problems are listed at once. What
needs the build's own outputs (the record ids that screening and deduplication decisions name)
is checked against the last build's tables when they exist, and said to be unchecked otherwise.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewflow.core.errors import InputProblems
from reviewflow.deployment import workflow_root

CONFIG = "config/config.yaml"


@dataclass
class Report:
    """What `check_review` found: the problems per file, the files checked, the notes."""

    problems: list[InputProblems] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        """The console text: every problem (as the build lists them), then what was checked."""
        lines = [str(InputProblems(p.source, p.problems, "")) for p in self.problems]
        lines += [f"note: {note}" for note in self.notes]
        count = sum(len(p.problems) for p in self.problems)
        verdict = "no problem" if self.ok else f"{count} problem{'s' * (count != 1)}"
        lines.append(f"checked {len(self.checked)} files: {', '.join(self.checked)}: {verdict}")
        return "\n".join(lines)


def load_buildcheck():
    """workflow/lib/buildcheck.py of the installed workflow (what the Snakefile checks)."""
    path = workflow_root() / "workflow" / "lib" / "buildcheck.py"
    spec = importlib.util.spec_from_file_location("reviewflow_buildcheck", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def working_directory(folder: Path):
    """The review's paths are relative to its folder, as in a build."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


class Checker:
    """Runs each file's validator and collects its problems; a later step that needs an
    earlier one's result is skipped when that one failed."""

    def __init__(self, report: Report):
        self.report = report

    def run(self, files: list[str], validate: Callable[[], Any]) -> Any:
        self.report.checked += [f for f in files if f not in self.report.checked]
        try:
            return validate()
        except InputProblems as error:
            self.report.problems.append(error)
        except FileNotFoundError as error:
            self.report.problems.append(
                InputProblems(files[0], [f"{error.filename or files[0]}: missing"])
            )
        return None


def read_config(checker: Checker, buildcheck) -> dict | None:
    """config/config.yaml as the Snakefile reads it: strictly, against the schema, defaults
    filled in (snakemake.utils.validate)."""
    from snakemake.utils import validate

    schema = workflow_root() / "workflow" / "schemas" / "config.schema.yaml"

    def load() -> dict:
        problems = buildcheck.yaml_problems([CONFIG])
        config = {} if problems else buildcheck.read_yaml_strict(CONFIG)[0]
        if not problems:
            problems = buildcheck.config_problems(config, [CONFIG], schema)
        if problems:
            raise InputProblems(CONFIG, problems)
        validate(config, str(schema))
        problems = buildcheck.window_problems(config["search"]["windows_dir"])
        if problems:
            raise InputProblems(config["search"]["windows_dir"], problems)
        return config

    return checker.run([CONFIG], load)


def check_review(folder: str | os.PathLike = ".") -> Report:
    """Check every file the review in `folder` is made from that a reviewer edits."""
    report = Report()
    checker = Checker(report)
    with working_directory(Path(folder)):
        config = read_config(checker, load_buildcheck())
        if config is None:
            return report
        check_files(config, checker)
    return report


def check_files(config: dict, checker: Checker) -> None:
    """The review's declared files, each with the validator its rule uses."""
    from reviewflow.core.first_version import read_first_version
    from reviewflow.extraction.codebook import load_codebook

    first_version = config["review"]["first_version"]
    checker.run([first_version], lambda: read_first_version(first_version))
    codebook_path = config["extraction"]["codebook"]
    vocabulary = config["dataset"]["vocabulary"]
    codebook = checker.run(
        [codebook_path, vocabulary], lambda: load_codebook(codebook_path, vocabulary)
    )
    if codebook is None:
        return
    sheets = check_workbooks(config, codebook, checker)
    check_statistics_files(config, codebook, checker)
    check_decisions(config, sheets, checker)
    check_appraisal(config, sheets, checker)


def check_workbooks(config: dict, codebook, checker: Checker):
    """The extraction workbook (or each extractor's, with their adjudication): the sheets."""
    from reviewflow.extraction.workbook import read_workbook

    extraction = config["extraction"]
    extractors = list(extraction.get("extractors") or [])
    if not extractors:
        workbook = extraction["workbook"]
        return checker.run([workbook], lambda: read_workbook(workbook, codebook))
    from reviewflow.extraction.double_extraction import agreed_sheets, compare_and_settle
    from reviewflow.extraction.double_extraction import workbook_paths as paths_of

    paths = paths_of(extraction["extractor_workbook"], extractors)
    adjudication = extraction["adjudication"]

    def compared():
        book, comparisons, settled = compare_and_settle(
            paths, adjudication, extraction["codebook"], config["dataset"]["vocabulary"]
        )
        return agreed_sheets(comparisons, settled, book, extractors)

    return checker.run([*paths.values(), adjudication], compared)


def check_statistics_files(config: dict, codebook, checker: Checker) -> None:
    """config/definitions.yaml, config/analysis.yaml and config/reported_results.yaml against
    their schemas and the dataset's columns (what the statistics rules check before
    computing)."""
    from reviewflow.dataset.definitions import load_definitions
    from reviewflow.statistics.analysis_file import load_analysis
    from reviewflow.statistics.reported import check_columns, read_declared

    schemas = workflow_root() / "workflow" / "schemas"
    path = config["review"]["definitions"]
    definitions = checker.run([path], lambda: load_definitions(path, codebook))
    if definitions is None:
        return
    statistics = config["statistics"]
    analysis = statistics["analysis"]
    settings = {key: statistics[key] for key in ("normality_alpha", "quantile_method")}
    if Path(analysis).is_file():  # optional: a review without one has the descriptive table
        checker.run(
            [analysis],
            lambda: load_analysis(
                analysis, codebook.columns, schemas / "analysis.schema.yaml", settings, definitions
            ),
        )
    reported = statistics["reported_results"]

    def declared():
        found = read_declared(reported, schemas / "reported_results.schema.yaml", definitions)
        check_columns(found, [column.name for column in codebook.columns], reported)

    checker.run([reported], declared)


def check_decisions(config: dict, sheets, checker: Checker) -> None:
    """Deduplication and screening decisions, against the record ids of the last build."""
    from reviewflow.dedup.tables import read_decisions as read_pair_decisions
    from reviewflow.dedup.tables import read_records, studies_as_records

    decisions = config["dedup"]["decisions"]
    records = Path("results/search/records.tsv")
    if Path(decisions).is_file():
        if records.is_file() and sheets:

            def pairs():
                known = set(read_records(records)["record_id"])
                studies = sheets["studies"].to_frame()
                known |= set(studies_as_records(studies)["record_id"])
                return read_pair_decisions(decisions, known)

            checker.run([decisions], pairs)
        else:
            checker.report.notes.append(
                f"{decisions}: its record ids are checked once a build has made {records}"
            )
    check_screening(config, checker)


def check_screening(config: dict, checker: Checker) -> None:
    from reviewflow.screening.decisions import (
        ScreeningSettings,
        read_unique_records,
        record_id_index,
    )
    from reviewflow.screening.folder import read_decisions

    screening = config["screening"]
    folder = screening["decisions_dir"]
    unique = Path("results/dedup/unique_records.tsv")
    if not Path(folder).is_dir():
        return
    if not unique.is_file():
        checker.report.notes.append(
            f"{folder}: screening decisions are checked once a build has made {unique}"
        )
        return

    def decisions():
        keys = ("exclusion_reasons", "reviewers_required", "asreview")
        settings = ScreeningSettings.from_config({key: screening[key] for key in keys})
        return read_decisions(folder, record_id_index(read_unique_records(unique)), settings)

    checker.run([folder], decisions)


def check_appraisal(config: dict, sheets, checker: Checker) -> None:
    """The appraisers' workbooks and their adjudication, against the studies of the workbook."""
    from reviewflow.appraisal.appraise import (
        conflicts_of,
        load_checklist,
        read_appraisal_adjudication,
        read_appraisals,
    )

    appraisal = config.get("appraisal") or {}
    default = workflow_root() / "config" / "appraisal" / "jbi_case_reports.yaml"
    path = appraisal.get("checklist") or str(default)
    label = appraisal.get("checklist") or f"{default.name} (shipped)"
    checklist = checker.run([label], lambda: load_checklist(path))
    appraisers = list(appraisal.get("appraisers") or [])
    if checklist is None or not appraisers or not sheets:
        return
    pattern = appraisal.get("workbooks", "extraction/appraisal/{appraiser}.xlsx")
    workbooks = {name: pattern.format(appraiser=name) for name in appraisers}
    adjudication = appraisal.get("adjudication", "extraction/appraisal/adjudication.tsv")
    study_ids = [row["study_id"] for row in sheets["studies"].rows]

    def appraisals():
        files = read_appraisals(workbooks, checklist, study_ids)
        read_appraisal_adjudication(adjudication, conflicts_of(files, checklist), checklist)

    checker.run([*workbooks.values(), adjudication], appraisals)
