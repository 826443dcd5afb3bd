"""Compare two results/ trees of the same build (e.g. a local one and a Slurm one).

    python cluster/compare_results.py LOCAL/results SLURM/results

Every file must exist in both and be identical, except what a build may not reproduce:
results/logs/ and results/benchmarks/ (per run), and the creation/modification times that an
.xlsx file carries in docProps/core.xml (its other members are compared one by one). Prints
one line per difference and a summary; exits 1 when anything differs.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

PER_RUN = ("logs", "benchmarks")  # top-level folders of results/ that differ per run
XLSX_TIMESTAMPS = "docProps/core.xml"


def files(root: Path) -> set[str]:
    """Paths under `root` (relative, POSIX) of the files a build must reproduce."""
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] not in PER_RUN
    }


def xlsx_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist() if name != XLSX_TIMESTAMPS}


def same(a: Path, b: Path) -> bool:
    if a.suffix == ".xlsx":
        return xlsx_members(a) == xlsx_members(b)
    return a.read_bytes() == b.read_bytes()


def compare(left: Path, right: Path) -> list[str]:
    """One line per difference between the two trees (empty when they agree)."""
    left_files, right_files = files(left), files(right)
    problems = [f"only in {left}: {name}" for name in sorted(left_files - right_files)]
    problems += [f"only in {right}: {name}" for name in sorted(right_files - left_files)]
    problems += [
        f"differs: {name}"
        for name in sorted(left_files & right_files)
        if not same(left / name, right / name)
    ]
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    left, right = (Path(arg) for arg in argv)
    problems = compare(left, right)
    compared = len(files(left) & files(right))
    for line in problems:
        print(line)
    print(
        f"{compared} files compared (results/logs and results/benchmarks left out; .xlsx "
        f"without {XLSX_TIMESTAMPS}): "
        + ("identical" if not problems else f"{len(problems)} difference(s)")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
