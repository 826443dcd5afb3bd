"""Versions: the declaration file, publishing (all or nothing, never over a published folder,
read-only files), and the committed folders still as published."""

import json
import os
import stat
from pathlib import Path

import pytest

from reviewflow.core.errors import InputProblems
from reviewflow.core.run_state import files_under, sha256_file, write_run_state
from reviewflow.living.versions import (
    FROZEN_FILES,
    METADATA,
    OPTIONAL_FILES,
    last_published,
    publish_version,
    published_numbers,
    read_versions,
    verify_folder,
    version_label,
)

REPO = Path(__file__).resolve().parents[2]
WA = "2024-09-26_2025-03-31"

DECLARED = f"""versions:
  - number: 1
    date: null
    trigger: "the article"
    windows: [v1]
  - number: 2
    date: 2025-04-15
    trigger: "monthly update"
    windows: [v1, "{WA}"]
    note: "one new study"
"""


def build(root: Path, windows=("v1",)) -> None:
    """A fake build: every frozen output, with the search windows `windows`."""
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config/versions.yaml").write_text(DECLARED, encoding="utf-8")
    for name, path in FROZEN_FILES.items():
        if name in OPTIONAL_FILES:
            continue
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"{name}\n", encoding="utf-8")
    (root / FROZEN_FILES["records.tsv"]).write_text(
        "record_id\twindow\tsource_db\ttitle\tabstract\nr1\tw\tpubmed\tA title\tlong text\n",
        encoding="utf-8",
    )
    counts = {"windows": [{"window": w, "databases": {}} for w in windows]}
    (root / FROZEN_FILES["search_counts.json"]).write_text(json.dumps(counts), encoding="utf-8")
    record_succeeded_build(root)


def record_succeeded_build(root: Path) -> None:
    """results/run_state.json as a complete build that succeeded writes it (runstate.smk)."""
    sources = {
        str(path.relative_to(root)): sha256_file(path) for path in files_under([root / "config"])
    }
    write_run_state(
        root / "results/run_state.json",
        "succeeded",
        targets=["all"],
        source_roots=["config"],
        sources=sources,
    )


def test_read_versions_gives_the_declared_versions(tmp_path):
    path = tmp_path / "versions.yaml"
    path.write_text(DECLARED, encoding="utf-8")
    first, second = read_versions(path)
    assert (first.number, first.date, first.windows) == (1, "", ("v1",))
    assert (second.number, second.date, second.windows, second.note) == (
        2, "2025-04-15", ("v1", WA), "one new study"
    )  # fmt: skip


def test_read_versions_reports_every_problem_at_once(tmp_path):
    path = tmp_path / "versions.yaml"
    path.write_text(
        "versions:\n"
        "  - {number: 1, date: '2025-13-01', trigger: a, windows: [v1], colour: red}\n"
        "  - {number: 3, date: 2025-01-01, trigger: b, windows: [x]}\n"
        "  - {number: 3, trigger: c}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputProblems) as error:
        read_versions(path)
    problems = error.value.problems
    assert any("versions[1]: unknown keys ['colour']" in p for p in problems)
    assert any("versions[1]: date '2025-13-01' is not a date" in p for p in problems)
    assert any("versions[2]: number 3: versions are numbered 1, 2" in p for p in problems)
    assert any("versions[2]: windows must include those of version 1" in p for p in problems)
    assert any("versions[3]: missing date, windows" in p for p in problems)


def test_publish_freezes_the_outputs_read_only_with_their_checksums(tmp_path):
    build(tmp_path)
    folder = publish_version(1, root=tmp_path, commit="abc")
    assert folder == tmp_path / "versions/v1"
    meta = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    assert (meta["number"], meta["windows"], meta["commit"]) == (1, ["v1"], "abc")
    assert set(meta["files"]) == set(FROZEN_FILES) - OPTIONAL_FILES
    assert (folder / "cases.csv").read_text(encoding="utf-8") == "cases.csv\n"
    # a version keeps each record's id, window, database and title, not its abstract
    assert (folder / "records.tsv").read_text(encoding="utf-8") == (
        "record_id\twindow\tsource_db\ttitle\nr1\tw\tpubmed\tA title\n"
    )
    for path in folder.iterdir():
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), path
    assert verify_folder(folder) == []
    assert published_numbers(tmp_path / "versions") == [1]
    assert last_published(tmp_path / "versions") == folder


def test_a_published_version_is_never_rewritten(tmp_path):
    build(tmp_path)
    folder = publish_version(1, root=tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (tmp_path / "results/dataset/cases.csv").write_text("changed\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="published already; a published version is never"):
        publish_version(1, root=tmp_path)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in (tmp_path / "versions").iterdir()] == ["v1"]  # no partial folder


def test_publish_refuses_an_undeclared_version_a_gap_or_other_windows(tmp_path):
    build(tmp_path)
    with pytest.raises(InputProblems, match="version 3 is not declared"):
        publish_version(3, root=tmp_path)
    with pytest.raises(InputProblems) as error:
        publish_version(2, root=tmp_path)  # v1 unpublished, and the build has only v1
    text = str(error.value)
    assert "versions [1] must be published before version 2" in text
    assert not (tmp_path / "versions/v2").exists()
    publish_version(1, root=tmp_path)
    with pytest.raises(InputProblems, match=r"the build covers the windows \['v1'\]"):
        publish_version(2, root=tmp_path)
    build(tmp_path, windows=("v1", WA))
    assert publish_version(2, root=tmp_path).name == "v2"


def test_publish_refuses_when_an_output_is_missing_and_writes_nothing(tmp_path):
    build(tmp_path)
    os.remove(tmp_path / "results/statistics/summary.tsv")
    with pytest.raises(InputProblems, match="summary.tsv: missing; run the workflow"):
        publish_version(1, root=tmp_path)
    assert not (tmp_path / "versions").exists() or not any((tmp_path / "versions").iterdir())


def test_a_changed_file_of_a_published_version_is_found(tmp_path):
    build(tmp_path)
    folder = publish_version(1, root=tmp_path)
    path = folder / "summary.tsv"
    path.chmod(0o644)
    path.write_text("rewritten\n", encoding="utf-8")
    (folder / "extra.txt").write_text("x", encoding="utf-8")
    assert verify_folder(folder) == [
        "v1/summary.tsv: changed since it was published (SHA-256)",
        "v1/extra.txt: not part of the published version",
    ]


def test_the_committed_versions_are_as_published():
    folders = sorted((REPO / "versions").glob("v*"))
    assert folders, "versions/v1 (the article) is committed"
    for folder in folders:
        assert verify_folder(folder) == [], folder
    declared = read_versions(REPO / "config/versions.yaml")
    for folder in folders:
        meta = json.loads((folder / METADATA).read_text(encoding="utf-8"))
        version = declared[meta["number"] - 1]
        assert (meta["trigger"], meta["windows"]) == (version.trigger, list(version.windows))


def test_version_label_says_published_or_draft():
    path_versions = [
        {"number": 1, "date": "", "trigger": "article", "windows": ["v1"]},
        {"number": 2, "date": "2025-04-15", "trigger": "update", "windows": ["v1", WA]},
    ]
    from reviewflow.living.versions import Version

    versions = [Version(**{**v, "windows": tuple(v["windows"])}) for v in path_versions]
    assert version_label(versions, [1])["title"] == "version 2 (draft, not yet published)"
    assert version_label(versions, [1, 2]) == {
        "title": "version 2 (2025-04-15)",
        "published": "version 2 (2025-04-15): update",
        "draft": "",
    }
    assert version_label(versions[:1], [1])["title"] == "version 1 (date not given)"
