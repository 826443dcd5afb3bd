"""RIS (Embase.com, Ovid, Scopus, EBSCO, ...), each record read with rispy."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import rispy

from reviewflow.core.records import (
    clean_text,
    join_authors,
    join_list,
    make_record,
    normalise_doi,
    pages_of,
)
from reviewflow.search.formats.common import (
    RIS_TAG,
    Source,
    year_problem,
)
from reviewflow.search.formats.common import (
    raise_problems as _raise,
)

# --------------------------------------------------------------------------------------------
# RIS


RIS_DECLARED = re.compile(r"^\s*Record\s*#?\s*\d+\s+of\s+(\d+)", re.IGNORECASE)


def split_ris(text: str, path: Path) -> tuple[list[tuple[int, list[str]]], int | None]:
    """The records of a RIS file as (first line number, lines), and the declared total.

    Outside records, lines without a tag are export noise (numbering, "Record #1 of 2",
    "Provider:", links) and are skipped; a tag line outside a record, a record without `ER`,
    or a `TY` inside a record is a problem.
    """
    blocks: list[tuple[int, list[str]]] = []
    problems = []
    declared = None
    current: list[str] | None = None
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.lstrip("\ufeff")
        match = RIS_TAG.match(line)
        tag = match.group(1) if match else None
        if current is None:
            if tag == "TY":
                current, start = [line], number
            elif tag is not None and tag != "ER":
                problems.append(
                    f"line {number}: tag {tag} outside a record (no 'TY  -' line opens it)"
                )
            elif total := RIS_DECLARED.match(line):
                declared = int(total.group(1))
            continue
        if tag == "TY":
            problems.append(
                f"line {number}: record {len(blocks) + 1} (from line {start}) has no "
                "'ER  -' line before the next 'TY  -'"
            )
            current, start = [line], number
            continue
        current.append(line)
        if tag == "ER":
            blocks.append((start, current))
            current = None
    if current is not None:
        problems.append(
            f"line {start}: record {len(blocks) + 1} has no 'ER  -' line: "
            "the file ends inside it (truncated export?)"
        )
    _raise(path, problems)
    return blocks, declared


def read_ris(text: str, path: Path) -> tuple[list[dict[str, str]], int | None]:
    blocks, declared = split_ris(text, path)
    records = []
    problems = []
    for number, (start, lines) in enumerate(blocks, start=1):
        parsed = rispy.loads("\n".join(lines))
        if len(parsed) != 1:
            problems.append(f"line {start}: record {number} could not be read by rispy")
            continue
        raw_year = _first(parsed[0], "year", "publication_year")
        problems += year_problem(raw_year, f"line {start}, record {number}", "PY")
        records.append(ris_record(parsed[0]))
    _raise(path, problems)
    return records, declared


def _first(entry: Mapping, *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if clean_text(value):
            return clean_text(value)
    return ""


def _ris_doi(entry: Mapping) -> str:
    candidates = [entry.get("doi"), entry.get("label")]  # EBSCO puts the DOI in L3 (label)
    candidates += entry.get("unknown_tag", {}).get("L3", [])
    candidates += entry.get("urls", [])
    for value in candidates:
        doi = normalise_doi(value)
        if doi:
            return doi
    return ""


def ris_record(entry: Mapping) -> dict[str, str]:
    """One rispy entry as a record (tags of Embase.com, Ovid, Scopus, EBSCO, Zotero, ...)."""
    unknown = entry.get("unknown_tag", {})
    authors = entry.get("authors") or entry.get("first_authors") or []
    keywords = entry.get("keywords", [])
    db = _first(entry, "name_of_database").lower()
    source_id = _first(entry, "accession_number", "id")
    if "U2" in unknown and re.match(r"L\d+", unknown["U2"][0]):  # Embase.com: U2 = L<id>
        source_id = source_id or unknown["U2"][0]
    for url in entry.get("urls", []):  # Scopus RIS: the EID is in the record's link
        eid = re.search(r"eid=([\w.-]+)", url)
        if eid and not source_id:
            source_id = eid.group(1)
    return make_record(
        source_id=source_id,
        title=_first(entry, "title", "primary_title", "short_title"),
        authors=join_authors(authors),
        year=_first(entry, "year", "publication_year", "date"),
        journal=_first(
            entry,
            "journal_name",
            "secondary_title",
            "alternate_title3",
            "alternate_title1",
            "alternate_title2",
        ),
        volume=_first(entry, "volume") or " ".join(unknown.get("VO", [])),
        issue=_first(entry, "number"),
        pages=pages_of(_first(entry, "start_page"), _first(entry, "end_page")),
        doi=_ris_doi(entry),
        pmid=" ".join(unknown.get("C2", [])) if "pubmed" in db else "",
        embase_id=source_id if "embase" in db else "",
        abstract=_first(entry, "abstract", "notes_abstract"),
        publication_type=_first(entry, "type_of_work", "type_of_reference"),
        language=_first(entry, "language"),
        keywords=join_list(keywords),
    )


def read(source: Source) -> tuple[list[dict[str, str]], int | None]:
    """The registry's entry (`reviewflow.search.importers.READERS`)."""
    return read_ris(source.text, source.path)
