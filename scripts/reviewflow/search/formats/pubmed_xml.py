"""PubMed XML: efetch PubmedArticleSet replies (PubmedArticle and PubmedBookArticle), read
with Bio.Entrez after a defusedxml check."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import defusedxml.ElementTree as DefusedET
from Bio import Entrez
from Bio.Entrez.Parser import CorruptedXMLError, NotXMLError, ValidationError

from reviewflow.core.errors import InputProblems
from reviewflow.core.records import (
    clean_text,
    join_authors,
    join_list,
    make_record,
)
from reviewflow.search.formats.common import (
    Source,
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
        raise InputProblems(
            path,
            [
                f"refused unsafe XML ({type(error).__name__}: {error}): it declares XML entities, "
                "which PubMed's replies never do; if a fetch stored it, remove that window's "
                "folder (git rm -r) and fetch the window again"
            ],
        ) from None
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


def read(source: Source) -> tuple[list[dict[str, str]], int | None]:
    """The registry's entry (`reviewflow.search.importers.READERS`)."""
    return read_pubmed_xml(source.data, source.path)
