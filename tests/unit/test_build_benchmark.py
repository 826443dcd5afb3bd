"""benchmarks/build.py's replicated reviews (issue 21): every patient and study copied under new
ids that the codebook accepts, the first version's counts scaled alike, and the workbook still
read as valid by the extraction's own reader."""

import importlib.util
import sys
from pathlib import Path

import yaml

from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.workbook import read_workbook

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "build.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("build_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def test_a_review_replicated_three_times_is_a_valid_review_three_times_as_large(tmp_path):
    build = load_benchmark()
    review = build.copy_workflow(tmp_path / "review")
    build.replicate(review, 3)
    codebook = load_codebook(
        review / "extraction" / "codebook.yaml", review / "extraction" / "vocabulary.yaml"
    )
    sheets = read_workbook(review / "extraction" / "cases.xlsx", codebook)  # raises if invalid
    cases = sheets["cases"].to_frame()
    studies = sheets["studies"].to_frame()
    assert len(cases) == 3 * 55 and cases["case_id"].is_unique
    assert len(studies) == 3 * 50 and studies["study_id"].is_unique
    assert {"C01", "C0101", "C0201"} <= set(cases["case_id"])
    copy = cases[cases["case_id"] == "C0255"].iloc[0]
    assert copy["study_id"] == "S02" + cases[cases["case_id"] == "C55"].iloc[0]["study_id"][1:]
    first = yaml.safe_load((review / "config" / "first_version.yaml").read_text())
    assert first["included"] == {"studies": 150, "reports": 150, "patients": 165}
    assert first["search"]["records_total"] == 3 * 362 and first["search"]["until"]
    assert first["screening"]["records_excluded"] is None  # not reported stays not reported


def test_runs_use_the_bytecode_cache_unless_told_not_to(tmp_path, monkeypatch):
    """A shell's PYTHONDONTWRITEBYTECODE is not passed on (a reviewer's Python caches bytecode);
    --no-bytecode-cache sets it; the copy's library is first on the path either way."""
    build = load_benchmark()
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = build.run_env(tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPATH"] == str(tmp_path / "scripts")
    monkeypatch.setattr(build, "BYTECODE_CACHE", [False])
    assert build.run_env(tmp_path)["PYTHONDONTWRITEBYTECODE"] == "1"
    assert "off" in build.bytecode_cache_words()


def test_the_first_review_is_copied_with_its_published_versions(tmp_path):
    """What's new compares a build of the first review with its version 1: the benchmark's copy
    has it, a replicated review's copy has none."""
    build = load_benchmark()
    review = build.copy_workflow(tmp_path / "review")
    assert (review / "versions" / "v1" / "version.json").is_file()
    replicated = build.copy_workflow(tmp_path / "replicated", versions=False)
    assert not (replicated / "versions").exists()


def test_a_copy_is_compiled_before_its_runs_unless_the_cache_is_off(tmp_path, monkeypatch):
    build = load_benchmark()
    module = tmp_path / "scripts" / "reviewflow" / "m.py"
    module.parent.mkdir(parents=True)
    module.write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(build, "BYTECODE_CACHE", [False])
    build.warm_bytecode(tmp_path)
    assert not list(tmp_path.rglob("*.pyc"))
    monkeypatch.setattr(build, "BYTECODE_CACHE", [True])
    build.warm_bytecode(tmp_path)
    assert [p.name.split(".")[0] for p in tmp_path.rglob("*.pyc")] == ["m"]


def test_the_edit_share_is_given_of_each_codes_full_build_and_of_the_baselines():
    bench = load_benchmark()
    use = bench.Usage
    results = {
        "new": {"full": [use(9, 12, 1), use(9, 14, 1), use(9, 13, 1)], "one-cell": [use(5, 4, 1)]},
        "old": {"full": [use(30, 52, 1)], "one-cell": [use(28, 50, 1)]},
    }
    assert bench.edit_shares(results, ["new", "old"]) == [
        "- one-cell / full, new: 0.31",  # 4 / median(12, 14, 13)
        "- one-cell / full, old: 0.96",
        "- one-cell of new / full of old: 0.08",
    ]
    assert bench.edit_shares(results, ["new"]) == ["- one-cell / full, new: 0.31"]
