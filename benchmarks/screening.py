"""How screening scales: synthetic unique records, two reviewers' title/abstract decisions on 80 %
of them and full-text decisions on the 10 % they include; times reading the reviewer files,
deciding, the counts, the log, to_screen.xlsx and the ASReview exports.

    REVIEWFLOW_SHARED=/work/shared .venv/bin/python benchmarks/screening.py [N ...]

Prints one line per size and writes results/benchmarks/screening_scale.tsv. Figures only: timings
on a shared 2-core machine are noisy.
"""

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from reviewflow.core.io import write_json, write_table
from reviewflow.screening import asreview
from reviewflow.screening.decisions import (
    UNIQUE_RECORD_COLUMNS,
    ScreeningSettings,
    build_counts,
    record_id_index,
    screen,
)
from reviewflow.screening.folder import read_decisions
from reviewflow.screening.sheets import write_to_screen

WINDOW = "2024-10-01_2025-03-31"
SETTINGS = ScreeningSettings.from_config(
    {
        "reviewers_required": {"title_abstract": 2, "full_text": 2},
        "exclusion_reasons": {
            "title_abstract": ["Off topic", "Not a case report"],
            "full_text": ["Incomplete clinical report"],
        },
    }
)
FIRST_VERSION = {"screening": {"records_screened": 222}, "included": {"studies": 50}}


def row(record_id: str, included: bool, reason: str) -> str:
    return f"{record_id}\tinclude\t" if included else f"{record_id}\texclude\t{reason}"


def synthetic(n: int, folder: Path) -> pd.DataFrame:
    ids = [f"{WINDOW}:pubmed:{i}" for i in range(n)]
    records = pd.DataFrame(
        {
            "record_id": ids,
            "member_ids": ids,
            "first_window": WINDOW,
            "matches_included_study": "",
            "title": [f"Title of record {i} about pachymeningitis" for i in range(n)],
            "authors": "Family, Given; Other, Name",
            "year": "2025",
            "journal": "Journal",
            "doi": [f"10.1000/{i}" for i in range(n)],
            "pmid": [str(30000000 + i) for i in range(n)],
            "abstract": "An abstract of some two hundred characters. " * 5,
        },
        columns=list(UNIQUE_RECORD_COLUMNS),
    )
    folder.mkdir(parents=True, exist_ok=True)
    for reviewer, flip in (("alice", 0), ("bob", 7)):
        title = ["record_id\tdecision\treason"]
        full = ["record_id\tdecision\treason"]
        for i, record_id in enumerate(ids[: int(n * 0.8)]):
            included = i % 10 == 0 or (flip and i % 97 == flip)
            title.append(row(record_id, included, "Off topic"))
            if i % 10 == 0:
                full.append(row(record_id, i % 20 == 0, "Incomplete clinical report"))
        (folder / f"title_abstract_{reviewer}.tsv").write_text("\n".join(title) + "\n")
        (folder / f"full_text_{reviewer}.tsv").write_text("\n".join(full) + "\n")
    return records


def measure(n: int, work: Path) -> dict:
    records = synthetic(n, work / "decisions")
    tracemalloc.start()
    times = {}
    start = time.perf_counter()
    decisions = read_decisions(work / "decisions", record_id_index(records), SETTINGS)
    times["read_s"] = time.perf_counter() - start
    start = time.perf_counter()
    result = screen(records, decisions, SETTINGS)
    counts = build_counts(result, FIRST_VERSION, SETTINGS)
    times["screen_s"] = time.perf_counter() - start
    start = time.perf_counter()
    write_table(result.log, work / "screening_log.tsv")
    write_json(counts, work / "counts.json")
    times["write_log_s"] = time.perf_counter() - start
    start = time.perf_counter()
    rows = write_to_screen(records, result.states, SETTINGS, work / "to_screen.xlsx")
    times["to_screen_xlsx_s"] = time.perf_counter() - start
    start = time.perf_counter()
    pending = records[
        records.record_id.isin(
            set(result.states.query("stage == 'title_abstract' and status != 'decided'").record_id)
        )
    ]
    asreview.write_csv(pending, work / "to_screen.csv")
    asreview.write_ris(pending, work / "to_screen.ris")
    times["asreview_s"] = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "records": n,
        "decisions": len(decisions),
        "log_rows": len(result.log),
        "rows_to_screen": sum(rows.values()),
        **{key: round(value, 3) for key, value in times.items()},
        "peak_traced_mib": round(peak, 1),
        "kappa_title_abstract": counts["agreement"]["title_abstract"]["kappa"],
    }


def main(sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            row = measure(n, Path(tmp))
        rows.append(row)
        print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    out = Path("results/benchmarks/screening_scale.tsv")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_table(pd.DataFrame(rows), out)
    print(f"written: {out}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 50_000])
