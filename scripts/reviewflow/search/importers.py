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

import gzip
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewflow.core.errors import InputProblems
from reviewflow.search.formats import bibtex, csv_export, medline, pubmed_xml, ris, wos
from reviewflow.search.formats.common import Source
from reviewflow.search.formats.csv_export import split_csv_authors  # noqa: F401  (tested)

# The registry: format -> its reader (one module per format in reviewflow.search.formats).
READERS: dict[str, Callable[[Source], tuple[list[dict[str, str]], int | None]]] = {
    "pubmed_xml": pubmed_xml.read,
    "medline": medline.read,
    "ris": ris.read,
    "wos_plain": wos.read,
    "wos_tab": wos.read,
    "csv": csv_export.read,
    "bibtex": bibtex.read,
}
FORMATS = tuple(READERS)


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
    if fmt == "csv" and csv_columns is None:
        raise ValueError("reading a CSV export needs the csv_columns alias table")
    records, declared = READERS[fmt](Source(path, fmt, data, text, csv_columns))
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
