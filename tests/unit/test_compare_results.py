"""cluster/compare_results.py: two builds agree when every output is identical, logs,
benchmarks and the timestamps of .xlsx files aside."""

import importlib.util
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "compare_results", REPO / "cluster" / "compare_results.py"
)
compare_results = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_results)


def write_xlsx(path: Path, created: str, cell: str) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("docProps/core.xml", f"<created>{created}</created>")
        book.writestr("xl/worksheets/sheet1.xml", f"<c>{cell}</c>")


def build(root: Path, *, created: str, cell: str = "55", log: str = "run") -> Path:
    (root / "dataset").mkdir(parents=True)
    (root / "logs" / "x").mkdir(parents=True)
    (root / "benchmarks").mkdir()
    (root / "dataset" / "cases.csv").write_text("id\n1\n")
    (root / "logs" / "x" / "x.log").write_text(log)
    (root / "benchmarks" / "x.tsv").write_text(log)
    write_xlsx(root / "dataset" / "table.xlsx", created, cell)
    return root


def test_same_outputs_agree_whatever_the_logs_benchmarks_and_xlsx_timestamps(tmp_path):
    left = build(tmp_path / "a", created="2026-01-01", log="first")
    right = build(tmp_path / "b", created="2026-06-30", log="second")
    assert compare_results.compare(left, right) == []
    assert compare_results.main([str(left), str(right)]) == 0


def test_a_changed_cell_a_changed_file_and_a_missing_file_are_reported(tmp_path):
    left = build(tmp_path / "a", created="2026-01-01")
    right = build(tmp_path / "b", created="2026-01-01", cell="56")
    (right / "dataset" / "cases.csv").write_text("id\n2\n")
    (right / "dataset" / "extra.tsv").write_text("x\n")
    assert compare_results.compare(left, right) == [
        f"only in {right}: dataset/extra.tsv",
        "differs: dataset/cases.csv",
        "differs: dataset/table.xlsx",
    ]
    assert compare_results.main([str(left), str(right)]) == 1
