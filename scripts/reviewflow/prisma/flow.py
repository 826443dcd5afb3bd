"""PRISMA 2020 flow counts: gathered from the stages' count files, checked box against box, and
written in the upload format of the PRISMA2020 app (`reviewflow.prisma.diagram` draws them).

Three kinds of count meet here:
- a number, traced to the file and key it came from (`Count.source`);
- "not reported" (`Count.value is None`): the stage's file holds `null`, i.e. the review's report
  did not give the count (the first version's article, for instance). It is drawn as
  "not reported", written as `NA` in the app's CSV, and any check that needs it is skipped and
  logged as skipped; it is never turned into 0;
- "not applicable": a PRISMA box this workflow has no step for (registers, websites,
  organisations, citation searching, automation tools, "other reasons" before screening). Such
  boxes are left out of the diagram (as PRISMA 2020 asks) and written as `NA` in the CSV, which
  the PRISMA2020 app also reads as "leave this line out".

Inputs (ARCHITECTURE.md): results/search/search_counts.json, results/dedup/dedup_counts.json,
results/screening/counts.json, results/dataset/cases.csv, and the first version's reported
counts (config/first_version.yaml) for the patients of the previous version.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.core.first_version import is_count, read_first_version
from reviewflow.core.io import atomic_write, guard_cell, read_json
from reviewflow.report.pages import Section
from reviewflow.screening.decisions import COUNT_KEYS

# How the app's CSV writes a count that is not a number (not reported, or not applicable). `NA`
# is R's missing value: `read.csv` (which the PRISMA2020 package and its Shiny app use) reads it
# as NA, so the app prints no invented number, and it is the token the template itself uses for
# its empty cells. An empty cell would reach the app as "" and a 0 would be a false count.
CSV_NOT_A_NUMBER = "NA"
CSV_COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

# The layout of the PRISMA2020 R package's CSV template (inst/extdata/PRISMA.csv, MIT licence,
# https://github.com/prisma-flowdiagram/PRISMA2020 at 0da129b): every row's data, node, box,
# description, boxtext, tooltips and url cells, in the template's order (prisma_template.csv, a
# data file). Only `n` is ours. tests/unit/test_prisma.py compares it with the template itself.
TEMPLATE_FILE = Path(__file__).with_name("prisma_template.csv")
TEMPLATE_COLUMNS = CSV_COLUMNS[:-1]


def read_template(path: str | os.PathLike = TEMPLATE_FILE) -> tuple[tuple[str, ...], ...]:
    """The template's rows (every column but `n`), in its order, from prisma_template.csv."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader))
        if header != TEMPLATE_COLUMNS:
            raise InputProblems(str(path), [f"header {header}: expected {TEMPLATE_COLUMNS}"])
        return tuple(tuple(row) for row in reader)


TEMPLATE_ROWS = read_template()

# The PRISMA counts of results/screening/counts.json (`previous_version` and `update`), as the
# screening stage writes them.
SCREENING_KEYS = COUNT_KEYS


@dataclass(frozen=True)
class Count:
    """One number of the flow: `value` None means "not reported"; `source` says where it is from."""

    value: int | None
    source: str

    @property
    def reported(self) -> bool:
        return self.value is not None


def total(counts: Sequence[Count], source: str) -> Count:
    """The sum of `counts`; not reported when any of them is."""
    if any(not c.reported for c in counts):
        return Count(None, source)
    return Count(sum(c.value for c in counts), source)


@dataclass(frozen=True)
class Reason:
    reason: str
    count: Count


@dataclass(frozen=True)
class Identification:
    """Records identified in one or more search windows and removed before screening."""

    windows: tuple[str, ...]
    period: str  # e.g. "up to 2024-09-30" or "2024-10-01 to 2025-06-30"
    databases: tuple[tuple[str, Count], ...]  # in the order of search_counts.json
    records: Count  # records identified from databases: the sum of `databases`
    dedup_records: Count  # the records deduplication counted (must equal `records`)
    duplicates: Count  # duplicates deduplication removed (of records of the searches)
    unique_records: Count
    # Unique records that match a study already included and that nobody screened (screening's
    # `records_previously_included`): removed before screening as duplicates of the review's
    # studies. Deduplication only marks the match; screening decides (a record that reviewers
    # screened, e.g. the one through which a later study was included, is screened, not removed).
    already_included: Count = Count(0, "no records of studies already included")

    @property
    def removed_duplicates(self) -> Count:
        """The diagram's "Duplicate records removed": duplicates + records already included."""
        if not self.already_included.value:
            return self.duplicates
        return total(
            [self.duplicates, self.already_included],
            f"{self.duplicates.source} + {self.already_included.source}",
        )


@dataclass(frozen=True)
class Screening:
    """Screening and eligibility counts of results/screening/counts.json (one section)."""

    records_screened: Count
    records_excluded: Count
    records_pending: Count
    reports_sought: Count
    reports_not_retrieved: Count
    reports_pending: Count
    reports_assessed: Count
    reports_excluded: tuple[Reason, ...] | None  # None: not reported
    reports_excluded_source: str
    studies_included: Count
    reports_included: Count

    @property
    def reports_excluded_total(self) -> Count:
        if self.reports_excluded is None:
            return Count(None, self.reports_excluded_source)
        return total([r.count for r in self.reports_excluded], self.reports_excluded_source)


@dataclass(frozen=True)
class Previous:
    """The previous version of the review, as the updated-review diagram's left column shows it."""

    identification: Identification
    screening: Screening
    patients: Count | None  # None: not a case-report review


@dataclass(frozen=True)
class Flow:
    """Everything the PRISMA 2020 diagram shows; `previous` is None for a new review."""

    title: str
    identification: Identification  # the new review's, or the update windows' (new studies)
    screening: Screening
    previous: Previous | None
    total_studies: Count
    total_reports: Count
    patients: Count | None  # rows of the dataset; None: not a case-report review
    dataset_studies: Count | None  # distinct study ids of the dataset
    reported_windows: tuple[str, ...] = field(default_factory=tuple)  # counts from an article

    @property
    def updated(self) -> bool:
        return self.previous is not None

    @property
    def studies_awaiting_extraction(self) -> Count | None:
        """New studies of an update that are included but have no patients in the dataset yet
        (screening includes a study before reviewers extract it from the new-studies template);
        None when none await, or when the shortfall is more than the update's new studies."""
        if not self.updated or self.dataset_studies is None or not self.total_studies.reported:
            return None
        missing = self.total_studies.value - self.dataset_studies.value
        new = self.screening.studies_included
        if missing <= 0 or not new.reported or missing > new.value:
            return None
        return Count(missing, f"{self.total_studies.source} - {self.dataset_studies.source}")


# ---------------------------------------------------------------- reading the stages' files


@dataclass(frozen=True)
class DatasetSummary:
    patients: int
    studies: int
    source: str


def read_dataset(path: str | os.PathLike, study_column: str = "study_id") -> DatasetSummary:
    """Patients (rows) and studies (distinct `study_column`) of results/dataset/cases.csv."""
    problems = []
    studies: set[str] = set()
    rows = 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or study_column not in reader.fieldnames:
            raise InputProblems(
                str(path),
                [f"line 1: no column {study_column!r}: the dataset needs one study id per patient"],
            )
        for line, row in enumerate(reader, start=2):
            rows += 1
            study = (row.get(study_column) or "").strip()
            if not study:
                problems.append(f"line {line}: {study_column} is empty: every patient needs one")
            studies.add(study)
    raise_if_any(str(path), problems)
    return DatasetSummary(rows, len(studies), str(path))


def read_first_version_patients(path: str | os.PathLike) -> Count:
    """The patients the first version reported (`included.patients`; null: not reported)."""
    patients = read_first_version(path)["included"]["patients"]
    return Count(patients, f"{path}: included.patients")


@dataclass(frozen=True)
class PublishedVersion:
    """A published version of the review (versions/v<N>/): the windows it covers, its studies,
    reports and patients, as the updated-review diagram of a later build shows them."""

    number: int
    windows: tuple[str, ...]
    studies: Count
    reports: Count
    patients: Count
    folder: str


def read_published_version(folder: str | os.PathLike) -> PublishedVersion:
    """A version folder written by `reviewflow publish-version` (version.json, prisma_counts.csv,
    cases.csv)."""
    folder = Path(folder)
    meta = json.loads((folder / "version.json").read_text(encoding="utf-8"))
    counts_path = folder / "prisma_counts.csv"
    with open(counts_path, encoding="utf-8", newline="") as handle:
        counts = {r["data"]: r["n"] for r in csv.DictReader(handle) if r["data"] != "NA"}

    def count(key: str) -> Count:
        value = counts.get(key, CSV_NOT_A_NUMBER)
        where = f"{counts_path}: {key}"
        return Count(None if value == CSV_NOT_A_NUMBER else int(value), where)

    dataset = read_dataset(folder / "cases.csv")
    return PublishedVersion(
        number=int(meta["number"]),
        windows=tuple(meta["windows"]),
        studies=count("total_studies"),
        reports=count("total_reports"),
        patients=Count(dataset.patients, f"{folder / 'cases.csv'}: rows"),
        folder=str(folder),
    )


def previous_published(
    versions: Sequence[PublishedVersion], windows: Sequence[str]
) -> PublishedVersion | None:
    """The version an updated-review diagram shows as "previous": the latest published version
    that covers some but not all of the build's windows and more than the first version's search
    (with only the first version published, the first version's reported counts are drawn)."""
    built = set(windows)
    candidates = [
        v for v in versions if set(v.windows) < built and len(v.windows) > 1
    ]  # fmt: skip
    return max(candidates, key=lambda v: v.number) if candidates else None


def sum_screening(sections: Sequence[Screening], source: str) -> Screening:
    """Screening counts of several windows together (reasons summed by name, in order)."""
    counts = {
        key: total([getattr(s, key) for s in sections], f"{source}: {key}")
        for key in SCREENING_KEYS
        if key != "reports_excluded"
    }
    if any(s.reports_excluded is None for s in sections):
        reasons = None
    else:
        by_reason: dict[str, list[Count]] = {}
        for section in sections:
            for item in section.reports_excluded:
                by_reason.setdefault(item.reason, []).append(item.count)
        reasons = tuple(
            Reason(reason, total(found, f"{source}: reports_excluded: {reason}"))
            for reason, found in by_reason.items()
        )
    return Screening(
        reports_excluded=reasons, reports_excluded_source=f"{source}: reports_excluded", **counts
    )


class _Reader:
    """Reads counts out of parsed JSON, collecting every problem before raising."""

    def __init__(self, path: str):
        self.path = str(path)
        self.problems: list[str] = []

    def count(self, mapping: dict, key: str, where: str) -> Count:
        source = f"{self.path}: {where}.{key}" if where else f"{self.path}: {key}"
        if not isinstance(mapping, dict) or key not in mapping:
            self.problems.append(
                f"{where or 'top level'}: key {key!r} is missing (write null for a count that "
                "was not reported)"
            )
            return Count(None, source)
        value = mapping[key]
        if value is not None and not is_count(value):
            self.problems.append(
                f"{where}.{key}: {value!r}: must be a whole number >= 0, or null (not reported)"
            )
            return Count(None, source)
        return Count(value, source)

    def raise_if_any(self) -> None:
        raise_if_any(self.path, self.problems)


def _raise_all(*readers: _Reader) -> None:
    """Every problem of every file at once (each prefixed with its file when several have some)."""
    troubled = [r for r in readers if r.problems]
    if len(troubled) == 1:
        troubled[0].raise_if_any()
    if troubled:
        raise InputProblems(
            ", ".join(r.path for r in troubled),
            [f"{r.path}: {p}" for r in troubled for p in r.problems],
        )


def _windows(data: Any, reader: _Reader) -> list[dict]:
    windows = data.get("windows") if isinstance(data, dict) else None
    if not isinstance(windows, list) or not windows:
        reader.problems.append("'windows' must be a non-empty list of search windows, v1 first")
        return []
    good = []
    for i, window in enumerate(windows):
        if not isinstance(window, dict) or not isinstance(window.get("window"), str):
            reader.problems.append(f"windows[{i}]: must be an object with a 'window' id")
        else:
            good.append(window)
    return good


@dataclass(frozen=True)
class WindowCounts:
    window: str
    reported: bool
    start: str | None
    until: str | None
    databases: tuple[tuple[str, Count], ...]
    dedup_records: Count
    duplicates: Count
    unique_records: Count


def read_window_counts(
    search: Any, dedup: Any, search_path: str, dedup_path: str
) -> list[WindowCounts]:
    """Pair the windows of search_counts.json with those of dedup_counts.json (same ids, order)."""
    search_reader, dedup_reader = _Reader(search_path), _Reader(dedup_path)
    search_windows = _windows(search, search_reader)
    dedup_windows = _windows(dedup, dedup_reader)
    _raise_all(search_reader, dedup_reader)
    search_ids = [w["window"] for w in search_windows]
    dedup_ids = [w["window"] for w in dedup_windows]
    if search_ids != dedup_ids:
        raise InputProblems(
            f"{search_path}, {dedup_path}",
            [
                f"the search windows {search_ids} ({search_path}) and the deduplicated windows "
                f"{dedup_ids} ({dedup_path}) differ: both stages must cover the same windows, "
                "in the same order"
            ],
        )
    result = []
    for i, (sw, dw) in enumerate(zip(search_windows, dedup_windows, strict=True)):
        where = f"windows[{i}]"
        databases = sw.get("databases")
        if not isinstance(databases, dict) or not databases:
            search_reader.problems.append(
                f"{where}.databases: must map each database name to its number of records"
            )
            databases = {}
        reported = bool(sw.get("reported", False))
        # null: in a reported window (v1) the report did not give the count; in a stored window
        # the database was not searched there (no export), so it adds nothing and is not drawn.
        db_counts = tuple(
            (name, search_reader.count(databases, name, f"{where}.databases"))
            for name in databases
            if reported or databases[name] is not None
        )
        result.append(
            WindowCounts(
                window=sw["window"],
                reported=reported,
                start=sw.get("from") or None,
                until=sw.get("until") or None,
                databases=db_counts,
                dedup_records=dedup_reader.count(dw, "records", where),
                duplicates=dedup_reader.count(dw, "duplicates_removed", where),
                unique_records=dedup_reader.count(dw, "unique_records", where),
            )
        )
    _raise_all(search_reader, dedup_reader)
    return result


def identification_of(
    windows: Sequence[WindowCounts], search_path: str, dedup_path: str
) -> Identification:
    """The identification boxes for `windows` together (databases summed by name; a database
    missing from a window found no records there)."""
    ids = tuple(w.window for w in windows)
    where = ", ".join(ids)
    names: list[str] = []
    for w in windows:
        names += [name for name, _ in w.databases if name not in names]
    databases = []
    for name in names:
        per_window = [
            dict(w.databases).get(name, Count(0, f"{search_path}: {w.window}: no {name}"))
            for w in windows
        ]
        databases.append((name, total(per_window, f"{search_path}: {where}: {name}")))
    records = total([c for _, c in databases], f"{search_path}: {where}: sum of databases")
    return Identification(
        windows=ids,
        period=_period(windows),
        databases=tuple(databases),
        records=records,
        dedup_records=total([w.dedup_records for w in windows], f"{dedup_path}: {where}: records"),
        duplicates=total(
            [w.duplicates for w in windows], f"{dedup_path}: {where}: duplicates_removed"
        ),
        unique_records=total(
            [w.unique_records for w in windows], f"{dedup_path}: {where}: unique_records"
        ),
    )


def _period(windows: Sequence[WindowCounts]) -> str:
    start, until = windows[0].start, windows[-1].until
    if start and until:
        return f"{start} to {until}"
    if until:
        return f"up to {until}"
    return "dates not recorded"


def read_screening_section(section: Any, where: str, path: str) -> Screening:
    reader = _Reader(path)
    if not isinstance(section, dict):
        raise InputProblems(path, [f"{where}: must be an object with the PRISMA counts"])
    counts = {
        key: reader.count(section, key, where)
        for key in SCREENING_KEYS
        if key != "reports_excluded"
    }
    reasons_source = f"{path}: {where}.reports_excluded"
    raw = section.get("reports_excluded", "missing")
    reasons: tuple[Reason, ...] | None = None
    if raw == "missing":
        reader.problems.append(
            f"{where}: key 'reports_excluded' is missing (a list of {{reason, n}}, or null)"
        )
    elif raw is not None:
        if not isinstance(raw, list):
            reader.problems.append(
                f"{where}.reports_excluded: {raw!r}: must be a list of {{reason, n}} or null"
            )
        else:
            found = []
            for i, item in enumerate(raw):
                item_where = f"{where}.reports_excluded[{i}]"
                if not isinstance(item, dict) or not str(item.get("reason") or "").strip():
                    reader.problems.append(f"{item_where}: {item!r}: needs a non-empty 'reason'")
                    continue
                found.append(
                    Reason(str(item["reason"]).strip(), reader.count(item, "n", item_where))
                )
            reasons = tuple(found)
    reader.raise_if_any()
    return Screening(reports_excluded=reasons, reports_excluded_source=reasons_source, **counts)


def traced_to_first_version(
    ident: Identification, screen: Screening, path: str
) -> tuple[Identification, Screening]:
    """The first version's counts traced to the file a reviewer edits (`path`, i.e.
    config/first_version.yaml, and the key of each count) instead of the generated files that
    copy them (results/search/search_counts.json, ...): a count that does not add up names what
    to correct. The values are unchanged."""

    def at(count: Count, key: str) -> Count:
        return replace(count, source=f"{path}: {key}")

    databases = tuple(
        (name, at(count, f"search.databases[{number}].records ({name})"))
        for number, (name, count) in enumerate(ident.databases, start=1)
    )
    ident = replace(
        ident,
        databases=databases,
        records=at(ident.records, "search.databases (their sum)"),
        dedup_records=at(ident.dedup_records, "search.records_total"),
        duplicates=at(ident.duplicates, "dedup.duplicates_removed"),
        unique_records=at(ident.unique_records, "search.records_total - dedup.duplicates_removed"),
    )
    keys = {key: f"screening.{key}" for key in SCREENING_KEYS if key != "reports_excluded"}
    keys |= {"studies_included": "included.studies", "reports_included": "included.reports"}
    counts = {key: at(getattr(screen, key), where) for key, where in keys.items()}
    reasons = screen.reports_excluded
    if reasons is not None:
        reasons = tuple(
            Reason(r.reason, at(r.count, f"screening.reports_excluded[{number}].n"))
            for number, r in enumerate(reasons, start=1)
        )
    screen = replace(
        screen,
        **counts,
        reports_excluded=reasons,
        reports_excluded_source=f"{path}: screening.reports_excluded",
    )
    return ident, screen


def build_flow(
    *,
    title: str,
    search: Any,
    dedup: Any,
    screening: Any,
    dataset: DatasetSummary | None,
    previous_patients: Count | None,
    published: Sequence[PublishedVersion] = (),
    search_path: str = "results/search/search_counts.json",
    dedup_path: str = "results/dedup/dedup_counts.json",
    screening_path: str = "results/screening/counts.json",
    first_version_path: str | None = None,
) -> Flow:
    """The flow of a new review (one window) or of an updated review (later windows). With
    `first_version_path`, the counts of a reported first window are traced to that file."""
    windows = read_window_counts(search, dedup, search_path, dedup_path)
    if not isinstance(screening, dict) or "previous_version" not in screening:
        raise InputProblems(screening_path, ["'previous_version' is missing"])
    first = read_screening_section(
        screening["previous_version"], "previous_version", screening_path
    )
    update_data = screening.get("update")
    first_ident = identification_of(windows[:1], search_path, dedup_path)
    if first_version_path and windows[0].reported:
        first_ident, first = traced_to_first_version(first_ident, first, str(first_version_path))
    reported = tuple(w.window for w in windows if w.reported)
    patients = Count(dataset.patients, f"{dataset.source}: rows") if dataset else None
    dataset_studies = Count(dataset.studies, f"{dataset.source}: study_id") if dataset else None
    if len(windows) == 1:
        if update_data is not None:
            raise InputProblems(
                screening_path,
                [
                    f"'update' holds counts, but {search_path} has no window after "
                    f"{windows[0].window}: the update's records must come from a stored window"
                ],
            )
        return Flow(
            title=title,
            identification=first_ident,
            screening=first,
            previous=None,
            total_studies=first.studies_included,
            total_reports=first.reports_included,
            patients=patients,
            dataset_studies=dataset_studies,
            reported_windows=reported,
        )
    if update_data is None:
        later = ", ".join(w.window for w in windows[1:])
        raise InputProblems(
            screening_path,
            [
                f"'update' is null, but {search_path} has windows after the first version "
                f"({later}): screening must give the update's counts (pending records count "
                "as pending)"
            ],
        )
    version = previous_published(published, [w.window for w in windows])
    if version is not None:
        return flow_since_version(
            version, title=title, windows=windows, screening=screening, patients=patients,
            dataset_studies=dataset_studies, reported=reported, search_path=search_path,
            dedup_path=dedup_path, screening_path=screening_path, with_patients=bool(dataset),
        )  # fmt: skip
    update = read_screening_section(update_data, "update", screening_path)
    reader = _Reader(screening_path)
    already_included = reader.count(update_data, "records_previously_included", "update")
    reader.raise_if_any()
    return Flow(
        title=title,
        identification=replace(
            identification_of(windows[1:], search_path, dedup_path),
            already_included=already_included,
        ),
        screening=update,
        previous=Previous(first_ident, first, previous_patients if dataset else None),
        total_studies=total(
            [first.studies_included, update.studies_included],
            f"{screening_path}: previous_version.studies_included + update.studies_included",
        ),
        total_reports=total(
            [first.reports_included, update.reports_included],
            f"{screening_path}: previous_version.reports_included + update.reports_included",
        ),
        patients=patients,
        dataset_studies=dataset_studies,
        reported_windows=reported,
    )


def flow_since_version(
    version: PublishedVersion,
    *,
    title: str,
    windows: Sequence[WindowCounts],
    screening: dict,
    patients: Count | None,
    dataset_studies: Count | None,
    reported: tuple[str, ...],
    search_path: str,
    dedup_path: str,
    screening_path: str,
    with_patients: bool,
) -> Flow:
    """The updated-review flow of the windows after a published version: its studies, reports
    and patients on the left; the later windows' identification and screening (screening's
    `per_window` counts summed) as the new studies."""
    covered = [w for w in windows if w.window in version.windows]
    later = [w for w in windows if w.window not in version.windows]
    per_window = screening.get("per_window") or {}
    missing = [w.window for w in later if w.window not in per_window]
    if missing:
        raise InputProblems(screening_path, [f"per_window has no counts for {', '.join(missing)}"])
    sections = [
        read_screening_section(per_window[w.window], f"per_window.{w.window}", screening_path)
        for w in later
    ]
    where = f"{screening_path}: per_window {', '.join(w.window for w in later)}"
    update = sum_screening(sections, where)
    reader = _Reader(screening_path)
    already = total(
        [reader.count(per_window[w.window], "records_previously_included", w.window)
         for w in later],
        f"{where}: records_previously_included",
    )  # fmt: skip
    reader.raise_if_any()
    not_drawn = (
        f"version {version.number}: not drawn again (see {version.folder}/prisma_counts.csv)"
    )
    previous_screening = Screening(
        **{key: Count(None, not_drawn) for key in SCREENING_KEYS if key != "reports_excluded"},
        reports_excluded=None,
        reports_excluded_source=not_drawn,
    )
    previous_screening = replace(
        previous_screening, studies_included=version.studies, reports_included=version.reports
    )
    previous = Previous(
        identification_of(covered, search_path, dedup_path),
        previous_screening,
        version.patients if with_patients else None,
    )
    return Flow(
        title=title,
        identification=replace(
            identification_of(later, search_path, dedup_path), already_included=already
        ),
        screening=update,
        previous=previous,
        total_studies=total(
            [version.studies, update.studies_included],
            f"{version.studies.source} + {where}: studies_included",
        ),
        total_reports=total(
            [version.reports, update.reports_included],
            f"{version.reports.source} + {where}: reports_included",
        ),
        patients=patients,
        dataset_studies=dataset_studies,
        reported_windows=reported,
    )


def load_flow(
    *,
    title: str,
    search_path: str,
    dedup_path: str,
    screening_path: str,
    dataset_path: str | None,
    first_version_path: str | None,
    version_folders: Sequence[str] = (),
) -> Flow:
    """Read the stages' files (paths as in ARCHITECTURE.md) and the published versions' folders
    into a `Flow`."""
    dataset = read_dataset(dataset_path) if dataset_path else None
    previous_patients = (
        read_first_version_patients(first_version_path) if first_version_path else None
    )
    return build_flow(
        title=title,
        search=read_json(search_path),
        dedup=read_json(dedup_path),
        screening=read_json(screening_path),
        dataset=dataset,
        previous_patients=previous_patients,
        published=[read_published_version(folder) for folder in version_folders],
        search_path=str(search_path),
        dedup_path=str(dedup_path),
        screening_path=str(screening_path),
        first_version_path=str(first_version_path) if first_version_path else None,
    )


# ---------------------------------------------------------------- arithmetic between boxes


@dataclass(frozen=True)
class Check:
    """One arithmetic check between boxes: status `ok`, `failed` or `skipped`."""

    name: str
    status: str
    detail: str


def n(count: Count) -> str:
    return "not reported" if count.value is None else str(count.value)


def _skip(name: str, missing: Iterable[tuple[str, Count]]) -> Check:
    said = "; ".join(f"{label} is not reported ({c.source})" for label, c in missing)
    return Check(name, "skipped", said)


def _equation(
    name: str, terms: Sequence[tuple[str, str, Count]], result: tuple[str, Count]
) -> Check:
    """Check sum(sign * term) == result; terms are (sign, box label, count)."""
    missing = [(label, c) for _, label, c in terms if not c.reported]
    if not result[1].reported:
        missing.append(result)
    if missing:
        return _skip(name, missing)
    value = sum(c.value if sign == "+" else -c.value for sign, _, c in terms)
    left = " ".join(
        f"{'' if i == 0 and sign == '+' else sign + ' '}{label} (n = {c.value})"
        for i, (sign, label, c) in enumerate(terms)
    )
    label, expected = result
    if value == expected.value:
        return Check(name, "ok", f"{left} = {value} = {label} (n = {expected.value})")
    sources = "; ".join(c.source for _, _, c in terms) + f"; {expected.source}"
    return Check(
        name,
        "failed",
        f"{left} = {value}, but {label} is {expected.value} (sources: {sources})",
    )


def _pending_terms(label: str, pending: Count) -> list[tuple[str, str, Count]]:
    """A pending count joins an equation only when it is a number above 0."""
    return [("-", label, pending)] if pending.reported and pending.value else []


def check_identification(ident: Identification, prefix: str) -> list[Check]:
    checks = [
        _equation(
            f"{prefix}databases add up to the records deduplicated",
            [("+", name, c) for name, c in ident.databases],
            ("Records deduplicated", ident.dedup_records),
        ),
        _equation(
            f"{prefix}deduplication adds up",
            [
                ("+", "Records deduplicated", ident.dedup_records),
                ("-", "Duplicate records removed", ident.duplicates),
            ],
            ("Unique records", ident.unique_records),
        ),
    ]
    return checks


def check_screening(ident: Identification, screen: Screening, prefix: str) -> list[Check]:
    """identified - removed = screened; screened - excluded = sought; sought - not retrieved =
    assessed; assessed - excluded = included (pending records/reports taken out where given)."""
    checks = [
        _equation(
            f"{prefix}identified - removed before screening = screened",
            [
                ("+", "Records identified from databases", ident.records),
                ("-", "Duplicate records removed", ident.removed_duplicates),
                *_pending_terms("Records awaiting screening", screen.records_pending),
            ],
            ("Records screened", screen.records_screened),
        ),
        _equation(
            f"{prefix}screened - excluded = sought",
            [
                ("+", "Records screened", screen.records_screened),
                ("-", "Records excluded", screen.records_excluded),
            ],
            ("Reports sought for retrieval", screen.reports_sought),
        ),
        _equation(
            f"{prefix}sought - not retrieved = assessed",
            [
                ("+", "Reports sought for retrieval", screen.reports_sought),
                ("-", "Reports not retrieved", screen.reports_not_retrieved),
                *_pending_terms("Reports awaiting assessment", screen.reports_pending),
            ],
            ("Reports assessed for eligibility", screen.reports_assessed),
        ),
        _equation(
            f"{prefix}assessed - excluded = included",
            [
                ("+", "Reports assessed for eligibility", screen.reports_assessed),
                ("-", "Reports excluded", screen.reports_excluded_total),
            ],
            ("Reports of included studies", screen.reports_included),
        ),
    ]
    if any(c.status == "skipped" for c in checks[1:]):
        checks.append(_bound_check(screen, prefix))
    studies, reports = screen.studies_included, screen.reports_included
    name = f"{prefix}studies included <= reports of included studies"
    if not (studies.reported and reports.reported):
        checks.append(
            _skip(
                name,
                [
                    (lbl, c)
                    for lbl, c in (
                        ("Studies included", studies),
                        ("Reports of included studies", reports),
                    )
                    if not c.reported
                ],
            )
        )
    elif studies.value <= reports.value:
        checks.append(Check(name, "ok", f"{studies.value} studies <= {reports.value} reports"))
    else:
        checks.append(
            Check(
                name,
                "failed",
                f"Studies included (n = {studies.value}) outnumber their Reports "
                f"(n = {reports.value}): every study has at least one report "
                f"(sources: {studies.source}; {reports.source})",
            )
        )
    return checks


def _bound_check(screen: Screening, prefix: str) -> Check:
    """Where a count in the chain is not reported, the reported ones must still fit: the
    included reports plus every reported exclusion after screening cannot exceed the records
    screened."""
    name = f"{prefix}included + reported exclusions <= screened (chain has unreported counts)"
    parts = [
        ("Records excluded", screen.records_excluded),
        ("Reports not retrieved", screen.reports_not_retrieved),
        ("Reports excluded", screen.reports_excluded_total),
        ("Reports of included studies", screen.reports_included),
    ]
    if screen.reports_excluded is not None and not screen.reports_excluded_total.reported:
        parts[2] = (
            "Reports excluded (reported reasons)",
            Count(
                sum(r.count.value for r in screen.reports_excluded if r.count.reported),
                screen.reports_excluded_source,
            ),
        )
    screened = screen.records_screened
    if not screened.reported or not screen.reports_included.reported:
        return _skip(
            name,
            [
                (lbl, c)
                for lbl, c in (
                    ("Records screened", screened),
                    ("Reports of included studies", screen.reports_included),
                )
                if not c.reported
            ],
        )
    known = [(label, c) for label, c in parts if c.reported]
    value = sum(c.value for _, c in known)
    left = " + ".join(f"{label} (n = {c.value})" for label, c in known)
    if value <= screened.value:
        return Check(name, "ok", f"{left} = {value} <= Records screened (n = {screened.value})")
    return Check(
        name,
        "failed",
        f"{left} = {value}, more than the Records screened (n = {screened.value}) "
        f"(sources: {'; '.join(c.source for _, c in known)}; {screened.source})",
    )


def check_dataset(flow: Flow) -> list[Check]:
    if flow.dataset_studies is None:
        return []
    name = "studies included = studies of the dataset"
    studies = flow.total_studies
    if not studies.reported:
        return [_skip(name, [("Total studies included", studies)])]
    label = "Total studies included in review" if flow.updated else "Studies included in review"
    if studies.value == flow.dataset_studies.value:
        return [
            Check(
                name,
                "ok",
                f"{label} (n = {studies.value}) = studies with patients in the dataset "
                f"(n = {flow.dataset_studies.value})",
            )
        ]
    awaiting = flow.studies_awaiting_extraction
    if awaiting is not None:
        plural = "study" if awaiting.value == 1 else "studies"
        return [
            Check(
                name,
                "ok",
                f"{label} (n = {studies.value}) = studies with patients in the dataset "
                f"(n = {flow.dataset_studies.value}) + {awaiting.value} new {plural} awaiting "
                "data extraction (drawn as such; add their rows from "
                "results/screening/new_studies.xlsx to the workbook and extract their patients)",
            )
        ]
    previous = flow.previous.screening.studies_included if flow.updated else None
    if previous is not None and previous.reported and flow.dataset_studies.value < previous.value:
        return [
            Check(
                name,
                "failed",
                f"the dataset holds patients of {flow.dataset_studies.value} studies "
                f"({flow.dataset_studies.source}), fewer than the {previous.value} studies of the "
                f"previous version ({previous.source}): every study of the previous version "
                "needs its patients in the workbook",
            )
        ]
    return [
        Check(
            name,
            "failed",
            f"{label} (n = {studies.value}, {studies.source}) but the dataset holds patients of "
            f"{flow.dataset_studies.value} studies ({flow.dataset_studies.source}): extract the "
            "included studies' patients (or correct the screening) so that the patients drawn "
            "belong to the studies drawn",
        )
    ]


def check_flow(flow: Flow) -> list[Check]:
    """Every arithmetic check between the boxes of the diagram (and of the previous version)."""
    checks: list[Check] = []
    if flow.previous is not None:
        prev = flow.previous
        checks += check_identification(prev.identification, "previous version: ")
        checks += check_screening(prev.identification, prev.screening, "previous version: ")
        prefix = "update: "
    else:
        prefix = ""
    checks += check_identification(flow.identification, prefix)
    checks += check_screening(flow.identification, flow.screening, prefix)
    checks += check_dataset(flow)
    return checks


class CountsDoNotAddUp(InputProblems):
    """Boxes of the PRISMA flow whose numbers disagree."""


def raise_if_failed(checks: Sequence[Check], sources: str) -> None:
    failed = [f"{c.name}: {c.detail}" for c in checks if c.status == "failed"]
    if failed:
        raise CountsDoNotAddUp(f"PRISMA flow counts ({sources})", failed)


# ---------------------------------------------------------------- the PRISMA2020 app's CSV


def csv_number(count: Count | None) -> str:
    if count is None or count.value is None:
        return CSV_NOT_A_NUMBER
    return str(count.value)


def csv_reasons(screen: Screening) -> str:
    """`Reason, n; Reason, n` as the app parses it (`,` and `;` are its separators, so they are
    replaced inside a reason by ` /`)."""
    if screen.reports_excluded is None:
        return CSV_NOT_A_NUMBER
    if not screen.reports_excluded:
        return "0"
    parts = []
    for item in screen.reports_excluded:
        reason = item.reason.replace(";", " /").replace(",", " /")
        parts.append(f"{reason}, {csv_number(item.count)}")
    return guard_cell("; ".join(parts))


def csv_values(flow: Flow) -> dict[str, str]:
    """The `n` cell of each count row of the template; every other row gets `NA`."""
    ident, screen = flow.identification, flow.screening
    values = {
        "database_results": csv_number(ident.records),
        "duplicates": csv_number(ident.removed_duplicates),
        "records_screened": csv_number(screen.records_screened),
        "records_excluded": csv_number(screen.records_excluded),
        "dbr_sought_reports": csv_number(screen.reports_sought),
        "dbr_notretrieved_reports": csv_number(screen.reports_not_retrieved),
        "dbr_assessed": csv_number(screen.reports_assessed),
        "dbr_excluded": csv_reasons(screen),
        "new_studies": csv_number(screen.studies_included),
        "new_reports": csv_number(screen.reports_included),
        "total_studies": csv_number(flow.total_studies),
        "total_reports": csv_number(flow.total_reports),
    }
    if flow.previous is not None:
        values["previous_studies"] = csv_number(flow.previous.screening.studies_included)
        values["previous_reports"] = csv_number(flow.previous.screening.reports_included)
    return values


def csv_rows(flow: Flow) -> list[list[str]]:
    values = csv_values(flow)
    rows = [list(CSV_COLUMNS)]
    for row in TEMPLATE_ROWS:
        rows.append([*row, values.get(row[0], CSV_NOT_A_NUMBER)])
    return rows


def write_csv(flow: Flow, path: str | os.PathLike) -> None:
    """results/prisma/prisma_counts.csv: the template's layout, our counts in `n`."""
    with atomic_write(path) as handle:
        csv.writer(handle, lineterminator="\n").writerows(csv_rows(flow))


# ---------------------------------------------------------------- what the log and report show


def box_counts(flow: Flow) -> list[tuple[str, str, str]]:
    """(box, n, source) for every count the diagram draws, in the diagram's order."""
    rows: list[tuple[str, str, str]] = []

    def add(label: str, count: Count | None) -> None:
        if count is not None:
            rows.append((label, n(count), count.source))

    def add_part(ident: Identification, screen: Screening, prefix: str) -> None:
        add(f"{prefix}Records identified from databases", ident.records)
        for name, count in ident.databases:
            add(f"{prefix}  {name}", count)
        add(f"{prefix}Duplicate records removed", ident.removed_duplicates)
        add(f"{prefix}Records screened", screen.records_screened)
        if screen.records_pending.value:
            add(f"{prefix}Records awaiting screening", screen.records_pending)
        add(f"{prefix}Records excluded", screen.records_excluded)
        add(f"{prefix}Reports sought for retrieval", screen.reports_sought)
        add(f"{prefix}Reports not retrieved", screen.reports_not_retrieved)
        add(f"{prefix}Reports assessed for eligibility", screen.reports_assessed)
        if screen.reports_pending.value:
            add(f"{prefix}Reports awaiting assessment", screen.reports_pending)
        if screen.reports_excluded is None:
            add(f"{prefix}Reports excluded", screen.reports_excluded_total)
        for item in screen.reports_excluded or ():
            add(f"{prefix}Reports excluded: {item.reason}", item.count)
        add(f"{prefix}Studies included", screen.studies_included)
        add(f"{prefix}Reports of included studies", screen.reports_included)

    if flow.previous is not None:
        add_part(flow.previous.identification, flow.previous.screening, "Previous version: ")
        add("Previous version: Patients", flow.previous.patients)
        add_part(flow.identification, flow.screening, "New: ")
        add("Total studies included in review", flow.total_studies)
        add("Reports of total included studies", flow.total_reports)
    else:
        add_part(flow.identification, flow.screening, "")
    add("Patients", flow.patients)
    add("New studies awaiting data extraction", flow.studies_awaiting_extraction)
    return rows


def log_lines(flow: Flow, checks: Sequence[Check]) -> list[str]:
    kind = "updated review" if flow.updated else "new review"
    lines = [
        f"PRISMA 2020 flow diagram: {kind}; windows drawn: {', '.join(flow.identification.windows)}"
    ]
    if flow.previous is not None:
        lines.append(f"previous version: windows {', '.join(flow.previous.identification.windows)}")
    if flow.reported_windows:
        lines.append(
            "counts transcribed from a published report (not derived by the workflow): windows "
            + ", ".join(flow.reported_windows)
        )
    lines.append("boxes (n, source):")
    lines += [f"  {box}: {value}  [{source}]" for box, value, source in box_counts(flow)]
    lines.append(
        "not applicable (no such step in this workflow; left out of the diagram, NA in "
        "the CSV): registers, websites, organisations, citation searching, records "
        "marked ineligible by automation tools, records removed for other reasons"
    )
    lines.append("arithmetic checks:")
    lines += [f"  {c.status.upper():8} {c.name}: {c.detail}" for c in checks]
    return lines


def checks_page_sections(flow: Flow, checks: Sequence[Check]) -> list[Section]:
    """The report page's content: every box with its source, and every check with its result."""
    boxes = pd.DataFrame(box_counts(flow), columns=["box", "n", "source"])
    table = pd.DataFrame(
        [(c.name, c.status, c.detail) for c in checks], columns=["check", "result", "detail"]
    )
    kind = "an updated review" if flow.updated else "a new review"
    return [
        Section(
            "Boxes",
            boxes,
            f"Every count of the PRISMA 2020 flow diagram ({kind}), with the file and key it "
            "comes from. 'not reported' means the source did not report the count.",
        ),
        Section(
            "Arithmetic checks",
            table,
            "A failed check stops the build, naming the boxes and numbers; a check that needs a "
            "count that was not reported is skipped, and says which.",
        ),
    ]
