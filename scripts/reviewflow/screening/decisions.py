"""Screening: reviewers' decisions -> final decision per record and stage, the log, the conflicts,
the agreement and the PRISMA counts.

Two stages, in order: `title_abstract`, then `full_text` for the records that pass it.
A record's decision at a stage is final when a resolution says so, or when at least the
configured number of reviewers decided it and they all agree (same outcome and same reason).
Reviewers who disagree make a conflict, which stays pending until the stage's resolution file
decides it. A record that nobody decided is pending: pending is never counted as excluded.

The first version of the review is known only from the counts it reported
(`config/first_version.yaml`); every later window has one decision per record, reviewer and stage.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reviewflow.core.agreement import cohen_kappa
from reviewflow.core.errors import raise_if_any
from reviewflow.core.first_version import COUNTS as FIRST_VERSION_COUNTS
from reviewflow.core.io import unguard_frame

STAGES = ("title_abstract", "full_text")
STAGE_NAMES = {"title_abstract": "title/abstract", "full_text": "full text"}
# What a reviewer may decide at each stage (matched ignoring case; spaces read as "_").
DECISIONS = {
    "title_abstract": ("include", "maybe", "exclude"),
    "full_text": ("include", "exclude", "not_retrieved"),
}
EXCLUDE = "exclude"
# Title/abstract decisions that send a record on to full text ("maybe": the abstract cannot tell).
PROCEED = ("include", "maybe")
# The reviewer name of each stage's resolution file (it decides conflicts; never a reviewer).
RESOLUTION = "resolution"
FINAL = "final"

# Status of a record at a stage (the `status` of the log's `final` rows).
DECIDED = "decided"
PENDING = "pending"  # no decision yet, or fewer reviewers than required
CONFLICT = "conflict"  # reviewers disagree and no resolution yet (also pending for the counts)
PREVIOUSLY_INCLUDED = "previously_included"  # matches a study of the workbook; not screened again
NOT_REACHED = "not_reached"  # full-text decisions for a record that did not pass title/abstract

# The columns of unique_records.tsv that screening reads (ARCHITECTURE.md, dedup -> screening).
UNIQUE_RECORD_COLUMNS = (
    "record_id",
    "member_ids",
    "first_window",
    "matches_included_study",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "pmid",
    "abstract",
)

# results/screening/screening_log.tsv: one row per decision (reviewer, resolution) and one `final`
# row per record and stage. Sorted by first_window, record_id, stage, then reviewers,
# resolution, final, so that adding records or reviewers never moves an earlier row's bytes.
LOG_COLUMNS = (
    "record_id",  # the unique record (cluster) id of results/dedup/unique_records.tsv
    "first_window",  # the search window that first found the record
    "stage",  # title_abstract | full_text
    "by",  # reviewer name, `resolution`, or `final`
    "decision",  # include | maybe | exclude | not_retrieved; empty when not decided
    "reason",  # exclusion reason (from config), only for exclude
    "status",  # final rows: decided | pending | conflict | previously_included | not_reached
    "basis",  # final rows: why this status (agreement, resolution, awaiting reviewers, ...)
    "source",  # reviewer and resolution rows: the file and line (or sheet row) of the decision
    "note",  # the reviewer's note, as typed
)
CONFLICT_COLUMNS = (
    "record_id",
    "first_window",
    "stage",
    "kind",  # decision (different outcomes) | reason (same exclusion, different reasons)
    "decisions",  # every reviewer's decision, e.g. "alice: include; bob: exclude (reason)"
    "resolved",  # yes | no
    "resolution",  # the resolution's decision (and reason), when resolved
    "title",
)
AGREEMENT_COLUMNS = (
    "stage",
    "reviewer_a",
    "reviewer_b",
    "records",
    "agreed",
    "raw_agreement",
    "kappa",
)
# the PRISMA counts of a stage: the first version's screening counts (a version reports the same
# boxes), then the reasons of the excluded reports and what was included
COUNT_KEYS = (
    *FIRST_VERSION_COUNTS["screening"],
    "reports_excluded",
    "studies_included",
    "reports_included",
)


@dataclass(frozen=True)
class ScreeningSettings:
    """The `screening` section of config/config.yaml."""

    reasons: Mapping[str, Sequence[str]]  # stage -> allowed exclusion reasons
    reviewers_required: Mapping[str, int] = field(
        default_factory=lambda: {"title_abstract": 1, "full_text": 1}
    )
    asreview_default_reason: str | None = None

    @classmethod
    def from_config(cls, section: Mapping, source: str = "config/config.yaml") -> ScreeningSettings:
        reasons = {stage: tuple(section["exclusion_reasons"][stage]) for stage in STAGES}
        default = (section.get("asreview") or {}).get("default_exclusion_reason") or None
        settings = cls(
            reasons=reasons,
            reviewers_required=dict(section["reviewers_required"]),
            asreview_default_reason=default,
        )
        problems = []
        if default is not None and settings.canonical_reason("title_abstract", default) is None:
            problems.append(
                f"screening.asreview.default_exclusion_reason: {default!r} is not one of the "
                f"title_abstract exclusion reasons: {'; '.join(reasons['title_abstract'])}"
            )
        raise_if_any(source, problems)
        return settings

    def canonical_reason(self, stage: str, text: str) -> str | None:
        """The configured reason that `text` names (ignoring case and spacing), or None."""
        wanted = normalise_text(text)
        for reason in self.reasons[stage]:
            if normalise_text(reason) == wanted:
                return reason
        return None


def normalise_text(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def canonical_decision(stage: str, text: str) -> str | None:
    """The decision of `stage` that `text` names ("Not retrieved" -> not_retrieved), or None."""
    wanted = "_".join(str(text).replace("-", " ").split()).casefold()
    return wanted if wanted in DECISIONS[stage] else None


@dataclass(frozen=True)
class Decision:
    """One decision as read from a reviewer or resolution file (already validated)."""

    record_id: str  # the unique record id (a member id typed by the reviewer is mapped to it)
    stage: str
    by: str  # reviewer name, or RESOLUTION
    decision: str
    reason: str  # "" unless decision == exclude
    note: str
    source: str  # where it was read: "file, line 7" or "file, sheet row 7"

    @property
    def key(self) -> tuple[str, str]:
        """What two reviewers must share to agree."""
        return (outcome(self.stage, self.decision), self.reason)

    def label(self) -> str:
        return f"{self.decision} ({self.reason})" if self.reason else self.decision


def outcome(stage: str, decision: str) -> str:
    """The decision as the PRISMA flow sees it: include and maybe both pass title/abstract."""
    if stage == "title_abstract" and decision in PROCEED:
        return "include"
    return decision


# ---------------------------------------------------------------------------------------------
# Records


def read_unique_records(path: str | Path) -> pd.DataFrame:
    """results/dedup/unique_records.tsv as text (empty cell = ""), sorted by window and id; a
    title the table guarded against formulas (`'=...`) is read as it was (the .xlsx sheets store
    it as a text cell, the RIS export is no spreadsheet, the CSV export guards it again)."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)
    frame = unguard_frame(frame)
    problems = [
        f"column {column!r} is missing (the dedup -> screening contract needs it)"
        for column in UNIQUE_RECORD_COLUMNS
        if column not in frame.columns
    ]
    if not problems:
        for position in frame.index[frame["record_id"].str.strip() == ""]:
            problems.append(f"line {position + 2}: record_id is empty")
        duplicated = frame["record_id"].duplicated(keep="first") & (frame["record_id"] != "")
        for position in frame.index[duplicated]:
            problems.append(
                f"line {position + 2}: record_id {frame.at[position, 'record_id']!r} is repeated"
            )
    raise_if_any(str(path), problems)
    return sort_records(frame)


def sort_records(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["first_window", "record_id"], kind="stable").reset_index(drop=True)


def record_id_index(records: pd.DataFrame) -> dict[str, str]:
    """Every id a reviewer may type (record_id or any member id) -> the unique record id."""
    index: dict[str, str] = {}
    for record_id, members in zip(records["record_id"], records["member_ids"], strict=True):
        for member in str(members).split(";"):
            if member.strip():
                index.setdefault(member.strip(), record_id)
    for record_id in records["record_id"]:
        index[record_id] = record_id
    return index


# ---------------------------------------------------------------------------------------------
# Resolution: decisions -> log rows, conflicts


@dataclass
class StageState:
    """The outcome of one record at one stage."""

    status: str
    decision: str = ""
    reason: str = ""
    basis: str = ""


@dataclass
class Screening:
    """Everything derived from the decisions: the log, conflicts, agreement, final states."""

    log: pd.DataFrame
    conflicts: pd.DataFrame
    agreement: dict
    agreement_table: pd.DataFrame
    states: pd.DataFrame  # one row per record and stage: record_id, first_window, stage, status,
    #                      decision, reason, basis (the log's `final` rows)


def summarise(decisions: Iterable[Decision]) -> str:
    return "; ".join(f"{d.by}: {d.label()}" for d in decisions)


def decide_stage(
    stage: str,
    reviewers: Sequence[Decision],
    resolution: Decision | None,
    required: int,
) -> tuple[StageState, str | None]:
    """The state of a record at `stage`, and the kind of conflict ("decision"/"reason") if any."""
    keys = {d.key for d in reviewers}
    conflict = None
    if len(keys) > 1:
        conflict = "decision" if len({k[0] for k in keys}) > 1 else "reason"
    if resolution is not None:
        state = StageState(DECIDED, resolution.decision, resolution.reason, "resolution")
    elif not reviewers:
        state = StageState(PENDING, basis="no decision yet")
    elif conflict:
        state = StageState(CONFLICT, basis=f"reviewers disagree on the {conflict}")
    elif len(reviewers) < required:
        missing = required - len(reviewers)
        state = StageState(
            PENDING, basis=f"awaiting {missing} more reviewer{'s' if missing > 1 else ''}"
        )
    else:
        decisions = {d.decision for d in reviewers}
        # include and maybe agree (both pass title/abstract); the firmer one is final
        final = "include" if "include" in decisions else reviewers[0].decision
        who = ", ".join(d.by for d in reviewers)
        basis = f"agreement of {who}" if len(reviewers) > 1 else f"decided by {who}"
        state = StageState(DECIDED, final, reviewers[0].reason, basis)
    return state, conflict


def screen(
    records: pd.DataFrame,
    decisions: Sequence[Decision],
    settings: ScreeningSettings,
) -> Screening:
    """Combine every decision with the records: the log, conflicts, agreement, final states."""
    records = sort_records(records)
    by_record: dict[tuple[str, str], list[Decision]] = {}
    for decision in decisions:
        by_record.setdefault((decision.record_id, decision.stage), []).append(decision)

    log_rows, conflict_rows, state_rows = [], [], []
    for record in records.itertuples(index=False):
        title_abstract = None
        for stage in STAGES:
            given = sorted(by_record.get((record.record_id, stage), []), key=lambda d: d.by)
            reviewers = [d for d in given if d.by != RESOLUTION]
            resolution = next((d for d in given if d.by == RESOLUTION), None)
            required = settings.reviewers_required[stage]
            if stage == "title_abstract":
                state, conflict = title_abstract_state(record, reviewers, resolution, required)
                title_abstract = state
            else:
                passed = title_abstract.status == DECIDED and title_abstract.decision in PROCEED
                if not passed and not given:
                    continue  # the record never reached full text
                if passed:
                    state, conflict = decide_stage(stage, reviewers, resolution, required)
                else:
                    state, conflict = not_reached(title_abstract), None
            for d in given:
                log_rows.append(
                    log_row(record, stage, d.by, d.decision, d.reason, "", "", d.source, d.note)
                )
            log_rows.append(
                log_row(
                    record,
                    stage,
                    FINAL,
                    state.decision,
                    state.reason,
                    state.status,
                    state.basis,
                    "",
                    "",
                )
            )
            state_rows.append(state_row(record, stage, state, reviewers))
            if conflict:
                conflict_rows.append(conflict_row(record, stage, conflict, reviewers, resolution))
    agreement, agreement_table = stage_agreement(decisions)
    return Screening(
        log=pd.DataFrame(log_rows, columns=list(LOG_COLUMNS)),
        conflicts=pd.DataFrame(conflict_rows, columns=list(CONFLICT_COLUMNS)),
        agreement=agreement,
        agreement_table=agreement_table,
        states=pd.DataFrame(state_rows, columns=list(STATE_COLUMNS)),
    )


def title_abstract_state(
    record, reviewers: Sequence[Decision], resolution: Decision | None, required: int
) -> tuple[StageState, str | None]:
    """A record that matches an included study and that nobody decided is not screened again."""
    if not reviewers and resolution is None and record.matches_included_study:
        basis = f"matches included study {record.matches_included_study}"
        return StageState(PREVIOUSLY_INCLUDED, basis=basis), None
    return decide_stage("title_abstract", reviewers, resolution, required)


def not_reached(title_abstract: StageState) -> StageState:
    """The full-text state of a record with full-text decisions that did not pass title/abstract."""
    if title_abstract.status == DECIDED:
        basis = "excluded at title/abstract: full-text decisions not counted"
    else:
        basis = "title/abstract not decided yet: full-text decisions wait"
    return StageState(NOT_REACHED, basis=basis)


def state_row(record, stage: str, state: StageState, reviewers: Sequence[Decision]) -> dict:
    return {
        "record_id": record.record_id,
        "first_window": record.first_window,
        "stage": stage,
        "status": state.status,
        "decision": state.decision,
        "reason": state.reason,
        "basis": state.basis,
        "decisions": summarise(reviewers),
    }


def conflict_row(
    record, stage: str, kind: str, reviewers: Sequence[Decision], resolution: Decision | None
) -> dict:
    return {
        "record_id": record.record_id,
        "first_window": record.first_window,
        "stage": stage,
        "kind": kind,
        "decisions": summarise(reviewers),
        "resolved": "yes" if resolution is not None else "no",
        "resolution": resolution.label() if resolution is not None else "",
        "title": record.title,
    }


def log_row(record, stage, by, decision, reason, status, basis, source, note) -> dict:
    return {
        "record_id": record.record_id,
        "first_window": record.first_window,
        "stage": stage,
        "by": by,
        "decision": decision,
        "reason": reason,
        "status": status,
        "basis": basis,
        "source": source,
        "note": note,
    }


STATE_COLUMNS = (
    "record_id",
    "first_window",
    "stage",
    "status",
    "decision",
    "reason",
    "basis",
    "decisions",  # the reviewers' decisions, e.g. "alice: include; bob: exclude (reason)"
)


def read_log(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)


def states_from_log(log: pd.DataFrame) -> pd.DataFrame:
    """The final state of every record and stage, as `screen` gives it, from a written log."""
    summaries: dict[tuple[str, str], list[str]] = {}
    rows = []
    for row in log.itertuples(index=False):
        key = (row.record_id, row.stage)
        if row.by == FINAL:
            rows.append(
                {
                    "record_id": row.record_id,
                    "first_window": row.first_window,
                    "stage": row.stage,
                    "status": row.status,
                    "decision": row.decision,
                    "reason": row.reason,
                    "basis": row.basis,
                    "decisions": "; ".join(summaries.pop(key, [])),
                }
            )
        elif row.by != RESOLUTION:
            label = f"{row.decision} ({row.reason})" if row.reason else row.decision
            summaries.setdefault(key, []).append(f"{row.by}: {label}")
    return pd.DataFrame(rows, columns=list(STATE_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Agreement


def stage_agreement(decisions: Sequence[Decision]) -> tuple[dict, pd.DataFrame]:
    """Raw agreement and Cohen's kappa per stage, on the outcome (include/maybe count as one).

    Each pair of reviewers is compared on the records both decided; the stage's figure pools the
    pairs (with exactly two reviewers it is their Cohen's kappa).
    """
    result, rows = {}, []
    for stage in STAGES:
        ratings: dict[str, dict[str, str]] = {}
        for d in decisions:
            if d.stage == stage and d.by != RESOLUTION:
                ratings.setdefault(d.by, {})[d.record_id] = outcome(stage, d.decision)
        pooled, pairs = [], []
        for a, b in itertools.combinations(sorted(ratings), 2):
            common = sorted(set(ratings[a]) & set(ratings[b]))
            if not common:
                continue
            pair = [(ratings[a][r], ratings[b][r]) for r in common]
            pooled += pair
            figures = cohen_kappa(pair).as_dict()
            pairs.append({"reviewers": [a, b], **figures})
            rows.append({"stage": stage, "reviewer_a": a, "reviewer_b": b, **figures})
        result[stage] = {**cohen_kappa(pooled).as_dict(), "pairs": pairs}
    return result, pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


# ---------------------------------------------------------------------------------------------
# Counts


def window_counts(states: pd.DataFrame, reasons: Sequence[str]) -> dict:
    """The PRISMA counts of the records in `states` (the final rows of some windows)."""
    title = states[states["stage"] == "title_abstract"]
    full = states[states["stage"] == "full_text"]
    screened = title[title["status"] == DECIDED]
    sought = screened[screened["decision"].isin(PROCEED)]
    full = full[full["record_id"].isin(set(sought["record_id"]))]
    decided = full[full["status"] == DECIDED]
    excluded = decided[decided["decision"] == EXCLUDE]
    included = int((decided["decision"] == "include").sum())
    per_reason = excluded["reason"].value_counts()
    order = [r for r in reasons if r in per_reason] + sorted(set(per_reason.index) - set(reasons))
    return {
        "records_screened": len(screened),
        "records_excluded": int((screened["decision"] == EXCLUDE).sum()),
        "records_pending": int(title["status"].isin([PENDING, CONFLICT]).sum()),
        "reports_sought": len(sought),
        "reports_not_retrieved": int((decided["decision"] == "not_retrieved").sum()),
        # sought records with no final full-text decision yet (including no decision at all)
        "reports_pending": len(sought) - len(decided),
        "reports_assessed": len(excluded) + included,
        "reports_excluded": [{"reason": r, "n": int(per_reason[r])} for r in order],
        "studies_included": included,
        "reports_included": included,
        "records_previously_included": int((title["status"] == PREVIOUSLY_INCLUDED).sum()),
    }


def previous_version_counts(first_version: Mapping) -> dict:
    """The first version's counts as its article reported them (null: not reported);
    `first_version` as `reviewflow.core.first_version.read_first_version` gives it."""
    screening, included = first_version["screening"], first_version["included"]
    counts = {key: screening.get(key) for key in COUNT_KEYS}
    reasons = screening["reports_excluded"]  # None: not reported
    counts["reports_excluded"] = (
        None if reasons is None else [{"reason": r["reason"], "n": r.get("n")} for r in reasons]
    )
    counts["studies_included"] = included.get("studies")
    counts["reports_included"] = included.get("reports")
    return counts


def build_counts(
    screening: Screening,
    first_version: Mapping,
    settings: ScreeningSettings,
    workbook: Mapping | None = None,
) -> dict:
    """results/screening/counts.json (ARCHITECTURE.md, screening -> prisma)."""
    reasons = settings.reasons["full_text"]
    states = screening.states
    per_window = {
        window: window_counts(states[states["first_window"] == window], reasons)
        for window in sorted(states["first_window"].unique())
    }
    counts = {
        "previous_version": previous_version_counts(first_version),
        "update": window_counts(states, reasons) if len(states) else None,
        "per_window": per_window,
        "agreement": screening.agreement,
    }
    if workbook is not None:
        counts["workbook"] = dict(workbook)
    return counts


def check_outputs_outside(outputs: Iterable[str | Path], decisions_dir: str | Path) -> None:
    """Refuse to write any output inside the reviewers' folder: no reviewer file is replaced."""
    folder = Path(decisions_dir).resolve()
    for output in outputs:
        path = Path(output).resolve()
        if path == folder or folder in path.parents:
            raise ValueError(
                f"{output}: the workflow never writes into the reviewers' folder {decisions_dir}"
            )
