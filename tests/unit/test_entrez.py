"""The E-utilities client against a local fake server (loopback) that replays real NCBI replies
and misbehaves on purpose; waits are recorded, not slept, unless the test is about timing."""

import itertools
import logging
import math
import socket
from datetime import date

import pytest

from reviewflow.search.entrez import (
    EntrezClient,
    EntrezError,
    EntrezSettings,
    QueryError,
    RateLimiter,
    Slice,
    TransientReplyError,
    check_union,
    fetch_slices,
    minimum_requests,
    parse_esearch,
    parse_retry_after,
    plan_slices,
)
from tests.fake_eutils import FakeEutils

START, END = date(2025, 1, 1), date(2025, 3, 31)
QUERY = '"IgG4-related disease"[tiab]'


@pytest.fixture
def fake(shared, httpserver):
    server = FakeEutils(shared)
    server.url = server.install(httpserver)
    return server


def make_client(fake, *, sleeps=None, **overrides):
    options = dict(
        base_url=fake.url,
        email="reviewer@example.org",
        batch_size=5,
        requests_per_second=1000,
        backoff=0.5,
        timeout=0.2,
        max_retries=4,
    )
    options.update(overrides)
    recorded = [] if sleeps is None else sleeps
    return EntrezClient(EntrezSettings(**options), sleep=recorded.append)


def fetch(client, fake):
    whole = client.esearch(QUERY, START, END)
    slices = plan_slices(client, QUERY, START, END, whole)
    fetch_slices(client, slices)
    check_union(slices, whole.count)
    return whole, slices


def test_fetch_costs_the_minimum_requests(fake):
    client = make_client(fake)
    whole, slices = fetch(client, fake)
    assert whole.count == len(fake.articles) == 13
    assert client.requests == minimum_requests(13, 5) == 1 + math.ceil(13 / 5)
    assert [p for part in slices for p in part.pmids] == [a.pmid for a in fake.articles]
    _, _, search_args = fake.requests[0]
    assert search_args["usehistory"] == "y" and search_args["datetype"] == "crdt"
    assert (search_args["mindate"], search_args["maxdate"]) == ("2025/01/01", "2025/03/31")
    assert search_args["tool"] == "reviewflow" and search_args["email"] == "reviewer@example.org"
    assert "api_key" not in search_args
    fetch_args = [args for _, utility, args in fake.requests if utility == "efetch"]
    assert [a["retstart"] for a in fetch_args] == ["0", "5", "10"]
    assert all(a["WebEnv"] == whole.webenv and a["query_key"] == "1" for a in fetch_args)


def test_429_waits_as_long_as_retry_after_says(fake):
    sleeps = []
    client = make_client(fake, sleeps=sleeps)
    fake.retry_after = "7"
    fake.faults["efetch"] = ["429"]
    fetch(client, fake)
    assert 7.0 in sleeps
    assert client.requests == minimum_requests(13, 5) + 1


def test_500_timeout_and_truncated_reply_are_retried_with_exponential_backoff(fake):
    sleeps = []
    client = make_client(fake, sleeps=sleeps)
    fake.faults["esearch"] = ["500"]
    fake.faults["efetch"] = ["timeout", "truncate"]
    whole, slices = fetch(client, fake)
    assert sum(len(part.pmids) for part in slices) == whole.count == 13
    backoffs = [s for s in sleeps if s >= 0.5]
    assert backoffs == [0.5, 0.5, 1.0]  # esearch retry 1; efetch retry 1 then 2
    assert fake.count("esearch") == 2 and fake.count("efetch") == 3 + 2


def test_gives_up_after_max_retries_with_a_clear_message(fake):
    client = make_client(fake, max_retries=2)
    fake.faults["efetch"] = ["500"] * 10
    with pytest.raises(EntrezError, match=r"efetch .* failed 3 times; last problem: HTTP 500"):
        fetch(client, fake)
    assert fake.count("efetch") == 3


def test_client_errors_are_not_retried(fake, httpserver):
    client = make_client(fake)
    httpserver.clear_all_handlers()
    httpserver.expect_request("/entrez/eutils/esearch.fcgi").respond_with_data("no", status=400)
    with pytest.raises(EntrezError, match="HTTP 400"):
        client.esearch(QUERY, START, END)
    assert client.requests == 1


def test_phrase_not_found_is_an_error_not_an_empty_result(fake):
    client = make_client(fake)
    with pytest.raises(QueryError, match=r"PhraseNotFound: abcXYZ.*abcXYZ\[All Fields\]"):
        client.esearch("abcXYZ", START, END)


def test_count_above_the_cap_is_split_into_date_slices(fake):
    client = make_client(fake, retrieval_cap=4)
    whole, slices = fetch(client, fake)
    assert len(slices) > 1
    assert all(part.search.count <= 4 for part in slices)
    assert sum(part.search.count for part in slices) == whole.count
    assert slices[0].mindate == START and slices[-1].maxdate == END
    for before, after in zip(slices, slices[1:], strict=False):
        assert (after.mindate - before.maxdate).days == 1  # no gap, no overlap
    assert sorted(p for part in slices for p in part.pmids) == sorted(a.pmid for a in fake.articles)


def test_a_single_day_above_the_cap_is_an_error(fake):
    client = make_client(fake)
    fake.forced_count = 42249  # the real count of esearch2.xml, on every slice
    whole = client.esearch(QUERY, START, START.replace(day=4))
    with pytest.raises(EntrezError, match="42249 PubMed records were created on 2025-01-01"):
        plan_slices(client, QUERY, START, START.replace(day=4), whole)


def test_union_must_match_the_count():
    part = Slice(START, END, search=None, pmids=["1", "2", "2"])
    with pytest.raises(EntrezError, match="fetched 3 records \\(2 distinct PMIDs\\)"):
        check_union([part], 3)


def test_rate_limit_spacing_seen_by_the_server(fake):
    client = EntrezClient(
        EntrezSettings(
            base_url=fake.url, email="r@example.org", batch_size=2, requests_per_second=25
        )
    )
    fetch(client, fake)
    times = [t for t, _, _ in fake.requests]
    assert len(times) == 1 + 7
    interval = 1.05 / 25
    # A request the server sees late shortens the gap to the next one (the client spaced them
    # when it sent them): any run of requests spans its gaps but at most one of them.
    for i, j in itertools.combinations(range(len(times)), 2):
        assert times[j] - times[i] >= (j - i - 1) * interval * 0.95, (i, j)
    assert times[-1] - times[0] >= 6 * interval * 0.95
    for start in times:  # never more than 25 requests in any one second
        assert sum(start <= t < start + 1 for t in times) <= 25


@pytest.mark.parametrize("api_key, rate", [(None, 3.0), ("k", 10.0)])
def test_default_rates_3_or_10_per_second(api_key, rate):
    assert EntrezSettings(api_key=api_key).rate == rate
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(rate, clock=lambda: now[0], sleep=sleep)
    stamps = []
    for _ in range(31):
        limiter.wait()
        stamps.append(now[0])
    assert all(b - a >= 1 / rate for a, b in zip(stamps, stamps[1:], strict=False))
    assert max(sum(s <= t < s + 1 for t in stamps) for s in stamps) <= rate


def test_settings_from_config_and_environment():
    pubmed = {"eutils_url": "https://mirror.example/eutils/", "email": "", "batch_size": 50}
    env = {
        "REVIEWFLOW_EUTILS_URL": "http://127.0.0.1:9/x",
        "NCBI_API_KEY": "SECRET-KEY",
        "NCBI_EMAIL": "team@example.org",
    }
    settings = EntrezSettings.from_config(pubmed, env)
    assert settings.base_url == "http://127.0.0.1:9/x"
    assert (settings.api_key, settings.rate, settings.email) == (
        "SECRET-KEY",
        10.0,
        "team@example.org",
    )
    assert settings.batch_size == 50
    assert "SECRET-KEY" not in repr(settings)
    assert EntrezSettings.from_config(pubmed, {}).base_url == "https://mirror.example/eutils"


def test_api_key_is_sent_but_never_logged(fake, caplog):
    client = make_client(fake, api_key="SECRET-KEY", max_retries=1)
    fake.faults["esearch"] = ["500", "500"]
    with caplog.at_level(logging.DEBUG), pytest.raises(EntrezError) as error:
        client.esearch(QUERY, START, END)
    assert all(args["api_key"] == "SECRET-KEY" for _, _, args in fake.requests)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("reviewflow"))
    assert "retrying esearch" in ours
    assert "SECRET-KEY" not in ours and "SECRET-KEY" not in str(error.value)
    assert "SECRET-KEY" not in caplog.text  # sent in a POST body: not even the server logs it


def test_no_email_or_bad_url_is_refused():
    with pytest.raises(EntrezError, match="NCBI_EMAIL"):
        EntrezClient(EntrezSettings(email=""))
    with pytest.raises(EntrezError, match="must start with https://"):
        EntrezClient(EntrezSettings(email="a@b.org", base_url="file:///etc"))


def test_no_server_is_retried_then_reported():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = []
    client = EntrezClient(
        EntrezSettings(
            base_url=f"http://127.0.0.1:{port}",
            email="a@b.org",
            max_retries=2,
            requests_per_second=1000,
        ),
        sleep=sleeps.append,
    )
    with pytest.raises(EntrezError, match="failed 3 times; last problem: connection problem"):
        client.esearch(QUERY, START, END)
    assert [s for s in sleeps if s >= 1] == [2.0, 4.0]  # backoff; the rest: rate limit


def test_real_esearch_replies(shared):
    entrez = shared / "data" / "formats" / "biopython_entrez" / "Entrez"
    result = parse_esearch((entrez / "esearch2.xml").read_bytes())
    assert (result.count, result.query_key) == (42249, "1")
    assert result.webenv.startswith("MCID_") and len(result.ids) == 100
    assert '"neoplasms"[MeSH Terms]' in result.translation
    with pytest.raises(QueryError, match="PhraseNotFound: abcXYZ"):
        parse_esearch((entrez / "esearch8.xml").read_bytes())
    with pytest.raises(TransientReplyError, match="no QueryKey"):  # asked without usehistory
        parse_esearch((entrez / "esearch1.xml").read_bytes())
    with pytest.raises(TransientReplyError, match="not complete XML"):
        parse_esearch((entrez / "esearch2.xml").read_bytes()[:700])
    with pytest.raises(TransientReplyError, match="not complete XML"):
        parse_esearch((entrez / "einfo4.xml").read_bytes())  # NCBI's truncated einfo reply


@pytest.mark.parametrize(
    "header, seconds",
    [
        ("5", 5.0),
        ("0.25", 0.25),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header) == seconds
