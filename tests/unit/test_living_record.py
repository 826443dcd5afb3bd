"""Records a review can trust (issue 24, the living review): publishing is a gate, every build
verifies what was published and stored, and the faults around them (full or read-only disk,
an impossible date, a hostile or trickling server, a killed snakemake, a bad new-review path)
end in one located message. Every case names its input and checks the exact message, and the
reviewer's files, the stored windows and the published versions are hashed around it."""

import errno
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from werkzeug.wrappers import Response

import reviewflow.living.versions as versions_module
from reviewflow import cli
from reviewflow.core import lifeline
from reviewflow.core.errors import InputProblems
from reviewflow.core.run_state import files_under, sha256_file, write_run_state
from reviewflow.core.version_index import read_versions, version_problems
from reviewflow.core.yamlfile import parse_yaml
from reviewflow.living.versions import (
    FROZEN_FILES,
    OPTIONAL_FILES,
    PublishWriteError,
    publish_version,
)
from reviewflow.new_review import create_review
from reviewflow.search.entrez import EntrezClient, EntrezError, EntrezSettings, UnsafeReplyError
from reviewflow.search.windows import Window, fetch_window
from tests.fake_eutils import FakeArticle, FakeEutils, pubmed_article
from tests.fake_eutils import trickling_server as trickling_server_at
from tests.reviewer_files import reviewer_files as review_state
from tests.reviewer_files import tree

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow" / "lib"))
import buildcheck  # noqa: E402  (the Snakefile's parse-time checks)

WA = "2024-09-26_2025-03-31"
DECLARED = """versions:
  - number: 1
    date: null
    trigger: "the article"
    windows: [v1]
  - number: 2
    date: 2025-04-15
    trigger: "monthly update"
    windows: [v1]
"""


# ------------------------------------------------------------------------------------------
# A small review folder: a build's frozen outputs, a recorded build, version 1 published


def make_review(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    (root / "config/versions.yaml").write_text(DECLARED, encoding="utf-8")
    (root / "config/config.yaml").write_text("review:\n  title: x\n", encoding="utf-8")
    (root / "extraction").mkdir()
    (root / "extraction/cases.tsv").write_text("case_id\tage\nC01\t37\n", encoding="utf-8")
    for name, path in FROZEN_FILES.items():
        if name not in OPTIONAL_FILES:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(f"{name}\n", encoding="utf-8")
    (root / FROZEN_FILES["records.tsv"]).write_text("record_id\tw\n", encoding="utf-8")
    counts = {"windows": [{"window": "v1", "databases": {}}]}
    (root / FROZEN_FILES["search_counts.json"]).write_text(json.dumps(counts), encoding="utf-8")
    record_build(root, "succeeded")
    publish_version(1, root=root)
    return root


def record_build(root: Path, state: str, **extra) -> None:
    """results/run_state.json as runstate.smk's onsuccess/onerror writes it."""
    roots = ["config", "extraction"]
    sources = {
        str(p.relative_to(root)): sha256_file(p) for p in files_under([root / r for r in roots])
    }
    fields = {"targets": ["all"], "source_roots": roots, "sources": sources}
    write_run_state(root / "results/run_state.json", state, **(fields if state != "failed" else {}))


@pytest.fixture
def review(tmp_path):
    return make_review(tmp_path / "review")


def refused(root: Path, number: int = 2) -> list[str]:
    before = review_state(root)
    with pytest.raises(InputProblems) as error:
        publish_version(number, root=root)
    assert review_state(root) == before
    assert error.value.consequence == "nothing was published"
    return error.value.problems


def finished(root: Path) -> str:
    return json.loads((root / "results/run_state.json").read_text())["finished_utc"]


# ------------------------------------------------------------------------------------------
# A. Publishing is a gate


def test_publish_after_a_failed_build_is_refused(review):
    """results/run_state.json: failed (e.g. config/analysis.yaml refused by a rule)."""
    record_build(review, "failed")
    state = review / "results/run_state.json"
    assert refused(review) == [
        f"{state}: the last build failed ({finished(review)}): fix what it reported and run "
        "snakemake --cores 4 again"
    ]


def test_publish_after_a_build_stopped_at_parse_time_is_refused(review):
    """A duplicate key in config/config.yaml stops snakemake while it reads the workflow: no
    handler runs and run_state.json stays the earlier success, but config.yaml differs from it."""
    config = review / "config/config.yaml"
    config.write_text("review:\n  title: x\n  title: y\n", encoding="utf-8")
    os.utime(config, (time.time() + 5, time.time() + 5))
    assert refused(review) == [
        f"changed since the last build finished ({finished(review)}): config/config.yaml: "
        "run snakemake --cores 4 again "
        "(when it says there is nothing to be done, snakemake --cores 4 --forceall records "
        "the build)"
    ]


def test_publish_after_a_reviewer_file_changed_without_a_rebuild_is_refused(review):
    """extraction/cases.tsv (cases!F2 37 -> 38 in the workbook) changed after the build."""
    cases = review / "extraction/cases.tsv"
    cases.write_text("case_id\tage\nC01\t38\n", encoding="utf-8")
    os.utime(cases, (time.time() + 5, time.time() + 5))
    (review / "extraction/new.tsv").write_text("x\n", encoding="utf-8")
    assert refused(review) == [
        f"changed since the last build finished ({finished(review)}): extraction/cases.tsv, "
        "extraction/new.tsv (new): run snakemake --cores 4 again "
        "(when it says there is nothing to be done, snakemake --cores 4 --forceall records "
        "the build)"
    ]


def test_publish_after_a_partial_build_or_an_old_record_is_refused(review):
    state = review / "results/run_state.json"
    record_build(review, "partial")
    data = json.loads(state.read_text())
    data["targets"] = ["statistics_summary"]
    state.write_text(json.dumps(data))
    assert refused(review) == [
        f"{state}: the last build made statistics_summary only, not the whole review: run "
        "snakemake --cores 4 (every target) first"
    ]
    write_run_state(state, "succeeded", targets=["all"], sources={})
    assert refused(review) == [
        f"{state}: the last build did not record what it was made from: run snakemake --cores 4 "
        "--forceall once"
    ]
    state.unlink()
    assert refused(review) == [
        f"{state}: no record of a finished build here: run snakemake --cores 4 (when it says "
        "there is nothing to be done, snakemake --cores 4 --forceall records one)"
    ]


def test_publish_after_a_succeeded_build_freezes_it(review):
    folder = publish_version(2, root=review)
    assert (folder / "cases.csv").read_text() == "cases.csv\n"


def test_a_killed_publication_is_removed_and_said_at_the_next_publish(review, monkeypatch, capsys):
    """versions/.v2.partial-killed (left by a publication killed mid-way)."""
    partial = review / "versions/.v2.partial-killed"
    partial.mkdir()
    (partial / "cases.csv").write_text("half")
    (partial / "cases.csv").chmod(0o444)
    assert buildcheck.partial_publication_notes(review / "versions") == [
        f"{partial}: left by a publication that was killed; nothing of it was published "
        "(reviewflow publish-version removes it, or remove it by hand)"
    ]
    monkeypatch.chdir(review)
    assert cli.main(["publish-version", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "versions/.v2.partial-killed: left by a publication that was killed (nothing of it was "
        "published): removed"
    )
    assert sorted(p.name for p in (review / "versions").iterdir()) == ["v1", "v2"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_publish_onto_a_full_or_read_only_disk_says_so_in_one_line(review, monkeypatch, code):
    """shutil.copyfile raising ENOSPC (disk full) or EROFS (read-only), monkeypatched."""

    def fail(source, dest):
        raise OSError(code, os.strerror(code), str(dest))

    monkeypatch.setattr(versions_module.shutil, "copyfile", fail)
    before = review_state(review)
    with pytest.raises(PublishWriteError) as error:
        publish_version(2, root=review)
    message = str(error.value)
    assert "\n" not in message
    assert re.fullmatch(
        rf"{review}/versions/v2: cannot write version 2 "
        rf"\({re.escape(os.strerror(code))}\): nothing was published; free space on the disk or "
        rf"make {review}/versions/ writable, then run reviewflow publish-version 2 again",
        message,
    ), message
    assert review_state(review) == before  # no v2, no .v2.partial-* left


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 64 kB tmpfs (root only; skipped elsewhere)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or not mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)):
        pytest.skip("needs root to mount a small tmpfs")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_publish_onto_a_really_full_disk(review, small_disk, capsys, monkeypatch):
    """versions/ on a 64 kB tmpfs that version 1 and a filler leave 8 kB free."""
    shutil.copytree(review / "versions/v1", small_disk / "v1")
    free = os.statvfs(small_disk)
    (small_disk / "filler").write_bytes(b"x" * max(0, free.f_bavail * free.f_frsize - 8192))
    (review / FROZEN_FILES["cases.csv"]).write_text("C01,37\n" * 2000, encoding="utf-8")
    record_build(review, "succeeded")
    before = tree(small_disk)
    monkeypatch.chdir(review)
    assert cli.main(["publish-version", "2", "--versions-dir", str(small_disk)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert re.fullmatch(
        rf"reviewflow publish-version: {small_disk}/v2: cannot write version "
        rf"2 \(No space left on device\): nothing was published; free space on the disk or make "
        rf"{small_disk}/ writable, then run reviewflow publish-version 2 again\n",
        err,
    ), err
    assert tree(small_disk) == before


def test_publish_onto_a_read_only_bind_mount(review, capsys, monkeypatch):
    """versions/ bind-mounted read-only (root is not stopped by file modes)."""
    versions = review / "versions"
    if os.geteuid() != 0 or not mount("--bind", str(versions), str(versions)):
        pytest.skip("needs root to bind-mount")
    try:
        assert mount("-o", "remount,ro,bind", str(versions))
        before = review_state(review)
        monkeypatch.chdir(review)
        assert cli.main(["publish-version", "2"]) == 2
        err = capsys.readouterr().err
        assert re.fullmatch(
            r"reviewflow publish-version: versions/v2: cannot write version 2 "
            r"\(Read-only file system\): nothing was published; free space on the disk or make "
            r"versions/ writable, then run reviewflow publish-version 2 again\n",
            err,
        ), err
        assert review_state(review) == before
    finally:
        subprocess.run(["umount", str(versions)], check=True)


# ------------------------------------------------------------------------------------------
# B. Every build verifies what was published


def check_versions(root: Path) -> list[str]:
    return version_problems(root / "config/versions.yaml", root / "versions")


def test_the_published_version_as_published_passes(review):
    assert check_versions(review) == []


def test_an_edited_published_file_is_refused(review):
    """versions/v1/cases.csv edited."""
    path = review / "versions/v1/cases.csv"
    path.chmod(0o644)
    path.write_text("C01,38\n")
    v1 = review / "versions/v1"
    assert check_versions(review) == [
        f"{review}/versions/v1/cases.csv: changed since it was published (SHA-256): a published "
        f"version is never changed; restore it (git checkout -- {v1})"
    ]


def test_an_extra_file_in_a_published_version_is_refused(review):
    """versions/v1/extra.txt added."""
    (review / "versions/v1/extra.txt").write_text("x")
    v1 = review / "versions/v1"
    assert check_versions(review) == [
        f"{review}/versions/v1/extra.txt: not part of the published version: a published version "
        f"is never changed; restore it (git checkout -- {v1})"
    ]


def test_a_deleted_manifest_is_refused(review):
    """versions/v1/version.json deleted."""
    (review / "versions/v1/version.json").unlink()
    v1 = review / "versions/v1"
    assert check_versions(review) == [
        f"{v1}/version.json: missing: a published version keeps its manifest; restore it "
        f"(git checkout -- {v1})"
    ]


def test_an_edited_declaration_of_a_published_version_is_refused(review):
    """config/versions.yaml: version 1's trigger edited."""
    path = review / "config/versions.yaml"
    path.write_text(DECLARED.replace('"the article"', '"the article (edited)"'))
    assert check_versions(review) == [
        f"{path}: versions[1].trigger: 'the article (edited)' differs from what was published "
        f"in {review}/versions/v1/version.json ('the article'): the entry of a published version "
        f"is never edited; restore it (git checkout -- {path}) and say what changed in the next "
        "version's note"
    ]


def test_a_date_not_known_at_publication_may_be_filled_in(review):
    path = review / "config/versions.yaml"
    path.write_text(DECLARED.replace("date: null", "date: 2025-03-01"))
    assert check_versions(review) == []


def test_a_published_version_without_its_declaration_is_refused(review):
    path = review / "config/versions.yaml"
    (review / "versions/v3").mkdir()
    shutil.copy2(review / "versions/v1/version.json", review / "versions/v3/version.json")
    problems = check_versions(review)
    assert (
        f"{path}: version 3 is published ({review}/versions/v3/) but not declared: restore "
        f"its entry (git checkout -- {path})" in problems
    )


def test_an_impossible_date_in_versions_yaml_is_located(review):
    """config/versions.yaml: `date: 2025-13-45` (PyYAML alone: ValueError, no file or line)."""
    path = review / "config/versions.yaml"
    path.write_text(DECLARED.replace("date: 2025-04-15", "date: 2025-13-45"))
    expected = [
        f"{path}:7:11: not valid YAML: '2025-13-45' is not a date (month must be in 1..12): "
        "write YYYY-MM-DD"
    ]
    assert check_versions(review) == expected
    with pytest.raises(InputProblems) as error:
        read_versions(path)
    assert error.value.problems == expected
    with pytest.raises(InputProblems, match=r"x\.yaml:1:4: not valid YAML: '2025-02-29' is not"):
        parse_yaml("a: 2025-02-29\n", "x.yaml")
    assert parse_yaml("a: 2024-02-29\n", "x.yaml") == {"a": date(2024, 2, 29)}


# ------------------------------------------------------------------------------------------
# B. Every build verifies the stored windows


EFETCH = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st '
    b'January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet></PubmedArticleSet>\n"
)


def make_window(windows: Path, window_id: str = WA) -> Path:
    """A stored window as a fetch leaves it: its reply and a search log naming the window."""
    folder = windows / window_id
    folder.mkdir(parents=True)
    reply = folder / f"pubmed_efetch_{window_id}_0001.xml"
    reply.write_bytes(EFETCH)
    start, until = window_id.split("_")
    log = {
        "window": window_id,
        "limits": {"mindate": start, "maxdate": until},
        "count": 0,
        "files": [
            {"file": reply.name, "role": "efetch", "records": 0, "sha256": sha256_file(reply)}
        ],
    }
    (folder / "search_log.json").write_text(json.dumps(log))
    return folder


def window_check(windows: Path) -> list[str]:
    before = tree(windows)
    problems = buildcheck.window_problems(windows)
    assert tree(windows) == before
    return problems


def test_a_stored_window_as_fetched_passes(tmp_path):
    make_window(tmp_path)
    (tmp_path / WA / "savedrecs.txt").write_text("FN Clarivate\nER\n")  # an export dropped in
    (tmp_path / "README.md").write_text("windows")
    assert window_check(tmp_path) == []


def test_a_window_renamed_to_a_later_end_date_is_refused(tmp_path):
    """resources/searches/2024-09-26_2025-03-31/ renamed to ..._2025-04-21/."""
    folder = make_window(tmp_path)
    renamed = folder.rename(tmp_path / "2024-09-26_2025-04-21")
    assert window_check(tmp_path) == [
        f"{renamed}/: its search_log.json is the search of window {WA} (PubMed create dates "
        "2024-09-26 to 2025-03-31), not of 2024-09-26_2025-04-21: a stored window is never "
        "renamed (its record ids and the next window's start come from its name); restore it "
        f"(git checkout -- {tmp_path}) and fetch later days as a new window"
    ]


def test_a_second_copy_of_the_pubmed_reply_is_refused(tmp_path):
    """pubmed_efetch_..._0001 (copy).xml beside the listed reply, and another PubMed XML."""
    folder = make_window(tmp_path)
    listed = f"pubmed_efetch_{WA}_0001.xml"
    shutil.copy2(folder / listed, folder / f"pubmed_efetch_{WA}_0001 (copy).xml")
    (folder / "more.xml").write_bytes(
        EFETCH.replace(b"</PubmedArticleSet>", b" </PubmedArticleSet>")
    )
    ending = (
        "that search_log.json does not list: a window's PubMed records are the replies its "
        "fetch stored, counted once (a second copy would count them twice); remove this file"
    )
    assert window_check(tmp_path) == [
        f"{folder}/more.xml: PubMed XML {ending}",
        f"{folder}/pubmed_efetch_{WA}_0001 (copy).xml: a copy of {listed} (same SHA-256) {ending}",
    ]


def test_reversed_and_hand_made_window_folders_are_refused(tmp_path):
    """resources/searches/2025-06-30_2025-04-01/ (reversed) and april-2025/ (hand-made)."""
    make_window(tmp_path)
    for name in ("2025-06-30_2025-04-01", "april-2025"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "savedrecs.txt").write_text("x")
    ending = (
        "windows are made by a fetch (snakemake --cores 4 --config search_until=YYYY-MM-DD), "
        f"never by hand or renamed: restore it (git checkout -- {tmp_path}) or move it out of "
        f"{tmp_path}/"
    )
    assert window_check(tmp_path) == [
        f"{tmp_path}/2025-06-30_2025-04-01/: not a search window: its dates are reversed (from "
        f"2025-06-30 is after until 2025-04-01); {ending}",
        f"{tmp_path}/april-2025/: not a search window: its name is not <from>_<until> (PubMed "
        f"create dates, YYYY-MM-DD, from <= until); {ending}",
    ]


# ------------------------------------------------------------------------------------------
# B. A hostile reply is never stored


XXE = b'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    b'<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)


@pytest.mark.parametrize("declaration", [XXE, LAUGHS], ids=["xxe", "billion_laughs"])
def test_a_hostile_efetch_reply_is_refused_and_nothing_is_stored(tmp_path, httpserver, declaration):
    """An efetch reply declaring an external entity (XXE) or nested entities (billion laughs)."""
    article = FakeArticle(
        "39500001",
        date(2024, 10, 14),
        pubmed_article("39500001", title="T", authors=[("A", "B")], journal="J", year="2024"),
    )
    fake = FakeEutils(None, articles=[article])
    url = fake.install(httpserver)
    httpserver.clear_all_handlers()
    httpserver.expect_request("/entrez/eutils/esearch.fcgi").respond_with_handler(fake.esearch)

    def hostile(request):
        body = fake.efetch(request).get_data()
        body = re.sub(rb"<!DOCTYPE[^>]*>", declaration, body, count=1)
        body = body.replace(b"<ArticleTitle>T", b"<ArticleTitle>&" + declaration[-10:-9], 1)
        return Response(body, content_type="text/xml")

    httpserver.expect_request("/entrez/eutils/efetch.fcgi").respond_with_handler(hostile)
    client = EntrezClient(EntrezSettings(base_url=url, email="a@b.org", max_retries=0))
    with pytest.raises(UnsafeReplyError) as error:
        fetch_window(Window.from_id(WA), tmp_path, query="x", client=client, progress=False)
    assert str(error.value) == (
        f"efetch: the reply from {url} was refused: it declares XML entities "
        "(EntitiesForbidden), which a genuine E-utilities reply never does (an XML external "
        "entity or 'billion laughs' attack, or not NCBI's server); nothing was stored. Check "
        "that search.pubmed.eutils_url (or the environment variable REVIEWFLOW_EUTILS_URL) is "
        "NCBI's E-utilities, then run the fetch again"
    )
    assert list(tmp_path.iterdir()) == []
    assert fake.count("efetch") == 1  # refused at once, not retried


# ------------------------------------------------------------------------------------------
# C. The fetch's deadlines: what a reviewer would wait, and never silent


def test_the_shipped_deadlines_give_up_within_minutes():
    """config/config.yaml, the schema's defaults and the client's agree; a server that never
    completes a reply is given up after (retries + 1) request deadlines plus the backoffs."""
    shipped = yaml.safe_load((REPO / "config/config.yaml").read_text())["search"]["pubmed"]
    schema = yaml.safe_load((REPO / "workflow/schemas/config.search.schema.yaml").read_text())
    defaults = {
        key: spec["default"]
        for key, spec in schema["properties"]["pubmed"]["properties"].items()
        if "default" in spec
    }
    for source in (shipped, defaults, {}):
        settings = EntrezSettings.from_config(source, environ={})
        backoffs = sum(
            min(settings.backoff_max, settings.backoff * 2**n) for n in range(settings.max_retries)
        )
        worst = (settings.max_retries + 1) * settings.request_deadline + backoffs
        assert (settings.timeout, settings.request_deadline, settings.max_retries) == (30, 60, 3)
        assert worst == 254  # seconds: 4 tries of 60 s and 2 + 4 + 8 s between them
        assert settings.progress_interval == 15


@pytest.fixture
def trickling_server():
    """A loopback E-utilities server sending its reply one byte every 0.05 s, never finishing."""
    with trickling_server_at(0.05) as url:
        yield url


def test_a_trickling_server_is_reported_while_it_trickles_then_given_up(trickling_server, caplog):
    """The reply trickles one byte every 0.05 s: each attempt lasts its request deadline (here
    1 s), with a progress line every 0.25 s; two attempts, then a clear error."""
    settings = EntrezSettings(
        base_url=trickling_server,
        email="a@b.org",
        timeout=5,
        request_deadline=1,
        max_retries=1,
        backoff=0.01,
        progress_interval=0.25,
    )
    client = EntrezClient(settings)
    with caplog.at_level(logging.INFO, logger="reviewflow.search.entrez"):
        with pytest.raises(EntrezError) as error:
            client.get("esearch", {"db": "pubmed", "term": "x"})
    assert str(error.value) == (
        "esearch (db=pubmed, term=x) failed 2 times; last problem: no complete reply within 1 s "
        "(overall deadline)"
    )
    progress = [r.getMessage() for r in caplog.records if "waiting for the reply" in r.getMessage()]
    for attempt in (1, 2):
        lines = [line for line in progress if f"(attempt {attempt} of 2, at most 1 s)" in line]
        assert lines, progress
        assert all(
            re.fullmatch(
                rf"esearch: waiting for the reply \(attempt {attempt} of 2, at most 1 s\): "
                r"\d+ s so far, \d+ bytes received",
                line,
            )
            for line in lines
        )
    received = [int(re.search(r"(\d+) bytes", line).group(1)) for line in progress]
    assert max(received) > 0  # the bytes that trickled in are counted


# ------------------------------------------------------------------------------------------
# C. A snakemake killed with SIGKILL: its fetch stops, its lock does not need --unlock


def test_command_lines_of_snakemake_are_told_from_its_scripts():
    assert lifeline.is_snakemake(["/venv/bin/python", "/venv/bin/snakemake", "--cores", "2"])
    assert lifeline.is_snakemake(["/usr/bin/python3", "-m", "snakemake", "--cores", "2"])
    assert lifeline.is_snakemake(["snakemake", "-n"])
    assert not lifeline.is_snakemake(
        ["/bin/bash", "-c", "set -euo pipefail; python .snakemake/scripts/tmpab.fetch.py"]
    )
    assert not lifeline.is_snakemake(["python", "/r/.snakemake/scripts/tmpab.fetch.py"])


CHILD = """
import signal, sys, time
sys.path.insert(0, {scripts!r})
from reviewflow.core.lifeline import stop_with_snakemake
def stopped(signum, frame):
    open({marker!r}, "w").write("stopped by SIGTERM")
    sys.exit(0)
signal.signal(signal.SIGTERM, stopped)
stop_with_snakemake(interval=0.1)
print("watching", flush=True)
time.sleep(120)
"""
PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
child.stdout.readline()
print(child.pid, flush=True)
child.wait()
"""


def wait_until(condition, limit: float = 60.0) -> bool:
    """Poll `condition` until it holds (bounded; never a timed assertion)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_job_stops_when_its_parent_is_killed_with_sigkill(tmp_path):
    """The parent (snakemake's place) of a job running stop_with_snakemake is SIGKILLed."""
    marker = tmp_path / "stopped.txt"
    child_code = CHILD.format(scripts=str(REPO / "scripts"), marker=str(marker))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, child_code], stdout=subprocess.PIPE, text=True
    )
    child_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert wait_until(marker.exists), "the job outlived its parent"
    assert marker.read_text() == "stopped by SIGTERM"
    assert wait_until(lambda: not Path(f"/proc/{child_pid}").exists() or _zombie(child_pid))


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return True


def test_a_stale_lock_is_removed_a_live_one_kept(tmp_path):
    """.snakemake/locks/0.input.lock left by a snakemake killed with SIGKILL."""
    locks = tmp_path / ".snakemake/locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("results/x\n")
    fake = tmp_path / "bin/snakemake"  # a process whose command line is snakemake's
    fake.parent.mkdir()
    fake.write_text("import time\ntime.sleep(60)\n")
    running = subprocess.Popen([sys.executable, str(fake)], cwd=tmp_path)
    try:
        assert wait_until(lambda: lifeline.other_snakemake_in(tmp_path) == [running.pid])
        assert buildcheck.remove_stale_locks(tmp_path) == []
        assert (locks / "0.input.lock").exists()
    finally:
        running.kill()
        running.wait()
    assert buildcheck.remove_stale_locks(tmp_path) == [
        f"{locks}/: the lock of an earlier snakemake that was stopped without cleaning up "
        "(killed, or a power loss); no snakemake works in this folder on this machine, so the "
        "lock was removed and this run goes on"
    ]
    assert list(locks.iterdir()) == []


# ------------------------------------------------------------------------------------------
# C. new-review with a path that cannot be a new review


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (".", "'.': give the new review's folder by name (e.g. reviewflow new-review my-review), "
              "not the current or the parent folder"),
        ("", "an empty name: give the new review's folder by name (e.g. reviewflow new-review "
             "my-review), not the current or the parent folder"),
        ("..", "'..': give the new review's folder by name (e.g. reviewflow new-review "
               "my-review), not the current or the parent folder"),
    ],
)  # fmt: skip
def test_new_review_refuses_the_current_folder_or_no_name(tmp_path, monkeypatch, given, expected):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputProblems) as error:
        create_review(given)
    assert error.value.problems == [expected]
    assert list(tmp_path.iterdir()) == []


def test_new_review_refuses_a_symlink_and_a_path_it_cannot_write(tmp_path, monkeypatch, capsys):
    """A symbolic link to an empty folder; a path under a file; a read-only bind mount."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    with pytest.raises(InputProblems) as error:
        create_review(tmp_path / "link")
    assert error.value.problems == [
        f"{tmp_path}/link: a symbolic link (to {tmp_path}/empty): give a real folder path for "
        "the new review"
    ]
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputProblems) as error:
        create_review(tmp_path / "file/review")
    assert error.value.problems == [
        f"{tmp_path}/file/review: {tmp_path}/file is not a folder: give a path inside a folder"
    ]
    assert cli.main(["new-review", str(tmp_path / "file/review")]) == 2
    assert capsys.readouterr().err.startswith(f"reviewflow new-review: {tmp_path}/file/review: 1")
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    if os.geteuid() == 0 and mount("--bind", str(readonly), str(readonly)):
        try:
            assert mount("-o", "remount,ro,bind", str(readonly))
            with pytest.raises(InputProblems) as error:
                create_review(readonly / "review")
            assert error.value.problems == [
                f"{readonly}/review: cannot write in {readonly} (Read-only file system): give a "
                "folder you can write to"
            ]
        finally:
            subprocess.run(["umount", str(readonly)], check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file", "link", "readonly"]
