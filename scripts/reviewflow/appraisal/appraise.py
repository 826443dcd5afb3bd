"""Critical appraisal of the included studies: the checklist file, the appraisers' workbooks,
agreement per item, adjudication of conflicts and the overall judgement per study.

The checklist (e.g. config/appraisal/jbi_case_reports.yaml) declares its items, the answers
(with the colour and symbol of the traffic-light figure) and the overall rule: the answers in
`overall.count` are counted over the items, and the first judgement whose `at_most` the count
does not exceed is the study's (the last judgement has no `at_most`).

Each appraiser fills in a workbook generated from the checklist (one row per included study, a
drop-down per item), read by `reviewflow.extraction.workbook.read_sheet` (every problem
located). A study is
appraised when every declared appraiser answered all its items and every item on which they
differ is settled by a row of the adjudication file (`study_id, item, answer, reviewer, note`).
Otherwise its judgement is `not_appraised`, with the reason: nothing is invented.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from reviewflow.core.agreement import cohen_kappa
from reviewflow.core.archives import unzipped_size_problem
from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.core.io import atomic_path
from reviewflow.core.spreadsheet import Column, write_sheet
from reviewflow.core.yamlfile import read_yaml
from reviewflow.extraction.adjudication import one_row_per_key, read_adjudication_rows
from reviewflow.extraction.codebook import Field, Sheet
from reviewflow.extraction.workbook import fit_row_heights, read_sheet, sheet_columns

NOT_APPRAISED = "not_appraised"
SHEET = "appraisal"
OTHER_SHEETS = ("readme", "lists")
# the columns of the studies table the appraisal workbook shows, one row per study
SHOWN_STUDY_COLUMNS = ("study_id", "first_author", "year", "title")
ADJUDICATION_COLUMNS = ("study_id", "item", "answer", "reviewer", "note")
ADJUDICATION_REQUIRED = ("study_id", "item", "answer", "reviewer")
STATUSES = ("appraised", "in_conflict", "incomplete", NOT_APPRAISED)
# Column names of the workbook and of appraisal.tsv that an item id may not take.
RESERVED_COLUMNS = (
    *SHOWN_STUDY_COLUMNS,
    "note",
    "study",
    "status",
    "appraisers",
    "judgement",
    "reason",
    "adjudicated",
)


@dataclass(frozen=True)
class Answer:
    label: str
    colour: str
    symbol: str


@dataclass(frozen=True)
class Item:
    id: str
    short: str
    question: str
    domain: str = ""


@dataclass(frozen=True)
class Judgement:
    label: str
    colour: str
    description: str
    at_most: int | None = None
    symbol: str = ""


@dataclass(frozen=True)
class Checklist:
    path: str
    name: str
    citation: str
    answers: tuple[Answer, ...]
    items: tuple[Item, ...]
    count: tuple[str, ...]
    judgements: tuple[Judgement, ...]

    @property
    def answer_labels(self) -> list[str]:
        return [a.label for a in self.answers]

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def labels(self) -> list[str]:
        """Every judgement a study can get: the declared ones, then `not_appraised`."""
        return [j.label for j in self.judgements] + [NOT_APPRAISED]

    def judge(self, answers: Mapping[str, str]) -> tuple[str, str]:
        """(judgement, reason) of one study's final answers by the declared rule."""
        counted = [(i, answers[i]) for i in self.item_ids if answers[i] in self.count]
        listed = ", ".join(f"{i} {a}" for i, a in counted)
        what = " or ".join(self.count)
        for judgement in self.judgements:
            if judgement.at_most is None or len(counted) <= judgement.at_most:
                return (
                    judgement.label,
                    f"{len(counted)} of {len(self.items)} items {what}"
                    + (f" ({listed})" if listed else "")
                    + f": {judgement.description}",
                )
        raise AssertionError("the last judgement has no at_most")  # checked by load_checklist


def load_checklist(path: str | Path) -> Checklist:
    """Read and check a checklist file; every problem is reported at once."""
    path = str(path)
    data = read_yaml(path) or {}
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InputProblems(path, [f"{path}: not a mapping: keys name, answers, items, overall"])
    for key in ("name", "answers", "items", "overall"):
        if key not in data:
            problems.append(f"{path}: {key}: missing: keys name, answers, items, overall")
    answers = tuple(
        Answer(str(a.get("label", "")), str(a.get("colour", "#FFFFFF")), str(a.get("symbol", "")))
        for a in data.get("answers") or []
        if isinstance(a, dict)
    )
    labels = [a.label for a in answers]
    if len(answers) < 2 or "" in labels or len(set(labels)) != len(labels):
        problems.append(f"{path}: answers: {labels}: at least two distinct labels")
    items = tuple(
        Item(
            str(i.get("id", "")),
            str(i.get("short", i.get("id", ""))),
            " ".join(str(i.get("question", "")).split()),
            str(i.get("domain", "")),
        )
        for i in data.get("items") or []
        if isinstance(i, dict)
    )
    ids = [i.id for i in items]
    if not items or "" in ids or len(set(ids)) != len(ids):
        problems.append(f"{path}: items: {ids}: at least one item, each with a unique id")
    for item in items:
        if item.id in RESERVED_COLUMNS:
            problems.append(f"{path}: items: {item.id!r}: a reserved column name: another id")
        if not item.question:
            problems.append(f"{path}: items: {item.id}: question missing: the item's question")
    overall = data.get("overall") or {}
    count = tuple(str(c) for c in overall.get("count") or [])
    for label in count:
        if label not in labels:
            problems.append(f"{path}: overall.count: {label!r}: not an answer: one of {labels}")
    judgements = tuple(
        Judgement(
            str(j.get("label", "")),
            str(j.get("colour", "#FFFFFF")),
            str(j.get("description", "")),
            j.get("at_most"),
            str(j.get("symbol", "")),
        )
        for j in overall.get("judgements") or []
        if isinstance(j, dict)
    )
    names = [j.label for j in judgements]
    if not judgements or "" in names or len(set(names)) != len(names) or NOT_APPRAISED in names:
        problems.append(
            f"{path}: overall.judgements: {names}: at least one, unique labels, "
            f"not {NOT_APPRAISED!r}"
        )
    elif judgements[-1].at_most is not None or any(
        not isinstance(j.at_most, int) or isinstance(j.at_most, bool) for j in judgements[:-1]
    ):
        problems.append(
            f"{path}: overall.judgements: every judgement but the last needs a whole number "
            "at_most, the last none (it takes every other count)"
        )
    raise_if_any(path, problems)
    return Checklist(
        path=path,
        name=str(data["name"]),
        citation=" ".join(str(data.get("citation", "")).split()),
        answers=answers,
        items=items,
        count=count,
        judgements=judgements,
    )


# --- the appraisers' workbooks ---------------------------------------------------------------


def appraisal_sheet(checklist: Checklist) -> Sheet:
    """The appraisal sheet as a codebook sheet: the study columns, one choice per item, a note."""
    study = [
        Field(
            "study_id",
            "Study",
            "id",
            "The included study (filled in; do not change).",
            pattern=r"^\S+$",
            example="S01",
            width=9,
        ),
        Field(
            "first_author",
            "First author",
            "text",
            "Filled in from the included studies.",
            required=False,
            width=16,
        ),
        Field(
            "year", "Year", "text", "Filled in from the included studies.", required=False, width=7
        ),
        Field(
            "title",
            "Title",
            "text",
            "Filled in from the included studies.",
            required=False,
            width=40,
        ),
    ]
    answers = ", ".join(checklist.answer_labels)
    items = [
        Field(
            item.id,
            item.short,
            "choice",
            f"{item.question} Answer {answers}.",
            required=False,
            blank_means="not answered yet",
            words=tuple(checklist.answer_labels),
            width=max(10, len(item.short) + 2, *(len(a) + 2 for a in checklist.answer_labels)),
        )
        for item in checklist.items
    ]
    note = Field(
        "note",
        "Note",
        "text",
        "Optional: what supports the answers.",
        required=False,
        width=40,
        wrap=True,
    )
    return Sheet(name=SHEET, fields=(*study, *items, note))


def write_appraisal_workbook(
    checklist: Checklist,
    studies: pd.DataFrame,
    appraiser: str,
    path: str | Path,
    save_as: str = "extraction/appraisal/<appraiser>.xlsx",
) -> None:
    """The appraisal workbook of one appraiser: a row per included study (`studies`: columns
    study_id, first_author, year, title), a drop-down per item, a readme sheet with the
    questions; written atomically."""
    spec = appraisal_sheet(checklist)
    columns = sheet_columns(spec)
    rows = [
        [str(r[c]) for c in SHOWN_STUDY_COLUMNS] + [None] * (len(checklist.items) + 1)
        for r in studies.fillna("").to_dict("records")
    ]
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet(SHEET)
    write_sheet(sheet, columns, rows, validation_rows=max(len(rows) + 1, 2))
    sheet.freeze_panes = "E2"  # the study columns stay in view
    print_on_page_width(sheet)
    sheet.print_title_rows = "1:1"
    fit_row_heights(sheet, columns)
    readme = book.create_sheet("readme")
    lines = [
        ["checklist", checklist.name, ""],
        ["citation", checklist.citation, ""],
        ["appraiser", appraiser, f"save this workbook as {save_as}"],
        ["answers", ", ".join(checklist.answer_labels), "choose from the drop-down of each cell"],
    ]
    lines += [[item.id, item.question, item.domain] for item in checklist.items]
    readme_columns = [Column("what", 14), Column("text", 90, wrap=True), Column("more", 40)]
    write_sheet(readme, readme_columns, lines, validation_rows=1)
    fit_row_heights(readme, readme_columns)
    print_on_page_width(readme)
    if "lists" in book.sheetnames:
        book.move_sheet("lists", offset=len(book.sheetnames))
    book.active = 0
    with atomic_path(path) as tmp:
        book.save(tmp)


def print_on_page_width(sheet) -> None:
    """Printed (or exported to PDF) landscape, every column on one page width."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


@dataclass
class StudyAnswers:
    """One appraiser's answers to one study, with their cell addresses."""

    answers: dict[str, str]
    cells: dict[str, str]
    note: str = ""


@dataclass
class AppraiserFile:
    """What one appraiser's workbook holds: complete answers by study id."""

    appraiser: str
    path: str
    studies: dict[str, StudyAnswers] = field(default_factory=dict)


def read_appraisal_workbook(
    path: str | Path, appraiser: str, checklist: Checklist, study_ids: Sequence[str]
) -> tuple[AppraiserFile, list[str]]:
    """One appraiser's workbook and its problems (each `file: sheet!cell: value: ...`): cells
    checked against the checklist's answers, study ids against the included studies, a study
    answered in part (answer every item, or none yet)."""
    path = str(path)
    result = AppraiserFile(appraiser, path)
    too_large = unzipped_size_problem(path)
    if too_large:
        return result, [f"{path}: {too_large}"]
    try:
        book = load_workbook(path, data_only=False)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError) as error:
        return result, [f"{path}: cannot be read as an .xlsx workbook ({error})"]
    problems: list[str] = []
    for name in book.sheetnames:
        if name != SHEET and name not in OTHER_SHEETS:
            problems.append(f"{name}!A1: {name!r}: unknown sheet: only {SHEET}, readme, lists")
    if SHEET not in book.sheetnames:
        problems.append(f"{SHEET}!A1: '': sheet {SHEET} is missing: the generated workbook's")
        return result, [f"{path}: {p}" for p in problems]
    raw = read_sheet(book[SHEET], appraisal_sheet(checklist), problems)
    known = set(study_ids)
    for row, cells in zip(raw.rows, raw.cells, strict=True):
        study = row["study_id"]
        if study not in known:
            problems.append(
                f"{cells['study_id']}: {study!r}: not an included study "
                "(results/extraction/studies.tsv): the rows of the generated workbook"
            )
            continue
        answered = [i for i in checklist.item_ids if row[i]]
        if not answered:
            continue
        for item in checklist.item_ids:
            if not row[item]:
                problems.append(
                    f"{cells[item]}: '': {item} is empty but study {study} has other answers: "
                    f"one of {', '.join(checklist.answer_labels)} (answer every item, or none)"
                )
        if len(answered) == len(checklist.items):
            result.studies[study] = StudyAnswers(
                {i: row[i] for i in checklist.item_ids},
                {i: f"{path}:{cells[i]}" for i in checklist.item_ids},
                row["note"],
            )
    return result, [f"{path}: {p}" for p in problems]


def read_appraisals(
    paths: Mapping[str, str], checklist: Checklist, study_ids: Sequence[str]
) -> dict[str, AppraiserFile]:
    """Every declared appraiser's workbook (a missing one: nothing appraised by them yet); all
    problems of all files raised at once."""
    problems: list[str] = []
    files = {}
    for appraiser, path in paths.items():
        if not Path(path).exists():
            files[appraiser] = AppraiserFile(appraiser, path)
            continue
        files[appraiser], found = read_appraisal_workbook(path, appraiser, checklist, study_ids)
        problems.extend(found)
    raise_if_any(", ".join(paths.values()), problems)
    return files


# --- combining the appraisers ----------------------------------------------------------------


@dataclass(frozen=True)
class StudyAppraisal:
    """The final appraisal of one study."""

    study_id: str
    status: str  # one of STATUSES
    appraisers: tuple[str, ...]  # who answered every item
    answers: dict[str, str]  # final answers (empty unless appraised)
    judgement: str
    reason: str
    adjudicated: tuple[str, ...] = ()  # items settled by adjudication


def conflicts_of(files: Mapping[str, AppraiserFile], checklist: Checklist) -> list[dict]:
    """Every (study, item) on which appraisers who answered the study differ."""
    found = []
    studies: list[str] = []
    for file in files.values():
        studies.extend(s for s in file.studies if s not in studies)
    for study in studies:
        answered = {a: f.studies[study] for a, f in files.items() if study in f.studies}
        if len(answered) < 2:
            continue
        for item in checklist.item_ids:
            answers = {a: s.answers[item] for a, s in answered.items()}
            if len(set(answers.values())) > 1:
                cells = {a: s.cells[item] for a, s in answered.items()}
                found.append({"study_id": study, "item": item, "answers": answers, "cells": cells})
    return found


def read_appraisal_adjudication(
    path: str | Path, conflicts: Sequence[dict], checklist: Checklist
) -> dict[tuple[str, str], object]:
    """The adjudication file's rows by (study_id, item); each must settle a conflict with one of
    the checklist's answers."""
    problems: list[str] = []
    rows = read_adjudication_rows(path, ADJUDICATION_COLUMNS, ADJUDICATION_REQUIRED, problems)
    settled = one_row_per_key(rows, ("study_id", "item"), problems)
    open_keys = {(c["study_id"], c["item"]) for c in conflicts}
    for key, row in settled.items():
        if key[1] not in checklist.item_ids:
            problems.append(
                f"{row.where}: {key[1]!r}: unknown item: one of {', '.join(checklist.item_ids)}"
            )
        elif key not in open_keys:
            problems.append(
                f"{row.where}: {key[0]} {key[1]}: no conflict to settle (the appraisers agree, or "
                "not all have answered the study): delete the row"
            )
        if row["answer"] and row["answer"] not in checklist.answer_labels:
            problems.append(
                f"{row.where}: {row['answer']!r}: answer is not allowed: "
                f"one of {', '.join(checklist.answer_labels)}"
            )
    raise_if_any(str(path), problems)
    return settled


def combine(
    study_ids: Sequence[str],
    files: Mapping[str, AppraiserFile],
    settled: Mapping[tuple[str, str], object],
    checklist: Checklist,
) -> list[StudyAppraisal]:
    """The final appraisal of every included study (in `study_ids` order)."""
    declared = list(files)
    result = []
    for study in study_ids:
        answered = {a: f.studies[study] for a, f in files.items() if study in f.studies}
        who = tuple(answered)
        if not answered:
            reason = (
                "no appraisal (no appraiser declared)"
                if not declared
                else f"not appraised yet by {', '.join(declared)}"
            )
            result.append(StudyAppraisal(study, NOT_APPRAISED, who, {}, NOT_APPRAISED, reason))
            continue
        missing = [a for a in declared if a not in answered]
        if missing:
            reason = f"appraised by {', '.join(who)} only; {', '.join(missing)} still to appraise"
            result.append(StudyAppraisal(study, "incomplete", who, {}, NOT_APPRAISED, reason))
            continue
        final, open_items, adjudicated = {}, [], []
        for item in checklist.item_ids:
            answers = {s.answers[item] for s in answered.values()}
            if len(answers) == 1:
                final[item] = answers.pop()
            elif (study, item) in settled:
                final[item] = settled[(study, item)]["answer"]
                adjudicated.append(item)
            else:
                open_items.append(item)
        if open_items:
            reason = (
                f"appraisers disagree on {', '.join(open_items)}, not yet adjudicated "
                "(results/appraisal/conflicts.tsv)"
            )
            result.append(StudyAppraisal(study, "in_conflict", who, {}, NOT_APPRAISED, reason))
            continue
        judgement, reason = checklist.judge(final)
        result.append(
            StudyAppraisal(study, "appraised", who, final, judgement, reason, tuple(adjudicated))
        )
    return result


# --- tables ---------------------------------------------------------------------------------


def appraisal_table(
    appraisals: Sequence[StudyAppraisal], studies: pd.DataFrame, checklist: Checklist
) -> pd.DataFrame:
    """results/appraisal/appraisal.tsv: study_id, study (first author and year), status,
    appraisers, one column per item (the final answer), judgement, reason, adjudicated items."""
    label = study_labels(studies)
    rows = []
    for a in appraisals:
        row = {
            "study_id": a.study_id,
            "study": label.get(a.study_id, a.study_id),
            "status": a.status,
            "appraisers": ", ".join(a.appraisers),
        }
        row.update({i: a.answers.get(i, "") for i in checklist.item_ids})
        row.update(
            {"judgement": a.judgement, "reason": a.reason, "adjudicated": ", ".join(a.adjudicated)}
        )
        rows.append(row)
    columns = [
        "study_id",
        "study",
        "status",
        "appraisers",
        *checklist.item_ids,
        "judgement",
        "reason",
        "adjudicated",
    ]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def study_labels(studies: pd.DataFrame) -> dict[str, str]:
    """study_id -> "First author year" (the figure's row labels)."""
    return {
        r["study_id"]: " ".join(p for p in (str(r["first_author"]), str(r["year"])) if p).strip()
        or r["study_id"]
        for r in studies.fillna("").to_dict("records")
    }


def quality_table(appraisals: Sequence[StudyAppraisal]) -> pd.DataFrame:
    """results/appraisal/study_quality.tsv (contract C5): study_id, judgement, reason."""
    return pd.DataFrame(
        [
            {"study_id": a.study_id, "judgement": a.judgement, "reason": a.reason}
            for a in appraisals
        ],
        columns=["study_id", "judgement", "reason"],
    )


def agreement_table(files: Mapping[str, AppraiserFile], checklist: Checklist) -> pd.DataFrame:
    """Agreement per item and pair of appraisers over the studies both answered, then all items
    pooled (item `all`): studies, agreed, raw agreement, Cohen's kappa."""
    rows = []
    for a, b in combinations(files, 2):
        both = [s for s in files[a].studies if s in files[b].studies]
        pooled = []
        for item in checklist.items:
            pairs = [
                (files[a].studies[s].answers[item.id], files[b].studies[s].answers[item.id])
                for s in both
            ]
            pooled.extend(pairs)
            rows.append(_agreement_row(item.id, item.question, a, b, pairs))
        rows.append(_agreement_row("all", "all items pooled", a, b, pooled))
    return pd.DataFrame(
        rows,
        columns=[
            "item",
            "question",
            "appraiser_a",
            "appraiser_b",
            "studies",
            "agreed",
            "raw_agreement",
            "kappa",
        ],
    )


def _agreement_row(item: str, question: str, a: str, b: str, pairs: list) -> dict:
    figures = cohen_kappa(pairs).as_dict()
    return {
        "item": item,
        "question": question,
        "appraiser_a": a,
        "appraiser_b": b,
        "studies": figures["records"],
        "agreed": figures["agreed"],
        "raw_agreement": figures["raw_agreement"],
        "kappa": figures["kappa"],
    }


def conflict_table(
    conflicts: Sequence[dict], settled: Mapping[tuple[str, str], object], appraisers: Sequence[str]
) -> pd.DataFrame:
    """results/appraisal/conflicts.tsv: study_id, item, each appraiser's answer and cell,
    status (open | adjudicated), adjudicated answer, reviewer, the adjudication's line."""
    rows = []
    for c in conflicts:
        row = {"study_id": c["study_id"], "item": c["item"]}
        for a in appraisers:
            row[f"answer_{a}"] = c["answers"].get(a, "")
            row[f"cell_{a}"] = c["cells"].get(a, "")
        decision = settled.get((c["study_id"], c["item"]))
        row["status"] = "adjudicated" if decision else "open"
        row["adjudicated_answer"] = decision["answer"] if decision else ""
        row["reviewer"] = decision["reviewer"] if decision else ""
        row["adjudication"] = decision.where if decision else ""
        rows.append(row)
    columns = ["study_id", "item"]
    for a in appraisers:
        columns += [f"answer_{a}", f"cell_{a}"]
    columns += ["status", "adjudicated_answer", "reviewer", "adjudication"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def appraisal_markdown(table: pd.DataFrame, checklist: Checklist) -> str:
    """appraisal.md: the items' questions, then one row per study with its answers."""
    lines = [f"# Critical appraisal: {checklist.name}", "", checklist.citation, ""]
    lines += [f"- **{i.id}** ({i.short}): {i.question}" for i in checklist.items]
    appraised = int((table["status"] == "appraised").sum())
    lines += ["", f"{appraised} of {len(table)} included studies appraised.", ""]
    columns = ["study", "status", *checklist.item_ids, "judgement", "reason"]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in table.to_dict("records"):
        cells = [str(row[c]).replace("|", "\\|") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
