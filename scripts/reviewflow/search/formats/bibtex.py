"""BibTeX exports (Scopus)."""

from __future__ import annotations

import re
from pathlib import Path

from reviewflow.core.records import (
    clean_text,
    join_authors,
    join_list,
    make_record,
)
from reviewflow.search.formats.common import (
    Source,
    year_problem,
)
from reviewflow.search.formats.common import (
    raise_problems as _raise,
)

# --------------------------------------------------------------------------------------------
# BibTeX

BIBTEX_ENTRY = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.M)
BIBTEX_SKIP = {"comment", "string", "preamble"}
# Field names as exported (Scopus writes "funding_text 1" with a no-break space).
BIBTEX_FIELD = re.compile(r"\s*,?\s*([^=,{}\"]+?)\s*=\s*")


def parse_bibtex(text: str, path: Path) -> list[tuple[int, str, dict[str, str]]]:
    """(line, entry type, fields) of each entry; braces and quotes balanced or a problem."""
    entries = []
    problems = []
    for match in BIBTEX_ENTRY.finditer(text):
        kind = match.group(1).lower()
        line = text.count("\n", 0, match.start()) + 1
        if kind in BIBTEX_SKIP:
            continue
        body, end = _bibtex_body(text, match.end())
        if body is None:
            problems.append(f"line {line}: @{kind} entry is never closed (unbalanced braces)")
            continue
        key, _, rest = body.partition(",")
        fields, error = _bibtex_fields(rest)
        if error:
            problems.append(f"line {line}: @{kind}{{{key.strip()}: {error}")
            continue
        entries.append((line, kind, fields))
    _raise(path, problems)
    return entries


def _bibtex_body(text: str, start: int) -> tuple[str | None, int]:
    """The body of an entry opened just before `start` by "{" or "(" (braces inside values
    nest; an entry opened by "(" ends at the first ")" outside braces)."""
    opener = text[start - 1]
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and opener == "{":
                return text[start:index], index
            depth -= 1
        elif char == ")" and opener == "(" and depth == 0:
            return text[start:index], index
    return None, len(text)


def _bibtex_fields(body: str) -> tuple[dict[str, str], str]:
    fields = {}
    index = 0
    while index < len(body):
        match = BIBTEX_FIELD.match(body, index)
        if not match:
            if body[index:].strip(" ,\n\r\t"):
                return fields, f"cannot read field at {body[index : index + 30]!r}"
            break
        name = clean_text(match.group(1)).lower()
        index = match.end()
        if index < len(body) and body[index] == "{":
            depth, end = 0, index
            for end in range(index, len(body)):
                depth += {"{": 1, "}": -1}.get(body[end], 0)
                if depth == 0:
                    break
            if depth != 0:
                return fields, f"field {name} has unbalanced braces"
            value, index = body[index + 1 : end], end + 1
        elif index < len(body) and body[index] == '"':
            end = body.find('"', index + 1)
            if end < 0:
                return fields, f"field {name} has an unclosed quote"
            value, index = body[index + 1 : end], end + 1
        else:
            bare = re.compile(r"[^,\s]*").match(body, index)
            value, index = bare.group(0), bare.end()
        fields[name] = clean_text(value.replace("{", "").replace("}", ""))
    return fields, ""


def read_bibtex(text: str, path: Path) -> tuple[list[dict[str, str]], int]:
    declared = sum(1 for m in BIBTEX_ENTRY.finditer(text) if m.group(1).lower() not in BIBTEX_SKIP)
    records = []
    problems: list[str] = []
    for line, kind, fields in parse_bibtex(text, path):
        problems += year_problem(fields.get("year", ""), f"line {line}", "year")
        eid = re.search(r"eid=([\w.-]+)", fields.get("url", ""))
        keywords = re.split(r";\s*", fields.get("author_keywords", ""))
        keywords += re.split(r";\s*", fields.get("keywords", ""))
        records.append(
            make_record(
                source_id=eid.group(1) if eid else "",
                title=fields.get("title", ""),
                authors=join_authors(fields.get("author", "").split(" and ")),
                year=fields.get("year", ""),
                journal=fields.get("journal") or fields.get("booktitle", ""),
                volume=fields.get("volume", ""),
                issue=fields.get("number", ""),
                pages=fields.get("pages") or fields.get("art_number", ""),
                doi=fields.get("doi", ""),
                pmid=fields.get("pubmed_id", ""),
                abstract=fields.get("abstract", ""),
                publication_type=fields.get("document_type") or kind,
                language=fields.get("language", ""),
                keywords=join_list(keywords),
            )
        )
    _raise(path, problems)
    return records, declared


def read(source: Source) -> tuple[list[dict[str, str]], int | None]:
    """The registry's entry (`reviewflow.search.importers.READERS`)."""
    return read_bibtex(source.text, source.path)
