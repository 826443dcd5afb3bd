"""The record schema shared by every importer (ARCHITECTURE.md, "search -> dedup"), and the
normalisation of its fields: DOI, PMID, authors, year, pages.

A record is a plain dict with exactly the keys of `RECORD_COLUMNS`; every value is a string
(empty = missing), so that a table of records round-trips through TSV unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

RECORD_COLUMNS = [
    "record_id",  # <window>:<db>:<source_id>, stable because stored windows never change
    "window",  # <from>_<until>
    "source_db",  # pubmed | wos | embase | scopus | other
    "source_file",  # file name inside the window folder
    "source_id",  # the database's own id (PMID, WoS UT, Embase id, Scopus EID) or <file>#<n>
    "title",
    "authors",  # "; "-joined, each "Family, Given"
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",  # lower case, no https://doi.org/ or doi: prefix
    "pmid",
    "wos_ut",
    "embase_id",
    "abstract",
    "publication_type",
    "language",
    "keywords",  # "; "-joined
]
SOURCE_DBS = ("pubmed", "wos", "embase", "scopus", "other")
# Display names used in search_counts.json and the search report.
DATABASE_NAMES = {
    "pubmed": "PubMed",
    "wos": "Web of Science",
    "embase": "Embase",
    "scopus": "Scopus",
    "other": "Other sources",
}
# Fields an importer fills; the first five columns are set when a file is placed in a window.
CONTENT_FIELDS = RECORD_COLUMNS[5:]

YEAR_PATTERN = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")
WHITESPACE = re.compile(r"\s+")
DOI_PATTERN = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
DOI_IN_URL = re.compile(r"[?&]doi=([^&#\s]+)", re.IGNORECASE)  # Scopus links: ...&doi=10.1%2fx&
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
DOI_TRAILING = ".,;]}>\"'"  # punctuation after a DOI in running text, never its last character
LIST_SEPARATOR = "; "


def clean_text(value: object) -> str:
    """One line of text: NFC-normalised, whitespace runs collapsed, ends stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return WHITESPACE.sub(" ", text).strip()


def normalise_doi(value: object) -> str:
    """The one DOI normaliser of reviewflow (importers, records and dedup use it):
    'https://doi.org/10.1000/ABC.', 'http://dx.doi.org/...', 'doi: 10.1000/abc [doi]', a Scopus
    link with '&doi=10.1000%2fabc&' -> '10.1000/abc'; a URL's percent-encoding is decoded
    ('http://dx.doi.org/10.1016/S0025-7753%2817%2930624-3' -> '10.1016/s0025-7753(17)30624-3');
    '' when `value` holds no DOI."""
    doi = clean_text(value)
    if not doi:
        return ""
    in_url = DOI_IN_URL.search(doi)  # a DOI parameter ends at the next parameter
    if in_url:
        doi = in_url.group(1)
    if "%" in doi and PERCENT_ESCAPE.search(doi):  # percent-encoded in URLs
        doi = unquote(doi)
    match = DOI_PATTERN.search(doi)
    if not match:
        return ""
    doi = match.group(0)
    while doi and (doi[-1] in DOI_TRAILING or (doi[-1] == ")" and doi.count("(") < doi.count(")"))):
        doi = doi[:-1]  # '(doi: 10.1000/abc).' ends before ')'; '...(17)30624-3(2)' keeps it
    return doi.lower()


def normalise_pmid(value: object) -> str:
    """The digits of a PubMed id (`PMID: 123 [Indexed]` -> `123`); '' when there are none."""
    match = re.search(r"\d+", clean_text(value))
    return str(int(match.group(0))) if match and int(match.group(0)) > 0 else ""


def year_of(value: object) -> str:
    """The first plausible four-digit year in `value` ('2020//' -> '2020'), else ''."""
    match = YEAR_PATTERN.search(clean_text(value))
    return match.group(1) if match else ""


def pages_of(start: object, end: object = "") -> str:
    """`379`, `423` -> `379-423`; a start that already is a range is kept."""
    first, last = clean_text(start), clean_text(end)
    if first and last and last != first:
        return f"{first}-{last}"
    return first or last


def normalise_author(name: object) -> str:
    """An author as "Family, Given".

    Handles "Family, Given" (kept), "Family GI" / "Family G.I." (MEDLINE, Scopus, WoS: given
    initials after the family name), and "Given Family" (Lens, OpenAlex) when the last word is
    not initials. Anything else is kept as written.
    """
    text = clean_text(name).strip(" ;,")
    if not text or "," in text:
        return re.sub(r"\s*,\s*", ", ", text, count=1)
    words = text.split(" ")
    if len(words) == 1:
        return text
    if _looks_like_initials(words[-1]):
        return f"{' '.join(words[:-1])}, {words[-1]}"
    return f"{words[-1]}, {' '.join(words[:-1])}"


def _looks_like_initials(word: str) -> bool:
    letters = word.replace(".", "").replace("-", "")
    return bool(letters) and len(letters) <= 3 and letters.isupper() and letters.isalpha()


def join_list(values: Iterable[object]) -> str:
    """Distinct non-empty values, in order, joined with "; "."""
    seen: dict[str, None] = {}
    for value in values:
        text = clean_text(value)
        if text:
            seen.setdefault(text, None)
    return LIST_SEPARATOR.join(seen)


def join_authors(names: Iterable[object]) -> str:
    return join_list(normalise_author(name) for name in names)


def make_record(**fields: object) -> dict[str, str]:
    """A record with every content field present, cleaned and normalised.

    Unknown field names are a programming error and raise KeyError.
    """
    unknown = set(fields) - set(RECORD_COLUMNS)
    if unknown:
        raise KeyError(f"not record fields: {sorted(unknown)}")
    record = {column: clean_text(fields.get(column, "")) for column in RECORD_COLUMNS}
    record["doi"] = normalise_doi(record["doi"])
    record["pmid"] = normalise_pmid(record["pmid"])
    record["year"] = year_of(record["year"])
    return record


def record_id(window: str, source_db: str, source_id: str) -> str:
    if source_db not in SOURCE_DBS:
        raise ValueError(f"source_db {source_db!r} must be one of {', '.join(SOURCE_DBS)}")
    return f"{window}:{source_db}:{source_id}"


def place_records(
    records: Iterable[Mapping[str, str]], *, window: str, source_db: str, source_file: str
) -> list[dict[str, str]]:
    """Records of one file put in their window: window, database, file and a stable record_id.

    A record without a database id gets `<file>#<n>` (its position in the file), which is
    stable because stored windows are never rewritten. Ids repeated within one file get a
    `#<n>` suffix so that record_id stays unique.
    """
    placed = []
    seen: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        out = dict(record)
        native_id = clean_text(out.get("source_id"))
        # The database's own id also fills its column (an Embase.com RIS without a DB line).
        id_column = {"wos": "wos_ut", "embase": "embase_id", "pubmed": "pmid"}.get(source_db)
        if native_id and id_column and not out.get(id_column):
            out[id_column] = normalise_pmid(native_id) if id_column == "pmid" else native_id
        source_id = native_id or f"{source_file}#{number}"
        if source_id in seen:
            seen[source_id] += 1
            source_id = f"{source_id}#{seen[source_id]}"
        else:
            seen[source_id] = 1
        out.update(window=window, source_db=source_db, source_file=source_file)
        out["source_id"] = source_id
        out["record_id"] = record_id(window, source_db, source_id)
        placed.append({column: out.get(column, "") for column in RECORD_COLUMNS})
    return placed
