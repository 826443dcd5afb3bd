"""Web of Science plain text (FN/VR/PT ... ER/EF; .txt/.ciw/.isi) and tab-delimited (UTF-8 or
UTF-16) exports."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from reviewflow.core.records import (
    clean_text,
    join_authors,
    join_list,
    make_record,
    pages_of,
)
from reviewflow.search.formats.common import (
    WOS_TAG,
    Source,
    year_problem,
)
from reviewflow.search.formats.common import (
    raise_problems as _raise,
)

# --------------------------------------------------------------------------------------------
# Web of Science plain text and tab-delimited

WOS_MULTI = {"AU", "AF", "CR", "C1", "BE", "CA", "GP"}  # one value per continuation line


def read_wos_plain(text: str, path: Path) -> tuple[list[dict[str, str]], int]:
    """Records of a WoS plain-text export; declared = the `PT` lines (the file must end in EF)."""
    problems = []
    entries: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    tag = None
    declared = 0
    start = 0
    saw_end = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.lstrip("\ufeff").rstrip("\r")
        if not line.strip():
            continue
        if saw_end:
            problems.append(f"line {number}: text after the end-of-file marker EF")
            break
        if line.startswith("   ") and current is not None and tag:
            current[tag].append(line.strip())
            continue
        match = WOS_TAG.match(line)
        if not match:
            where = f"record {declared} (from line {start})" if current is not None else "header"
            problems.append(
                f"line {number}, {where}: {line[:40]!r} is not 'TAG value' "
                "(two-character tag, one space) nor a continuation (three spaces)"
            )
            continue
        tag, value = match.group(1), match.group(2) or ""
        if tag == "PT":
            declared += 1
            if current is not None:
                problems.append(f"line {number}: record {declared - 1} has no ER before PT")
            current, start = {"PT": [value]}, number
        elif tag == "ER":
            if current is None:
                problems.append(f"line {number}: ER outside a record")
            else:
                entries.append(current)
                problems += year_problem(
                    " ".join(current.get("PY", [])), f"line {start}, record {declared}", "PY"
                )
            current, tag = None, None
        elif tag == "EF":
            saw_end = True
        elif current is None:
            if tag not in ("FN", "VR"):
                problems.append(f"line {number}: tag {tag} outside a record (no PT before it)")
        elif tag in current and tag not in WOS_MULTI:
            current[tag].append(value)
        else:
            current.setdefault(tag, []).append(value)
    if current is not None:
        problems.append(f"line {start}: record {declared} has no ER: the file ends inside it")
    if not saw_end and not problems:
        problems.append(
            "the file does not end with the end-of-file marker EF: the export is truncated"
        )
    _raise(path, problems)
    return [wos_record(entry) for entry in entries], declared


def _wos_join(entry: Mapping[str, list[str]], tag: str) -> str:
    return clean_text(" ".join(entry.get(tag, [])))


def _wos_authors(entry: Mapping[str, list[str]]) -> list[str]:
    names = entry.get("AF") or entry.get("AU") or []
    # Zoological Record writes "Name (email)"; tab-delimited joins names with "; ".
    return [re.sub(r"\s*\([^)]*@[^)]*\)", "", n) for name in names for n in name.split("; ")]


def wos_record(entry: Mapping[str, list[str]]) -> dict[str, str]:
    ut = _wos_join(entry, "UT")
    keywords = "; ".join(filter(None, [_wos_join(entry, "DE"), _wos_join(entry, "ID")]))
    return make_record(
        source_id=ut or _wos_join(entry, "AN"),
        title=_wos_join(entry, "TI"),
        authors=join_authors(_wos_authors(entry)),
        year=_wos_join(entry, "PY") or _wos_join(entry, "PD") or _wos_join(entry, "EA"),
        journal=_wos_join(entry, "SO"),
        volume=_wos_join(entry, "VL"),
        issue=_wos_join(entry, "IS"),
        pages=pages_of(_wos_join(entry, "BP"), _wos_join(entry, "EP"))
        or _wos_join(entry, "AR")
        or _wos_join(entry, "PS"),
        doi=_wos_join(entry, "DI"),
        pmid=_wos_join(entry, "PM"),
        wos_ut=ut,
        abstract=_wos_join(entry, "AB"),
        publication_type=_wos_join(entry, "DT"),
        language=_wos_join(entry, "LA"),
        keywords=join_list(re.split(r";\s*", keywords)),
    )


def read_wos_tab(text: str, path: Path) -> tuple[list[dict[str, str]], int]:
    """Records of a WoS tab-delimited export; declared = its non-empty data lines."""
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].rstrip("\t").split("\t")
    problems = []
    records = []
    declared = 0
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        declared += 1
        cells = line.split("\t")
        extra = cells[len(header) :]
        if len(cells) < len(header) or any(cell.strip() for cell in extra):
            problems.append(
                f"line {number} (record {declared}): {len(cells)} tab-separated fields, "
                f"the header has {len(header)}"
            )
            continue
        entry = {tag: [cell] for tag, cell in zip(header, cells, strict=False) if cell.strip()}
        problems += year_problem(
            " ".join(entry.get("PY", [])), f"line {number}, record {declared}", "PY"
        )
        for tag in WOS_MULTI & set(entry):
            entry[tag] = entry[tag][0].split("; ")
        records.append(wos_record(entry))
    _raise(path, problems)
    return records, declared


def read(source: Source) -> tuple[list[dict[str, str]], int | None]:
    """The registry's entry (`reviewflow.search.importers.READERS`): plain text or tab-delimited."""
    if source.format == "wos_tab":
        return read_wos_tab(source.text, source.path)
    return read_wos_plain(source.text, source.path)
