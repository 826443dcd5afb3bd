"""End to end (issue 24): bad inputs that used to crash with a traceback, pass silently or take
gigabytes stop the build with their located message; every reviewer file is hashed around each
failure (nothing the reviewer wrote is changed) and the build is recorded as failed."""

import json

import pytest

from tests.e2e.conftest import run_snakemake
from tests.reviewer_files import reviewer_files

DESCRIPTIVE = "results/statistics/descriptive.tsv"
SUMMARY = "results/statistics/summary.tsv"
DATASET = "results/dataset/cases.csv"

ALIAS_BOMB = "".join(
    f"bomb{level}: &bomb{level} [{', '.join([f'*bomb{level - 1}'] * 10)}]\n"
    for level in range(1, 9)
)


def appended(text: str):
    return lambda original: original + text


def replaced(old: str, new: str):
    def change(original: str) -> str:
        assert old in original
        return original.replace(old, new, 1)

    return change


@pytest.mark.e2e
def test_bad_inputs_stop_the_build_located_and_change_nothing(workflow_dir):
    run_snakemake(workflow_dir, DESCRIPTIVE, SUMMARY)
    analysis_lines = (workflow_dir / "config/analysis.yaml").read_text().count("\n")
    vocabulary_lines = (workflow_dir / "extraction/vocabulary.yaml").read_text().count("\n")
    cases = [
        (  # an alias bomb: main took over 4 GB in 30 s and left run_state.json "running"
            "config/analysis.yaml",
            appended("bomb0: &bomb0 [x, x, x, x, x, x, x, x, x, x]\n" + ALIAS_BOMB),
            DESCRIPTIVE,
            f"config/analysis.yaml:{analysis_lines + 5}:8: more than 100000 values once its "
            "aliases (*name) are expanded: write the values out, or use fewer aliases",
        ),
        (  # named conditions that refer to each other: main ended in a RecursionError
            "config/definitions.yaml",
            replaced(
                "conditions:\n",
                "conditions:\n  loop_a: {condition: loop_b}\n"
                "  loop_b: {not: {condition: loop_a}}\n",
            ),  # fmt: skip
            SUMMARY,
            "config/definitions.yaml: conditions.loop_a: refers to itself (loop_a -> loop_b -> "
            "loop_a): a condition cannot contain itself",
        ),
        (  # a misspelt top-level key of the vocabulary: main ignored it
            "extraction/vocabulary.yaml",
            appended("phrase:\n  extra: {}\n"),
            DATASET,
            f"extraction/vocabulary.yaml:{vocabulary_lines + 1}: 'phrase': unknown top-level key "
            "(did you mean phrases?)",
        ),
    ]
    for name, change, target, message in cases:
        path = workflow_dir / name
        original = path.read_text(encoding="utf-8")
        path.write_text(change(original), encoding="utf-8")
        before = reviewer_files(workflow_dir)
        proc = run_snakemake(workflow_dir, target, check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0, name
        assert message in output, (name, output[-3000:])
        assert "Traceback" not in output, name
        state = json.loads((workflow_dir / "results/run_state.json").read_text())
        assert state["state"] == "failed", name
        assert reviewer_files(workflow_dir) == before, name
        path.write_text(original, encoding="utf-8")
