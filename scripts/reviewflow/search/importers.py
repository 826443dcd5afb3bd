"""Reading bibliographic exports and PubMed replies into records (see `reviewflow.core.records`).

Formats, recognised from the content (never from the file name alone):

- ``pubmed_xml``: efetch ``PubmedArticleSet`` (PubmedArticle and PubmedBookArticle), read with
  Bio.Entrez after a defusedxml check; gzipped files too.
- ``medline``: PubMed MEDLINE / .nbib text, read with Bio.Medline.
- ``ris``: RIS (Embase.com, Ovid, Scopus, EBSCO, ...), each record read with rispy.
- ``wos_plain``: Web of Science plain text (FN/VR/PT ... ER/EF), .txt/.ciw/.isi.
- ``wos_tab``: Web of Science tab-delimited (UTF-8 or UTF-16).
- ``csv``: Scopus / Embase / Lens / OpenAlex CSV, columns found by header name through an alias
  table (config `search.csv_columns`).
- ``bibtex``: BibTeX (Scopus).

Every reader checks the file's structure line by line; problems are collected and raised at
once as `InputProblems` naming the file, the line and the record. A reader never drops a record
silently: the records read are compared with the records the file declares (e.g. RIS "Record #1
of 2" headers, Web of Science end-of-file marker, MEDLINE PMID lines, PubmedArticle elements).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as DefusedET
import rispy
from Bio import Entrez, Medline
from Bio.Entrez.Parser import CorruptedXMLError, NotXMLError, ValidationError

from reviewflow.core.errors import InputProblems
from reviewflow.core.records import (
    clean_text,
    join_authors,
    join_list,
    make_record,
    normalise_doi,
    pages_of,
    year_of,
)

FORMATS = ("pubmed_xml", "medline", "ris", "wos_plain", "wos_tab", "csv", "bibtex")
MAX_PROBLEMS = 50  # beyond this, a file is clearly not of the format; stop listing


@dataclass
class ImportedFile:
    """What one file held: its records (content fields + source_id) and how it was read."""

    path: Path
    format: str
    database: str | None  # pubmed | wos | embase | scopus | other, guessed from the content
    records: list[dict[str, str]]
    declared: int | None = None  # records the file itself declares, when it does
    encoding: str = "utf-8"
    sha256: str = ""
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Bytes, text and format


def file_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it is gzip data."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise InputProblems(path, [f"not a readable gzip file: {error}"]) from None
    return data


# Files that are not bibliographic exports, by their first bytes: what they are, what to do.
NOT_EXPORTS = (
    (
        b"PK\x03\x04",
        "an Excel workbook (.xlsx) or another zip archive, not an export: export the records "
        "as RIS, plain text (Web of Science), MEDLINE, BibTeX or CSV",
    ),
    (
        bytes.fromhex("d0cf11e0a1b11ae1"),
        "an old Excel (.xls) or Word file, not an export: export the records as RIS, plain "
        "text, MEDLINE, BibTeX or CSV",
    ),
    (b"%PDF", "a PDF document, not an export: export the records from the database itself"),
)


def what_it_is(data: bytes) -> str | None:
    """What a file is when its first bytes show it is not an export (an HTML page is found by
    sniff_format), else None."""
    for magic, what in NOT_EXPORTS:
        if data.startswith(magic):
            return what
    return None


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 or UTF-16 by BOM, else UTF-8, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_as(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_as(data, "utf-16", path), "utf-16"
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:1] != b"\x00":
        return _decode_as(data, "utf-16-le", path), "utf-16-le"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _decode_as(data, "cp1252", path), "cp1252"


def _decode_as(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputProblems(
            path, [f"line {line}: bytes {data[error.start : error.end]!r} are not {encoding}"]
        ) from None


RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*)|\s*)$")
WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- (.*)$|^([A-Z][A-Z0-9]{1,3}) *-$")


def sniff_format(text: str, path: Path) -> str:
    """The format of `text` (one of FORMATS), or InputProblems saying what the file is."""
    head = text.lstrip("\ufeff \r\n\t")[:4000]
    lower = head[:1000].lower()
    if head.startswith("<"):
        if re.match(r"(<[?!][^>]*>\s*)*<html", lower):
            raise InputProblems(path, ["an HTML page, not a PubMed XML reply or an export"])
        if "<pubmedarticleset" in lower:
            return "pubmed_xml"
        root = re.search(r"<([A-Za-z][\w.-]*)[\s>]", re.sub(r"<[?!][^>]*>", "", head))
        name = root.group(1) if root else "unknown"
        raise InputProblems(
            path,
            [
                f"XML with root element <{name}>: only PubMed efetch replies "
                "(<PubmedArticleSet>) hold records that can be imported"
            ],
        )
    first_lines = [line for line in head.splitlines() if line.strip()][:5]
    first = first_lines[0] if first_lines else ""
    if re.match(r"PMID- ?\d", first):
        return "medline"
    if re.match(r"(FN|VR|PT) ", first):
        return "wos_plain"
    if "\t" in first and {"PT", "UT"} <= set(first.strip().split("\t")):
        return "wos_tab"
    if re.match(r"@\s*[A-Za-z]+\s*[{(]", first):
        return "bibtex"
    if any(line.startswith("TY  -") for line in text.splitlines()[:200]) or re.search(
        r"^TY  -", text, flags=re.M
    ):
        return "ris"
    if first.count(",") >= 2 or first.count(";") >= 2:
        return "csv"
    raise InputProblems(
        path,
        [
            f"line 1: {first[:60]!r}: not a recognised export. Supported: PubMed XML, "
            "MEDLINE/nbib, RIS, Web of Science plain text or tab-delimited, CSV, BibTeX"
        ],
    )


def guess_database(fmt: str, text: str) -> str | None:
    """The database an export most likely comes from, from its content; None if unknown."""
    if fmt in ("pubmed_xml", "medline"):
        return "pubmed"
    if fmt in ("wos_plain", "wos_tab"):
        return "wos"
    sample = text[:200_000].lower()
    if fmt == "csv":
        header = sample.split("\n", 1)[0]
        if "embase accession id" in header or "embase" in header:
            return "embase"
        if re.search(r"(^|[,;\"])eid([,;\"]|$)", header) or "scopus.com" in sample:
            return "scopus"
        return "other"
    if fmt == "ris":
        if re.search(r"^db  - embase", sample, flags=re.M) or re.search(
            r"ovid.*d=(emed|emez|emba|embx|oemezd)", sample
        ):
            return "embase"
        if re.search(r"^db  - scopus", sample, flags=re.M) or "scopus.com" in sample:
            return "scopus"
        if re.search(r"^db  - (web of science|wos)", sample, flags=re.M):
            return "wos"
        if re.search(r"^db  - (pubmed|medline)", sample, flags=re.M):
            return "pubmed"
        return "other"
    if fmt == "bibtex":
        return "scopus" if "scopus" in sample else "other"
    return None


def import_file(
    path: str | Path,
    *,
    csv_columns: Mapping[str, Sequence[str]] | None = None,
    fmt: str | None = None,
) -> ImportedFile:
    """Read one export or PubMed reply into records; InputProblems if anything is wrong."""
    path = Path(path)
    data = file_bytes(path)
    what = what_it_is(data)
    if what:
        raise InputProblems(path, [f"{path.name}: {what}"])
    text, encoding = decode(data, path)
    fmt = fmt or sniff_format(text, path)
    if fmt == "pubmed_xml":
        records, declared = read_pubmed_xml(data, path)
    elif fmt == "csv":
        if csv_columns is None:
            raise ValueError("reading a CSV export needs the csv_columns alias table")
        records, declared = read_csv(text, path, csv_columns)
    else:
        records, declared = READERS[fmt](text, path)
    if declared is not None and declared != len(records):
        raise InputProblems(
            path, [f"the file declares {declared} records but {len(records)} were read"]
        )
    return ImportedFile(
        path=path,
        format=fmt,
        database=guess_database(fmt, text),
        records=records,
        declared=declared,
        encoding=encoding,
        sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest(),
    )


# --------------------------------------------------------------------------------------------
# PubMed XML (efetch PubmedArticleSet)

INLINE_MARKUP = re.compile(r"</?(?:i|b|u|sup|sub|em|strong)>")
ARTICLE_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle)[\s>]")


def read_pubmed_xml(data: bytes, path: Path) -> tuple[list[dict[str, str]], int]:
    """Records of a PubmedArticleSet; declared = the PubmedArticle/PubmedBookArticle elements."""
    declared = len(ARTICLE_START.findall(data))
    try:
        # defusedxml first: refuses entity declarations (billion laughs, external entities)
        # before Bio.Entrez's expat parser sees the data.
        DefusedET.fromstring(data)
    except DefusedET.ParseError as error:
        line = getattr(error, "position", (None,))[0]
        raise InputProblems(path, [f"line {line}: XML is not well-formed ({error})"]) from None
    except Exception as error:  # defusedxml's EntitiesForbidden & co.
        raise InputProblems(path, [f"refused unsafe XML: {error}"]) from None
    try:
        parsed = Entrez.read(io.BytesIO(data), validate=True)
    except (CorruptedXMLError, NotXMLError, ValidationError, ValueError) as error:
        raise InputProblems(path, [f"not a readable PubMed reply: {error}"]) from None
    records = []
    problems = []
    for number, article in enumerate(parsed.get("PubmedArticle", []), start=1):
        try:
            records.append(pubmed_article_record(article))
        except (KeyError, TypeError) as error:
            problems.append(f"PubmedArticle {number}: missing {error}")
    for number, book in enumerate(parsed.get("PubmedBookArticle", []), start=1):
        try:
            records.append(pubmed_book_record(book))
        except (KeyError, TypeError) as error:
            problems.append(f"PubmedBookArticle {number}: missing {error}")
    if problems:
        raise InputProblems(path, problems)
    return records, declared


def _text(value: object) -> str:
    """Text of a Bio.Entrez element (string, or list of strings such as AbstractText parts)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_text(part) for part in value)
    label = getattr(value, "attributes", {}).get("Label") if hasattr(value, "attributes") else ""
    text = clean_text(INLINE_MARKUP.sub("", str(value)))
    return f"{label}: {text}" if label and text else text


def _entrez_authors(author_list: Sequence) -> list[str]:
    names = []
    for author in author_list or []:
        if "CollectiveName" in author:
            names.append(_text(author["CollectiveName"]))
        elif "LastName" in author:
            given = _text(author.get("ForeName") or author.get("Initials") or "")
            names.append(f"{_text(author['LastName'])}, {given}".rstrip(", "))
    return names


def _entrez_ids(id_list: Sequence) -> dict[str, str]:
    return {
        str(item.attributes.get("IdType", "")): clean_text(str(item))
        for item in id_list or []
        if hasattr(item, "attributes")
    }


def _pub_year(pub_date: Mapping) -> str:
    return _text(pub_date.get("Year") or pub_date.get("MedlineDate") or "")


def pubmed_article_record(article: Mapping) -> dict[str, str]:
    citation = article["MedlineCitation"]
    info = citation["Article"]
    journal = info.get("Journal", {})
    issue = journal.get("JournalIssue", {})
    ids = _entrez_ids(article.get("PubmedData", {}).get("ArticleIdList", []))
    doi = ids.get("doi", "")
    for location in info.get("ELocationID", []):
        if location.attributes.get("EIdType") == "doi" and not doi:
            doi = str(location)
    pmid = _text(citation["PMID"])
    abstract = info.get("Abstract", {}).get("AbstractText", [])
    keywords = [kw for group in citation.get("KeywordList", []) for kw in group]
    keywords += [heading["DescriptorName"] for heading in citation.get("MeshHeadingList", [])]
    year = _pub_year(issue.get("PubDate", {}))
    if not year and info.get("ArticleDate"):
        year = _text(info["ArticleDate"][0].get("Year"))
    return make_record(
        source_id=pmid,
        title=_text(info.get("ArticleTitle") or info.get("VernacularTitle")),
        authors=join_authors(_entrez_authors(info.get("AuthorList", []))),
        year=year,
        journal=_text(journal.get("Title") or journal.get("ISOAbbreviation")),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        pages=_text(info.get("Pagination", {}).get("MedlinePgn")),
        doi=doi,
        pmid=pmid,
        abstract=_text(abstract),
        publication_type=join_list(_text(t) for t in info.get("PublicationTypeList", [])),
        language=join_list(_text(lang) for lang in info.get("Language", [])),
        keywords=join_list(_text(k) for k in keywords),
    )


def pubmed_book_record(book_article: Mapping) -> dict[str, str]:
    document = book_article["BookDocument"]
    book = document.get("Book", {})
    pmid = _text(document["PMID"])
    ids = _entrez_ids(document.get("ArticleIdList", []))
    ids.update(_entrez_ids(book_article.get("PubmedBookData", {}).get("ArticleIdList", [])))
    authors = []
    for author_list in document.get("AuthorList", []) or book.get("AuthorList", []):
        authors += _entrez_authors(author_list)
    title = _text(document.get("ArticleTitle")) or _text(book.get("BookTitle"))
    abstract = document.get("Abstract", {}).get("AbstractText", [])
    return make_record(
        source_id=pmid,
        title=title,
        authors=join_authors(authors),
        year=_pub_year(book.get("PubDate", {})),
        journal=_text(book.get("BookTitle")) if document.get("ArticleTitle") else "",
        doi=ids.get("doi", ""),
        pmid=pmid,
        abstract=_text(abstract),
        publication_type=join_list(_text(t) for t in document.get("PublicationType", [])),
        language=join_list(_text(lang) for lang in document.get("Language", [])),
        keywords=join_list(_text(k) for group in document.get("KeywordList", []) for k in group),
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


# --------------------------------------------------------------------------------------------
# CSV (Scopus, Embase, Lens, OpenAlex, ...)


def split_csv_authors(value: str) -> list[str]:
    """Authors of a CSV cell: ';' (Scopus, Lens, Embase), '|' (OpenAlex), ' and ', or the old
    Scopus "Yagai T., Kimura Y." style."""
    text = clean_text(value)
    if not text:
        return []
    for separator in (";", "|", " and "):
        if separator in text:
            return [part for part in text.split(separator) if part.strip()]
    if re.search(r"\.,\s", text):
        return re.split(r"(?<=\.),\s+", text)
    return [text]


def find_columns(header: Sequence[str], csv_columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """field -> the first header name that matches one of its aliases (case-insensitive)."""
    by_name = {clean_text(name).lower(): name for name in header}
    found = {}
    for field_name, aliases in csv_columns.items():
        for alias in aliases:
            if str(alias).lower() in by_name:
                found[field_name] = by_name[str(alias).lower()]
                break
    return found


def read_csv(
    text: str, path: Path, csv_columns: Mapping[str, Sequence[str]]
) -> tuple[list[dict[str, str]], int]:
    """Records of a CSV export (comma or semicolon); declared = its non-empty data rows."""
    text = text.lstrip("\ufeff")
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputProblems(path, ["empty file: no header row"]) from None
    columns = find_columns(header, csv_columns)
    if "title" not in columns:
        raise InputProblems(
            path,
            [
                f"line 1: no title column: the header has {', '.join(header[:12])}; "
                f"config search.csv_columns.title allows {', '.join(csv_columns.get('title', []))}"
            ],
        )
    problems = []
    records = []
    declared = 0
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            declared += 1
            if len(row) != len(header):
                problems.append(
                    f"line {reader.line_num} (record {declared}): {len(row)} fields, "
                    f"the header has {len(header)}"
                )
                continue
            cells = dict(zip(header, row, strict=True))
            values = {name: cells[column] for name, column in columns.items()}
            problems += year_problem(
                values.get("year", ""),
                f"line {reader.line_num}, record {declared}",
                columns.get("year", "year"),
            )
            records.append(csv_record(values))
    except csv.Error as error:
        problems.append(f"line {reader.line_num}: {error}")
    _raise(path, problems)
    return records, declared


def csv_record(values: Mapping[str, str]) -> dict[str, str]:
    fields = {
        name: values.get(name, "") for name in values if name not in ("page_start", "page_end")
    }
    if "pages" not in fields or not clean_text(fields.get("pages")):
        fields["pages"] = pages_of(values.get("page_start", ""), values.get("page_end", ""))
    fields["authors"] = join_authors(split_csv_authors(values.get("authors", "")))
    fields["keywords"] = join_list(re.split(r"[;|]", values.get("keywords", "")))
    source_id = clean_text(values.get("source_id", ""))
    fields["source_id"] = source_id.rsplit("/", 1)[-1] if "openalex.org" in source_id else source_id
    return make_record(**fields)


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


def year_problem(raw: object, where: str, field: str) -> list[str]:
    """A year field whose value holds no year (`PY twenty`) is a problem, never a dropped year."""
    text = clean_text(raw)
    if text and not year_of(text):
        return [
            f"{where}: {field} {text!r}: not a year: a four-digit year (e.g. 2021), or no "
            f"{field} at all when the year is unknown"
        ]
    return []


READERS: dict[str, Callable[[str, Path], tuple[list[dict[str, str]], int | None]]] = {
    "medline": read_medline,
    "ris": read_ris,
    "wos_plain": read_wos_plain,
    "wos_tab": read_wos_tab,
    "bibtex": read_bibtex,
}


def _raise(path: Path, problems: list[str]) -> None:
    if problems:
        if len(problems) > MAX_PROBLEMS:
            hidden = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], f"... and {hidden} more problems"]
        raise InputProblems(path, problems)
