"""Start a new review from files: `reviewflow new-review DIR` writes a working skeleton.

The skeleton (package data in ``reviewflow/starter/``) holds everything a review declares:
``config/`` (config, first version's counts, definitions, reported figures, analysis file),
``extraction/`` (a small starter codebook, its vocabulary, the workbook generated from the
codebook with a few example rows, the reviewers' decision files) and ``resources/searches/``.
Its ``Snakefile`` uses the installed workflow as a Snakemake module (reviewflow.deployment), so
``snakemake --cores 4`` inside the folder builds it at once; the team then replaces the examples
with its own review.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from reviewflow.core.errors import InputProblems
from reviewflow.core.yamlfile import read_yaml
from reviewflow.extraction.codebook import Codebook, load_codebook
from reviewflow.extraction.types import TYPES
from reviewflow.extraction.workbook import write_workbook

STARTER = Path(__file__).resolve().parent / "starter"
EXAMPLE_ROWS = "example_rows.yaml"  # turned into the workbook, not copied
WORKBOOK = Path("extraction") / "cases.xlsx"
CODEBOOK = Path("extraction") / "codebook.yaml"
VOCABULARY = Path("extraction") / "vocabulary.yaml"
CONFIG = Path("config") / "config.yaml"
TITLE_LINE = re.compile(r'^(  title: )"TITLE OF YOUR REVIEW"$', re.M)


def cell_value(value: Any, field_type: str) -> Any:
    """A workbook cell as a reviewer would type it: numbers of numeric fields as numbers (the
    reader refuses a number stored as text), everything else as text."""
    if value is None:
        return None
    if TYPES[field_type].typed_as_number and isinstance(value, int | float):
        return value
    return str(value)


def workbook_rows(codebook: Codebook, rows: dict[str, list[dict]]) -> dict[str, list[list]]:
    """Rows given as {sheet: [{field: value}]} in the codebook's column order; an unknown sheet or
    field raises InputProblems naming it."""
    problems = []
    ordered: dict[str, list[list]] = {}
    sheets = {sheet.name: sheet for sheet in codebook.sheets}
    for name, records in rows.items():
        if name not in sheets:
            problems.append(f"{EXAMPLE_ROWS}: sheet {name!r} is not in the codebook")
            continue
        fields = sheets[name].fields
        known = {f.name for f in fields}
        for number, record in enumerate(records, start=1):
            for key in set(record) - known:
                problems.append(f"{EXAMPLE_ROWS}: {name} row {number}: unknown field {key!r}")
        ordered[name] = [[cell_value(r.get(f.name), f.type) for f in fields] for r in records]
    if problems:
        raise InputProblems(EXAMPLE_ROWS, problems)
    return ordered


def check_destination(given: str | os.PathLike) -> None:
    """A new review goes into a new or empty folder, named, that can be written: nothing of a
    team's is ever overwritten, and every refusal names the path and what to give instead."""
    text, dest = str(given), Path(given)
    if not text.strip() or dest.name in ("", ".", ".."):
        shown = repr(text) if text.strip() else "an empty name"
        raise InputProblems(
            shown,
            [
                f"{shown}: give the new review's folder by name (e.g. reviewflow new-review "
                "my-review), not the current or the parent folder"
            ],
        )
    if dest.is_symlink():
        raise InputProblems(
            text,
            [
                f"{dest}: a symbolic link (to {os.readlink(dest)}): give a real folder path for "
                "the new review"
            ],
        )
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputProblems(
            text,
            [f"{dest}: exists and is not an empty folder: give a new folder for the new review"],
        )
    ancestor = dest.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputProblems(
            text, [f"{dest}: {ancestor} is not a folder: give a path inside a folder"]
        )
    try:  # root may write anywhere but on a read-only file system: try it
        with tempfile.TemporaryFile(dir=ancestor):
            pass
    except OSError as error:
        raise InputProblems(
            text,
            [
                f"{dest}: cannot write in {ancestor} ({error.strerror}): give a folder you can "
                "write to"
            ],
        ) from None


def create_review(dest: str | os.PathLike, title: str | None = None) -> list[Path]:
    """Write the skeleton of a new review into `dest` (new or empty), all or nothing.

    Returns the files written, relative to `dest`.
    """
    check_destination(dest)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        shutil.copytree(
            STARTER,
            build,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(EXAMPLE_ROWS, "__pycache__"),
        )
        if title:
            config = build / CONFIG
            # ensure_ascii=False: YAML reads JSON's "\ud83e\udd93" as two lone surrogates
            quoted = json.dumps(title, ensure_ascii=False)
            text = TITLE_LINE.sub(lambda m: m.group(1) + quoted, config.read_text("utf-8"))
            config.write_text(text, encoding="utf-8")
        codebook = load_codebook(build / CODEBOOK, build / VOCABULARY)
        rows = workbook_rows(codebook, read_yaml(STARTER / EXAMPLE_ROWS))
        write_workbook(codebook, build / WORKBOOK, rows)
        if dest.exists():
            dest.rmdir()  # empty, checked above
        build.rename(dest)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return sorted(p.relative_to(dest) for p in dest.rglob("*") if p.is_file())
