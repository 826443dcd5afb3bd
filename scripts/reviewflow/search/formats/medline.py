"""MEDLINE / .nbib text exported by PubMed, read with Bio.Medline."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from Bio import Medline

from reviewflow.core.records import (
    join_authors,
    join_list,
    make_record,
)
from reviewflow.search.formats.common import (
    MEDLINE_TAG,
    Source,
    year_problem,
)
from reviewflow.search.formats.common import (
    raise_problems as _raise,
)

# --------------------------------------------------------------------------------------------
# MEDLINE / nbib


def read_medline(text: str, path: Path) -> tuple[list[dict[str, str]], int]:
    """Records of a MEDLINE/nbib export; declared = the `PMID-` lines."""
    problems = []
    declared = 0
    record_number = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("PMID-"):
            declared += 1
            record_number = declared
            continue
        if line.startswith("      ") or MEDLINE_TAG.match(line.lstrip("\ufeff")):
            if record_number == 0:
                problems.append(f"line {number}: {line[:40]!r} comes before the first PMID- line")
            continue
        problems.append(
            f"line {number} (record {record_number}): {line[:40]!r} is neither a tag line "
            "('TAG - value') nor a continuation (six spaces)"
        )
    _raise(path, problems)
    records = []
    for number, entry in enumerate(Medline.parse(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if "PMID" not in entry:
            problems.append(f"record {number}: no PMID")
            continue
        problems += year_problem(
            entry.get("DP", ""), f"record {number} (PMID {entry['PMID']})", "DP"
        )
        records.append(medline_record(entry))
    _raise(path, problems)
    return records, declared


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [str(value)]


def medline_record(entry: Mapping) -> dict[str, str]:
    doi = ""
    for article_id in _as_list(entry.get("AID")) + _as_list(entry.get("LID")):
        if article_id.endswith("[doi]"):
            doi = article_id
            break
    authors = _as_list(entry.get("FAU")) or _as_list(entry.get("AU"))
    return make_record(
        source_id=entry.get("PMID", ""),
        title=entry.get("TI") or entry.get("BTI") or "",
        authors=join_authors(authors),
        year=entry.get("DP", ""),
        journal=entry.get("JT") or entry.get("TA") or "",
        volume=entry.get("VI", ""),
        issue=entry.get("IP", ""),
        pages=entry.get("PG", ""),
        doi=doi,
        pmid=entry.get("PMID", ""),
        abstract=entry.get("AB", ""),
        publication_type=join_list(_as_list(entry.get("PT"))),
        language=join_list(_as_list(entry.get("LA"))),
        keywords=join_list(_as_list(entry.get("OT")) + _as_list(entry.get("MH"))),
    )


def read(source: Source) -> tuple[list[dict[str, str]], int | None]:
    """The registry's entry (`reviewflow.search.importers.READERS`)."""
    return read_medline(source.text, source.path)
