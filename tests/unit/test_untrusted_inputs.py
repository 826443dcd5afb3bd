"""Issue 24 (items 6 and 7): inputs that used to crash with a traceback or pass unclear, each
named with the exact located message it now gets (YAML aliases and nesting, conditions that
contain themselves, parameters naming parameters, statistics over text)."""

import errno
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reviewflow.core import archives
from reviewflow.core.definitions import read_definitions
from reviewflow.core.errors import InputProblems, OutputNotWritten
from reviewflow.core.io import write_table
from reviewflow.core.yamlfile import MAX_DEPTH, MAX_NODES, parse_yaml
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.workbook import read_workbook
from reviewflow.statistics.reported import check_columns, read_declared

from .statistics_cases import SCHEMA, make_cases

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "workflow" / "lib"))
import buildcheck  # noqa: E402


def refused(call) -> list[str]:
    with pytest.raises(InputProblems) as error:
        call()
    return error.value.problems


# --- YAML: aliases, self-reference and nesting bounded before anything is built --------------


def alias_bomb(levels: int = 9) -> str:
    """Each line holds ten aliases of the line above: 10**levels values from a few lines."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_its_line():
    # a4 is the first value past the bound (10**5 x once expanded)
    assert refused(lambda: parse_yaml(alias_bomb(), "config/analysis.yaml")) == [
        f"config/analysis.yaml:5:5: more than {MAX_NODES} values once its aliases (*name) are "
        "expanded: write the values out, or use fewer aliases"
    ]


def test_a_value_containing_itself_is_refused():
    assert refused(lambda: parse_yaml("a: &a [1, *a]\n", "f.yaml")) == [
        "f.yaml:1:4: an alias (*name) inside the value it names: a value cannot contain itself"
    ]


def test_nesting_is_bounded_deep_or_very_deep():
    deep = "x: " + "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1) + "\n"
    assert refused(lambda: parse_yaml(deep, "f.yaml")) == [
        f"f.yaml:1:5: nested more than {MAX_DEPTH} levels deep: flatten it"
    ]
    very_deep = "x: " + "{not: " * 3000 + "{reported: age}" + "}" * 3000 + "\n"
    assert refused(lambda: parse_yaml(very_deep, "f.yaml")) == [
        f"f.yaml: nested too deeply (more than {MAX_DEPTH} levels): flatten it"
    ]


def test_aliases_within_the_bounds_are_read_as_before():
    text = "a: &a [1, 2]\nb: *a\nc: {d: &d {e: 1}, f: *d}\n"
    assert parse_yaml(text, "f.yaml") == yaml.safe_load(text)


# --- reported-results file: conditions, parameters, statistics ------------------------------


def item(compute: dict) -> dict:
    return {"section": "4.1", "description": "d", "compute": compute}


def load(tmp_path, data: dict):
    path = tmp_path / "reported_results.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return lambda: read_declared(path, SCHEMA)


def definitions(tmp_path, data: dict):
    path = tmp_path / "definitions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return lambda: read_definitions(path)


def test_named_conditions_that_contain_themselves_are_refused(tmp_path):
    data = {
        "conditions": {
            "loop_a": {"condition": "loop_b"},
            "loop_b": {"all": [{"reported": "age"}, {"condition": "loop_a"}]},
            "loop_self": {"not": {"condition": "loop_self"}},
            "fine": {"condition": "loop_a"},
        },
    }
    where = f"{tmp_path / 'definitions.yaml'}: conditions"
    assert refused(definitions(tmp_path, data)) == [
        f"{where}.loop_a: refers to itself (loop_a -> loop_b -> loop_a): a condition cannot "
        "contain itself",
        f"{where}.loop_self: refers to itself (loop_self -> loop_self): a condition cannot "
        "contain itself",
    ]


def test_a_parameter_naming_another_parameter_is_refused(tmp_path):
    data = {"parameters": {"month": 30.44, "days_per_month": "{month}", "old": "$month"}}
    where = f"{tmp_path / 'definitions.yaml'}: parameters"
    assert refused(definitions(tmp_path, data)) == [
        f"{where}.days_per_month: '{{month}}': a parameter cannot name another parameter: "
        "write its value",
        f"{where}.old: '$month': a parameter cannot name another parameter: write its value",
    ]


def test_a_summary_over_a_text_column_is_refused(tmp_path):
    data = {"items": {"a": item({"statistic": "summary", "column": "sex"})}}
    declared = load(tmp_path, {**data, "items": {"a": {**data["items"]["a"]}}})()
    cases = make_cases(3)
    numbers = {"age"}
    assert refused(lambda: check_columns(declared, cases.columns, "r.yaml", numbers)) == [
        "item 'a': compute: statistic summary over column 'sex', which is not a number column; "
        "the number columns: age"
    ]


# --- workbooks: what they inflate to is bounded before openpyxl (or the parse-time digest)
#     reads them


def test_an_extraction_workbook_that_inflates_too_much_is_refused_unopened(tmp_path, monkeypatch):
    path = tmp_path / "cases.xlsx"
    shutil.copy(REPO / "extraction" / "cases.xlsx", path)
    with zipfile.ZipFile(path) as archive:
        inflated = sum(member.file_size for member in archive.infolist())
    monkeypatch.setattr(archives, "MAX_UNZIPPED_BYTES", inflated - 1)  # (a real bomb: screening)
    codebook = load_codebook(REPO / "extraction" / "codebook.yaml")
    assert refused(lambda: read_workbook(path, codebook)) == [
        f"{path}: inflates to {inflated / 1024**2:,.0f} MB in {len(archive.infolist())} files "
        f"(at most {(inflated - 1) / 1024**2:,.0f} MB and 10000 files are read; a workbook of a "
        "review holds far less): save only the sheets the review reads, without embedded files, "
        "in a new workbook"
    ]
    assert buildcheck.workbook_digest(path) == ""  # parse time reads nothing of it either


# --- results/ on a full, read-only or forbidden disk: one located line, the old file kept


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "no space left on the device: free some space (df -h) and run again"),
        (errno.EROFS, "the file system is read-only: run the workflow where results/ can be "
         "written"),
    ],
)  # fmt: skip
def test_a_full_disk_ends_the_write_with_one_located_line(tmp_path, monkeypatch, code, advice):
    path = tmp_path / "results" / "cases.tsv"
    write_table(pd.DataFrame({"a": ["old"]}), path)
    before = path.read_bytes()

    def full(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputNotWritten) as error:
        write_table(pd.DataFrame({"a": ["new"]}), path)
    assert isinstance(error.value, SystemExit)  # no traceback: Python prints the line alone
    assert str(error.value) == (
        f"{path}: not written, the previous file is left as it was: {advice}"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["cases.tsv"]  # no temporary left


def test_other_os_errors_are_not_taken_for_a_full_disk(tmp_path, monkeypatch):
    def broken(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="Input/output error"):
        write_table(pd.DataFrame({"a": ["x"]}), tmp_path / "t.tsv")


# --- codebook and vocabulary


def test_a_negative_age_says_it_is_below_the_minimum_not_that_it_is_no_number():
    age = load_codebook(REPO / "extraction" / "codebook.yaml").sheet("cases").field("age")
    assert age.check("-3") == "is negative, below the allowed minimum 0"
    assert age.check("\u22123") == "is negative, below the allowed minimum 0"  # a minus sign
    assert age.check("-x") == "is not a number"


def test_unknown_top_level_keys_of_the_vocabulary_are_refused(tmp_path):
    text = (REPO / "extraction" / "vocabulary.yaml").read_text(encoding="utf-8")
    path = tmp_path / "vocabulary.yaml"
    path.write_text(text + "phrase:\n  symptom: {}\nnotes: kept for later\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    problems = refused(lambda: load_codebook(REPO / "extraction" / "codebook.yaml", path))
    assert problems == [
        f"{path}:{line}: 'phrase': unknown top-level key (did you mean phrases?): the vocabulary "
        "has only coded, phrases, derived (a phrase group goes under phrases:, indented)",
        f"{path}:{line + 2}: 'notes': unknown top-level key: the vocabulary has only coded, "
        "phrases, derived (a phrase group goes under phrases:, indented)",
    ]


@pytest.mark.parametrize("text", ["", "# nothing yet\n"])
def test_an_empty_config_file_says_it_is_empty(tmp_path, monkeypatch, text):
    """Main answered "Config file must be given as JSON or YAML with keys at top level"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(text, encoding="utf-8")
    assert buildcheck.yaml_problems(["config/config.yaml"]) == [
        "config/config.yaml: the file is empty: it defines the review (review, search, "
        "screening, extraction, ... see config/README.md): restore it (git checkout -- "
        "config/config.yaml)"
    ]
