"""Searching PubMed through the NCBI E-utilities: esearch with the history server, efetch in
batches, date slices when a query holds more than the retrieval cap.

Why the HTTP requests are made here and not by Bio.Entrez's network functions: in Biopython
1.87/1.88 every network function (``Entrez.esearch``, ``Entrez.efetch``, ...) hard-codes its
URL (``https://eutils.ncbi.nlm.nih.gov/entrez/eutils/<tool>.fcgi``), so the base URL cannot be
set to a mirror, a proxy or a local test server; ``urlopen`` is called without a timeout; and its
retry loop does not sleep after HTTP errors nor honour ``Retry-After``. So this client builds
the same requests (``tool``, ``email``, ``api_key`` parameters, POST for long ones) against a
configurable base URL, with its own timeout, retry/backoff and rate limit, and keeps
Biopython's retries off (``Entrez.max_tries = 1``) for any code in the process that does call
Bio.Entrez. The replies are parsed with ``Bio.Entrez.read`` (validating against NCBI's DTDs,
shipped with Biopython, so parsing works offline).

The API key is read from the environment (``NCBI_API_KEY``) only; it is sent with each request
and never written to a log, a file or an exception message.
"""

from __future__ import annotations

import http.client
import io
import logging
import math
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import parsedate_to_datetime

import defusedxml.ElementTree as DefusedET
from Bio import Entrez
from Bio.Entrez.Parser import CorruptedXMLError, NotXMLError, ValidationError

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
EUTILS_URL_ENV = "REVIEWFLOW_EUTILS_URL"
API_KEY_ENV = "NCBI_API_KEY"
EMAIL_ENV = "NCBI_EMAIL"
RETRIEVAL_CAP = 9999  # esearch/efetch cannot page past this many records of one query
RATE_WITHOUT_KEY = 3.0  # requests per second allowed by NCBI
RATE_WITH_KEY = 10.0
RATE_MARGIN = 1.05  # keep a little under the limit: intervals 5 % longer than 1/rate
PMID_IN_REPLY = re.compile(rb"<(?:MedlineCitation|BookDocument)\b[^>]*>\s*<PMID[^>]*>(\d+)</PMID>")
ARTICLE_IN_REPLY = re.compile(rb"<(?:PubmedArticle|PubmedBookArticle)[\s>]")

log = logging.getLogger("reviewflow.search.entrez")

# Biopython's own retry loop must never run under ours (see the module docstring).
Entrez.max_tries = 1


class EntrezError(RuntimeError):
    """The E-utilities could not answer, or answered with an error, after all retries."""


class QueryError(EntrezError):
    """PubMed reported a problem with the query itself (ErrorList, e.g. PhraseNotFound)."""


class UnsafeReplyError(EntrezError):
    """A reply declaring XML entities (external entities, "billion laughs"): never stored."""


class TransientReplyError(EntrezError):
    """A reply that is worth asking for again (truncated or incomplete)."""


@dataclass
class EntrezSettings:
    """How to reach the E-utilities. `api_key` is never shown (repr=False)."""

    base_url: str = DEFAULT_EUTILS_URL
    email: str = ""
    tool: str = "reviewflow"
    api_key: str | None = field(default=None, repr=False)
    batch_size: int = 200
    retrieval_cap: int = RETRIEVAL_CAP
    timeout: float = 30.0  # per connect or read: a server that says nothing
    request_deadline: float = 60.0  # per request, however the bytes trickle in
    window_deadline: float = 1800.0  # a whole window's fetch (every request and wait)
    max_retries: int = 3
    progress_interval: float = 15.0  # a line on the console this often while a reply is awaited
    backoff: float = 2.0  # first retry waits this long, then doubles
    backoff_max: float = 60.0
    requests_per_second: float | None = None  # None: 3/s, or 10/s with an API key

    @property
    def rate(self) -> float:
        if self.requests_per_second:
            return self.requests_per_second
        return RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY

    @classmethod
    def from_config(
        cls, pubmed: Mapping, environ: Mapping[str, str] | None = None
    ) -> EntrezSettings:
        """Settings from config `search.pubmed`; the environment overrides the base URL
        (REVIEWFLOW_EUTILS_URL) and supplies the API key (NCBI_API_KEY) and, when config has
        none, the e-mail address (NCBI_EMAIL)."""
        environ = os.environ if environ is None else environ
        base_url = environ.get(EUTILS_URL_ENV) or pubmed.get("eutils_url") or DEFAULT_EUTILS_URL
        return cls(
            base_url=base_url.rstrip("/"),
            email=pubmed.get("email") or environ.get(EMAIL_ENV, ""),
            tool=pubmed.get("tool", "reviewflow"),
            api_key=environ.get(API_KEY_ENV) or None,
            batch_size=int(pubmed.get("batch_size", 200)),
            retrieval_cap=int(pubmed.get("retrieval_cap", RETRIEVAL_CAP)),
            timeout=float(pubmed.get("timeout_seconds", 30)),
            request_deadline=float(pubmed.get("request_deadline_seconds", 60)),
            window_deadline=float(pubmed.get("window_deadline_seconds", 1800)),
            max_retries=int(pubmed.get("max_retries", 3)),
            backoff=float(pubmed.get("backoff_seconds", 2)),
            backoff_max=float(pubmed.get("backoff_max_seconds", 60)),
        )


class RateLimiter:
    """Spaces calls at least `1/rate * RATE_MARGIN` seconds apart."""

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.interval = RATE_MARGIN / rate
        self.clock = clock
        self.sleep = sleep
        self.last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.last is not None:
            due = self.last + self.interval
            if now < due:
                self.sleep(due - now)
                now = max(self.clock(), due)
        self.last = now


@dataclass
class SearchResult:
    """An esearch reply: count, history-server handles, PubMed's translation of the query."""

    count: int
    webenv: str
    query_key: str
    translation: str
    ids: list[str]
    raw: bytes = field(repr=False)


class EntrezClient:
    """A small E-utilities client: esearch and efetch with retry, backoff and a rate limit.

    `sleep` and `clock` are injectable so that tests run without real waiting; `requests`
    counts every HTTP request made (retries included).
    """

    def __init__(
        self,
        settings: EntrezSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not settings.email:
            raise EntrezError(
                "no e-mail address for NCBI: set search.pubmed.email in config/config.yaml "
                f"or the environment variable {EMAIL_ENV} (NCBI asks every E-utilities user "
                "for a contact address)"
            )
        if urllib.parse.urlsplit(settings.base_url).scheme not in ("http", "https"):
            raise EntrezError(
                f"E-utilities URL {settings.base_url!r} must start with https:// or http://"
            )
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        self.limiter = RateLimiter(settings.rate, clock, sleep)
        self.requests = 0
        self.opener = urllib.request.build_opener(_WatchedHTTPHandler(), _WatchedHTTPSHandler())
        self.deadline_at: float | None = None  # the window's deadline (clock time), once started

    def start_deadline(self, seconds: float | None = None) -> None:
        """Every request and wait from now on must end within `seconds` (default: the
        window deadline of the settings)."""
        seconds = self.settings.window_deadline if seconds is None else seconds
        self.deadline_at = self.clock() + seconds

    def _remaining(self, utility: str) -> float:
        """Seconds left before the window's deadline; EntrezError once it has passed."""
        if self.deadline_at is None:
            return math.inf
        left = self.deadline_at - self.clock()
        if left <= 0:
            raise EntrezError(
                f"{utility}: the window's deadline of {self.settings.window_deadline:g} s has "
                "passed (search.pubmed.window_deadline_seconds); nothing was stored"
            )
        return left

    # -- HTTP ---------------------------------------------------------------------------------

    def _request(self, utility: str, params: Mapping[str, object]) -> urllib.request.Request:
        query = {"tool": self.settings.tool, "email": self.settings.email, **params}
        if self.settings.api_key:
            query["api_key"] = self.settings.api_key
        body = urllib.parse.urlencode(query, doseq=True)
        url = f"{self.settings.base_url}/{utility}.fcgi"  # http(s) only: checked in __init__
        # POST for long requests (as NCBI asks) and whenever an API key is sent, so that the
        # key never appears in a URL that a proxy or server might log.
        if len(body) > 1000 or self.settings.api_key:
            return urllib.request.Request(url, data=body.encode(), method="POST")  # noqa: S310
        return urllib.request.Request(f"{url}?{body}", method="GET")  # noqa: S310

    def get(
        self,
        utility: str,
        params: Mapping[str, object],
        check: Callable[[bytes], object] | None = None,
    ) -> bytes:
        """The body of one E-utility reply, retried on 429, 5xx, timeouts, dropped
        connections and truncated replies (`check` raising TransientReplyError)."""
        shown = ", ".join(f"{k}={v}" for k, v in params.items() if k != "api_key")
        last_problem = ""
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                log.info("retrying %s (attempt %d): %s", utility, attempt + 1, last_problem)
            self._remaining(utility)
            self.limiter.wait()
            self.requests += 1
            request = self._request(utility, params)
            retry_after = None
            allowed = min(self.settings.request_deadline, self._remaining(utility))
            watchdog = _Watchdog(allowed)
            progress = _Progress(
                watchdog,
                f"{utility}: waiting for the reply (attempt {attempt + 1} of "
                f"{self.settings.max_retries + 1}, at most {allowed:g} s)",
                self.settings.progress_interval,
            )
            try:
                with watchdog, progress:
                    try:
                        with self.opener.open(request, timeout=self.settings.timeout) as reply:
                            body = _read(reply, watchdog)
                    except (OSError, http.client.HTTPException):
                        if watchdog.fired:
                            raise _DeadlinePassed() from None
                        raise
                    if watchdog.fired:
                        raise _DeadlinePassed()
                refuse_unsafe_xml(body, utility, self.settings.base_url)
                if check is not None:
                    check(body)
                return body
            except _DeadlinePassed:
                last_problem = f"no complete reply within {allowed:g} s (overall deadline)"
            except urllib.error.HTTPError as error:
                if error.code != 429 and error.code < 500:
                    raise EntrezError(
                        f"{utility} ({shown}): HTTP {error.code} {error.reason}: not retried"
                    ) from None
                retry_after = parse_retry_after(error.headers.get("Retry-After"))
                last_problem = f"HTTP {error.code} {error.reason}"
            except urllib.error.URLError as error:
                if isinstance(error.reason, socket.gaierror):
                    raise EntrezError(
                        f"cannot reach {self.settings.base_url}: {error.reason} "
                        "(no network, or a wrong search.pubmed.eutils_url)"
                    ) from None
                last_problem = f"connection problem: {error.reason}"
            except TimeoutError:
                last_problem = f"no reply within {self.settings.timeout} s"
            except (http.client.IncompleteRead, http.client.RemoteDisconnected) as error:
                last_problem = f"reply cut short: {error!r}"
            except ConnectionError as error:
                last_problem = f"connection problem: {error}"
            except TransientReplyError as error:
                last_problem = str(error)
            if attempt < self.settings.max_retries:
                delay = min(self.settings.backoff_max, self.settings.backoff * 2**attempt)
                if retry_after is not None:
                    delay = retry_after
                log.warning("%s: %s; waiting %.2f s", utility, last_problem, delay)
                if delay >= self._remaining(utility):
                    raise EntrezError(
                        f"{utility} ({shown}): {last_problem}; the next try would pass the "
                        f"window's deadline of {self.settings.window_deadline:g} s"
                    )
                self.sleep(delay)
        raise EntrezError(
            f"{utility} ({shown}) failed {self.settings.max_retries + 1} times; "
            f"last problem: {last_problem}"
        )

    # -- E-utilities ------------------------------------------------------------------------

    def esearch(self, term: str, mindate: date, maxdate: date) -> SearchResult:
        """Search PubMed by create date ([crdt]) between two days, both included."""
        params = {
            "db": "pubmed",
            "term": term,
            "usehistory": "y",
            "datetype": "crdt",
            "mindate": mindate.strftime("%Y/%m/%d"),
            "maxdate": maxdate.strftime("%Y/%m/%d"),
            "retmax": 0,
        }
        raw = self.get("esearch", params, check=parse_esearch)
        result = parse_esearch(raw)
        log.info(
            "esearch %s..%s: %d records; PubMed's translation: %s",
            mindate,
            maxdate,
            result.count,
            result.translation,
        )
        return result

    def efetch(self, search: SearchResult, retstart: int, retmax: int) -> bytes:
        """One batch of PubMed XML from the history server; must hold `retmax` articles."""
        params = {
            "db": "pubmed",
            "query_key": search.query_key,
            "WebEnv": search.webenv,
            "retstart": retstart,
            "retmax": retmax,
            "retmode": "xml",
        }

        def check(body: bytes) -> None:
            check_efetch(body, retmax)

        return self.get("efetch", params, check=check)


class _DeadlinePassed(Exception):
    """A request's overall deadline passed (its sockets were shut)."""


_watched = threading.local()  # the watchdog of the request this thread is making


class _Watchdog:
    """Shuts the sockets of one request when its overall deadline passes: a socket timeout
    applies to each read, so a server trickling one byte a second would never time out.
    `received`: the bytes of the reply read so far (for the progress lines)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.sockets: list[socket.socket] = []
        self.fired = False
        self.received = 0
        self.lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)
            if self.fired:
                _shut(sock)

    def fire(self) -> None:
        with self.lock:
            self.fired = True
            for sock in self.sockets:
                _shut(sock)

    def __enter__(self) -> _Watchdog:
        _watched.current = self
        self.timer = threading.Timer(self.seconds, self.fire)
        self.timer.daemon = True
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()
        _watched.current = None


class _Progress:
    """While a reply is awaited, a line every `interval` seconds (the console is never silent
    for longer): how long it has waited and how many bytes arrived."""

    def __init__(self, watchdog: _Watchdog, what: str, interval: float):
        self.watchdog = watchdog
        self.what = what
        self.interval = interval
        self.done = threading.Event()

    def _report(self) -> None:
        started = time.monotonic()
        while not self.done.wait(self.interval):
            log.info(
                "%s: %.0f s so far, %d bytes received",
                self.what,
                time.monotonic() - started,
                self.watchdog.received,
            )

    def __enter__(self) -> _Progress:
        self.thread = threading.Thread(target=self._report, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


def _read(reply, watchdog: _Watchdog, block: int = 65536) -> bytes:
    """The whole body of a reply, counting its bytes as they arrive."""
    parts = []
    while True:
        part = reply.read1(block) if hasattr(reply, "read1") else reply.read(block)
        if not part:
            body = b"".join(parts)
            remaining = getattr(reply, "length", None)
            if remaining:  # the connection ended before the announced Content-Length
                raise http.client.IncompleteRead(body, remaining)
            return body
        parts.append(part)
        watchdog.received += len(part)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _watch(sock: socket.socket) -> None:
    watchdog = getattr(_watched, "current", None)
    if watchdog is not None:
        watchdog.add(sock)


class _WatchedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_WatchedHTTPConnection, req)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_WatchedHTTPSConnection, req, context=self._context)


def refuse_unsafe_xml(body: bytes, utility: str, base_url: str) -> None:
    """UnsafeReplyError (not retried) when a reply declares XML entities: an XML external entity
    or "billion laughs" reply, which NCBI never sends; defusedxml refuses it before any entity is
    expanded. A reply that is merely not well-formed is left to the reply's own check."""
    try:
        DefusedET.fromstring(body)
    except DefusedET.ParseError:
        return
    except Exception as error:  # noqa: BLE001 - defusedxml's EntitiesForbidden & co.
        raise UnsafeReplyError(
            f"{utility}: the reply from {base_url} was refused: it declares XML entities "
            f"({type(error).__name__}), which a genuine E-utilities reply never does (an XML "
            "external entity or 'billion laughs' attack, or not NCBI's server); nothing was "
            "stored. Check that search.pubmed.eutils_url (or the environment variable "
            f"{EUTILS_URL_ENV}) is NCBI's E-utilities, then run the fetch again"
        ) from None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_esearch(raw: bytes) -> SearchResult:
    """An esearch reply; QueryError for ErrorList (PhraseNotFound, FieldNotFound, ...),
    TransientReplyError when it is cut short."""
    try:
        record = Entrez.read(io.BytesIO(raw), validate=True)
    except (CorruptedXMLError, NotXMLError, ValidationError) as error:
        raise TransientReplyError(f"esearch reply is not complete XML: {error}") from None
    except RuntimeError as error:  # <ERROR> element
        raise EntrezError(f"esearch answered with an error: {error}") from None
    errors = record.get("ErrorList") or {}
    found = {name: list(values) for name, values in errors.items() if values}
    if found:
        what = "; ".join(f"{name}: {', '.join(map(str, values))}" for name, values in found.items())
        raise QueryError(
            f"PubMed did not understand part of the query ({what}); "
            f"its translation was {record.get('QueryTranslation', '')!r}. "
            "Fix search.pubmed.query in config/config.yaml."
        )
    for key in ("Count", "QueryKey", "WebEnv"):
        if key not in record:
            raise TransientReplyError(f"esearch reply has no {key}")
    return SearchResult(
        count=int(record["Count"]),
        webenv=str(record["WebEnv"]),
        query_key=str(record["QueryKey"]),
        translation=str(record.get("QueryTranslation", "")),
        ids=[str(i) for i in record.get("IdList", [])],
        raw=raw,
    )


def check_efetch(body: bytes, expected: int) -> list[str]:
    """The PMIDs of an efetch batch; TransientReplyError if it is truncated or short."""
    if b"</PubmedArticleSet>" not in body[-200:]:
        raise TransientReplyError("efetch reply is truncated (no closing </PubmedArticleSet>)")
    articles = len(ARTICLE_IN_REPLY.findall(body))
    pmids = [m.decode() for m in PMID_IN_REPLY.findall(body)]
    if articles != expected or len(pmids) != expected:
        raise TransientReplyError(
            f"efetch reply holds {articles} articles ({len(pmids)} PMIDs), {expected} expected"
        )
    return pmids


# -- date slices --------------------------------------------------------------------------


@dataclass
class Slice:
    """A part of a window searched on its own: its days, its esearch and its efetch batches."""

    mindate: date
    maxdate: date
    search: SearchResult
    batches: list[bytes] = field(default_factory=list, repr=False)
    pmids: list[str] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        return f"{self.mindate.isoformat()}_{self.maxdate.isoformat()}"


def plan_slices(
    client: EntrezClient, term: str, mindate: date, maxdate: date, whole: SearchResult
) -> list[Slice]:
    """Date slices of [mindate, maxdate] each holding at most the retrieval cap; their counts
    must add up to the whole window's count."""
    cap = client.settings.retrieval_cap
    slices: list[Slice] = []
    pending = [(mindate, maxdate, whole)]
    while pending:
        start, end, search = pending.pop(0)
        if search.count <= cap:
            slices.append(Slice(start, end, search))
            continue
        if start == end:
            raise EntrezError(
                f"{search.count} PubMed records were created on {start}, more than the "
                f"{cap} that can be retrieved for one query: narrow search.pubmed.query"
            )
        middle = start + timedelta(days=(end - start).days // 2)
        halves = [(start, middle), (middle + timedelta(days=1), end)]
        pending[0:0] = [(a, b, client.esearch(term, a, b)) for a, b in halves]
    total = sum(s.search.count for s in slices)
    if total != whole.count:
        raise EntrezError(
            f"the date slices hold {total} records but the whole window {whole.count}: "
            "PubMed changed during the search; run it again"
        )
    return slices


def fetch_slices(
    client: EntrezClient, slices: list[Slice], progress: Callable[[int], None] | None = None
) -> None:
    """efetch every slice in batches; the PMIDs fetched must be exactly the count, no repeats."""
    batch = client.settings.batch_size
    for part in slices:
        for retstart in range(0, part.search.count, batch):
            size = min(batch, part.search.count - retstart)
            body = client.efetch(part.search, retstart, size)
            part.batches.append(body)
            part.pmids += check_efetch(body, size)
            if progress:
                progress(size)


def check_union(slices: list[Slice], count: int) -> None:
    pmids = [pmid for part in slices for pmid in part.pmids]
    if len(set(pmids)) != count or len(pmids) != count:
        raise EntrezError(
            f"fetched {len(pmids)} records ({len(set(pmids))} distinct PMIDs) but PubMed "
            f"counted {count}: the union of the date slices does not match the count"
        )


def minimum_requests(n_records: int, batch_size: int) -> int:
    """The fewest requests that can fetch n records: 1 esearch + ceil(n/batch) efetch."""
    return 1 + math.ceil(n_records / batch_size)
