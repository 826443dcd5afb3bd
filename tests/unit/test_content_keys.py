"""reviewflow.core.content_keys: an output is made again only when its key changed (issue 21);
its kept copies are its files otherwise, and a copy is trusted only with its key."""

import pandas as pd

from reviewflow.core import content_keys
from reviewflow.core.content_keys import (
    checked_once,
    content_key,
    frame_text,
    library_versions,
    made_once,
)


def test_the_library_code_is_part_of_the_key(tmp_path, monkeypatch):
    library = tmp_path / "reviewflow"
    library.mkdir()
    (library / "figures.py").write_text("DRAW = 1\n", encoding="utf-8")
    monkeypatch.setattr(content_keys, "LIBRARY", library)
    content_keys.code_version.cache_clear()
    try:
        one = content_key("figure", "x")
        (library / "figures.py").write_text("DRAW = 2\n", encoding="utf-8")
        content_keys.code_version.cache_clear()
        assert content_key("figure", "x") != one
    finally:
        content_keys.code_version.cache_clear()


def test_parts_are_told_apart_by_their_lengths():
    assert content_key("ab", "c") != content_key("a", "bc")
    assert content_key("a") == content_key("a")


def test_library_versions_name_absent_packages():
    assert library_versions(("pandas", "no-such-package-here")) == (
        f"pandas {pd.__version__}\nno-such-package-here absent"
    )


def test_frame_text_tells_values_of_other_types_apart():
    texts = {
        frame_text(pd.DataFrame({"a": pd.Series(values, dtype="object")}))
        for values in ([1], ["1"], [True], [None], [float("nan")], [1.0])
    }
    assert len(texts) == 6


def maker(paths, made: list, text: str):
    """A `make` that writes `text` to every path and counts its calls in `made`."""

    def make():
        made.append(text)
        for path in paths:
            path.write_text(f"{path.name}: {text}", encoding="utf-8")

    return make


def test_made_once_per_key_then_copied(tmp_path):
    out, cache, made = tmp_path / "out", tmp_path / "cache", []
    out.mkdir()
    paths = [out / "table.md", out / "table.xlsx"]
    assert made_once("table", "k1", paths, cache, maker(paths, made, "one"))
    for path in paths:
        path.unlink()  # as Snakemake removes a job's outputs before it runs
    assert not made_once("table", "k1", paths, cache, maker(paths, made, "two"))
    assert made == ["one"]
    assert [p.read_text(encoding="utf-8") for p in paths] == ["table.md: one", "table.xlsx: one"]
    assert made_once("table", "k2", paths, cache, maker(paths, made, "three"))
    assert made == ["one", "three"]
    assert (cache / "table.md").read_text(encoding="utf-8") == "table.md: three"
    assert (cache / "table.key").read_text(encoding="utf-8") == "k2"


def test_a_copy_is_trusted_only_with_its_key_and_every_copy(tmp_path):
    out, cache, made = tmp_path / "out", tmp_path / "cache", []
    out.mkdir()
    paths = [out / "a.md", out / "a.html"]
    made_once("a", "k", paths, cache, maker(paths, made, "one"))
    (cache / "a.html").unlink()  # a copy missing: made again
    assert made_once("a", "k", paths, cache, maker(paths, made, "two"))
    (cache / "a.key").unlink()  # no key: made again
    assert made_once("a", "k", paths, cache, maker(paths, made, "three"))
    assert made == ["one", "two", "three"]
    assert not made_once("a", "k", paths, cache, maker(paths, made, "four"))


def test_checked_once_per_key_while_no_problem_is_found(tmp_path):
    cache, calls = tmp_path / "cache", []

    def check(found):
        return lambda: calls.append(found) or list(found)

    assert checked_once("file", "k1", cache, check([])) == []
    assert checked_once("file", "k1", cache, check(["never run"])) == []
    assert calls == [[]]
    assert checked_once("file", "k2", cache, check(["a problem"])) == ["a problem"]
    assert not (cache / "file.key").exists()  # problems found: no key kept
    assert checked_once("file", "k1", cache, check([])) == []  # k1 is no longer the last
    assert checked_once("file", "k1", None, check(["without a cache"])) == ["without a cache"]
    assert len(calls) == 4
