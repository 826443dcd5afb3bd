"""Screening on hand-made records and decisions: final decisions, conflicts, agreement, counts,
and the round trip of search updates that must never change an earlier decision."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reviewflow.core.errors import InputProblems
from reviewflow.core.first_version import read_first_version
from reviewflow.core.io import write_json, write_table
from reviewflow.screening.decisions import (
    LOG_COLUMNS,
    UNIQUE_RECORD_COLUMNS,
    ScreeningSettings,
    build_counts,
    check_outputs_outside,
    previous_version_counts,
    read_log,
    read_unique_records,
    record_id_index,
    screen,
    states_from_log,
)
from reviewflow.screening.folder import read_decisions

REPO = Path(__file__).resolve().parents[2]
W1 = "2024-10-01_2025-03-31"
W2 = "2025-04-01_2025-09-30"
W3 = "2025-10-01_2026-03-31"
TA_REASONS = ["Not relevant to the review question", "Not a case report"]
FT_REASONS = ["Not IgG4-related spinal pachymeningitis", "Incomplete clinical report"]
SECTION = {
    "decisions_dir": "extraction/screening",
    "reviewers_required": {"title_abstract": 2, "full_text": 2},
    "exclusion_reasons": {"title_abstract": TA_REASONS, "full_text": FT_REASONS},
    "asreview": {"default_exclusion_reason": "Not relevant to the review question"},
}
FIRST_VERSION = {
    "screening": {
        "records_screened": 222,
        "records_excluded": None,
        "reports_excluded": [{"reason": "Irrelevant records and incomplete reports", "n": 172}],
    },
    "included": {"studies": 50, "reports": 50, "patients": 55},
}


def settings(**changes) -> ScreeningSettings:
    return ScreeningSettings.from_config({**SECTION, **changes})


def rid(window: str, n: int) -> str:
    return f"{window}:pubmed:{n}"


def make_records(window: str, numbers, matches: dict | None = None) -> pd.DataFrame:
    """Hand-made unique records of one window (contract columns of unique_records.tsv)."""
    rows = []
    for n in numbers:
        record_id = rid(window, n)
        rows.append(
            {
                "record_id": record_id,
                "member_ids": f"{record_id};{window}:wos:WOS{n}",
                "first_window": window,
                "matches_included_study": (matches or {}).get(n, ""),
                "title": f"IgG4-related pachymeningitis case {n}",
                "authors": f"Author{n}, A; Second, B",
                "year": "2025",
                "journal": "J Neurol",
                "doi": f"10.1000/case.{n}",
                "pmid": str(40000000 + n),
                "abstract": f"A patient with hypertrophic pachymeningitis ({n}).",
            }
        )
    return pd.DataFrame(rows, columns=list(UNIQUE_RECORD_COLUMNS))


def write_decisions(path: Path, rows: list[tuple]) -> Path:
    """A reviewer TSV: rows of (record_id, decision, reason[, note])."""
    lines = ["record_id\tdecision\treason\tnote"]
    for row in rows:
        cells = list(row) + [""] * (4 - len(row))
        lines.append("\t".join(cells))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(records: pd.DataFrame, folder: Path, config: ScreeningSettings | None = None):
    config = config or settings()
    decisions = read_decisions(folder, record_id_index(records), config)
    return screen(records, decisions, config)


def final(result, record_id: str, stage: str = "title_abstract") -> dict:
    rows = result.states[(result.states.record_id == record_id) & (result.states.stage == stage)]
    assert len(rows) == 1, (record_id, stage)
    return rows.iloc[0].to_dict()


# ---------------------------------------------------------------------------------------------


def test_settings_reject_a_default_asreview_reason_not_in_the_list():
    with pytest.raises(InputProblems, match="'Off topic' is not one of the title_abstract"):
        settings(asreview={"default_exclusion_reason": "Off topic"})


def test_committed_config_is_valid_for_screening():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    loaded = ScreeningSettings.from_config(config["screening"])
    assert loaded.asreview_default_reason in loaded.reasons["title_abstract"]


def test_no_decision_is_pending_never_excluded(tmp_path):
    records = make_records(W1, [1, 2])
    result = run(records, tmp_path / "none")
    assert set(result.states.status) == {"pending"}
    counts = build_counts(result, FIRST_VERSION, settings())
    update = counts["update"]
    assert update["records_pending"] == 2
    assert update["records_screened"] == update["records_excluded"] == 0
    assert update["reports_sought"] == update["studies_included"] == 0


def test_dual_review_agreement_conflict_and_resolution(tmp_path):
    records = make_records(W1, [1, 2, 3, 4])
    r1, r2, r3, r4 = (rid(W1, n) for n in [1, 2, 3, 4])
    folder = tmp_path / "screening"
    write_decisions(
        folder / "title_abstract_alice.tsv",
        [(r1, "include"), (r2, "exclude", TA_REASONS[0]), (r3, "include"), (r4, "maybe")],
    )
    write_decisions(
        folder / "title_abstract_bob.tsv",
        [(r1, "include"), (r2, "exclude", TA_REASONS[0]), (r3, "exclude", TA_REASONS[1])],
    )
    result = run(records, folder)
    assert final(result, r1)["status"] == "decided"
    assert final(result, r1)["basis"] == "agreement of alice, bob"
    assert (final(result, r2)["decision"], final(result, r2)["reason"]) == (
        "exclude",
        TA_REASONS[0],
    )
    assert final(result, r3)["status"] == "conflict"
    assert final(result, r4)["status"] == "pending"  # awaiting bob
    assert final(result, r4)["basis"] == "awaiting 1 more reviewer"
    assert list(result.conflicts.record_id) == [r3]
    assert result.conflicts.iloc[0]["kind"] == "decision"
    assert result.conflicts.iloc[0]["resolved"] == "no"
    assert result.conflicts.iloc[0]["decisions"] == (
        f"alice: include; bob: exclude ({TA_REASONS[1]})"
    )
    # r1 passed title/abstract: it waits for full text; r2 never reaches full text
    assert final(result, r1, "full_text")["status"] == "pending"
    assert result.states[
        (result.states.record_id == r2) & (result.states.stage == "full_text")
    ].empty

    write_decisions(folder / "title_abstract_resolution.tsv", [(r3, "exclude", TA_REASONS[1])])
    resolved = run(records, folder)
    assert final(resolved, r3)["status"] == "decided"
    assert final(resolved, r3)["basis"] == "resolution"
    assert resolved.conflicts.iloc[0]["resolved"] == "yes"
    assert resolved.conflicts.iloc[0]["resolution"] == f"exclude ({TA_REASONS[1]})"


def test_include_and_maybe_agree_and_different_reasons_conflict(tmp_path):
    records = make_records(W1, [1, 2])
    r1, r2 = rid(W1, 1), rid(W1, 2)
    folder = tmp_path / "s"
    write_decisions(folder / "title_abstract_alice.tsv", [(r1, "maybe"), (r2, "include")])
    write_decisions(folder / "title_abstract_bob.tsv", [(r1, "include"), (r2, "include")])
    write_decisions(
        folder / "full_text_alice.tsv", [(r1, "exclude", FT_REASONS[0]), (r2, "not_retrieved")]
    )
    write_decisions(
        folder / "full_text_bob.tsv", [(r1, "exclude", FT_REASONS[1]), (r2, "Not retrieved")]
    )
    result = run(records, folder)
    assert final(result, r1)["decision"] == "include"  # include + maybe: both pass
    assert final(result, r1, "full_text")["status"] == "conflict"
    assert result.conflicts.iloc[0][["stage", "kind"]].tolist() == ["full_text", "reason"]
    assert final(result, r2, "full_text")["decision"] == "not_retrieved"


def test_one_reviewer_suffices_when_configured(tmp_path):
    records = make_records(W1, [1])
    write_decisions(tmp_path / "s" / "title_abstract_alice.tsv", [(rid(W1, 1), "include")])
    one = settings(reviewers_required={"title_abstract": 1, "full_text": 1})
    result = run(records, tmp_path / "s", one)
    assert final(result, rid(W1, 1))["basis"] == "decided by alice"


def test_records_matching_an_included_study_are_not_screened_again(tmp_path):
    records = make_records(W1, [1, 2], matches={1: "S07"})
    result = run(records, tmp_path / "none")
    assert final(result, rid(W1, 1))["status"] == "previously_included"
    assert final(result, rid(W1, 1))["basis"] == "matches included study S07"
    counts = build_counts(result, FIRST_VERSION, settings())["update"]
    assert counts["records_previously_included"] == 1
    assert counts["records_pending"] == 1 and counts["records_screened"] == 0


def test_a_member_id_reaches_its_cluster(tmp_path):
    records = make_records(W1, [1])
    folder = tmp_path / "s"
    write_decisions(folder / "title_abstract_alice.tsv", [(f"{W1}:wos:WOS1", "include")])
    result = run(
        records, folder, settings(reviewers_required={"title_abstract": 1, "full_text": 1})
    )
    assert final(result, rid(W1, 1))["decision"] == "include"


def test_counts_per_window_and_update_on_a_known_table(tmp_path):
    records = pd.concat([make_records(W1, range(1, 7)), make_records(W2, [7, 8])])
    one = settings(reviewers_required={"title_abstract": 1, "full_text": 1})
    folder = tmp_path / "s"
    r = {n: rid(W1 if n < 7 else W2, n) for n in range(1, 9)}
    write_decisions(
        folder / "title_abstract_alice.tsv",
        [
            (r[1], "include"),
            (r[2], "include"),
            (r[3], "maybe"),
            (r[4], "include"),
            (r[5], "exclude", TA_REASONS[0]),
            (r[7], "include"),
            (r[8], "exclude", TA_REASONS[1]),
        ],  # r6: pending
    )
    write_decisions(
        folder / "full_text_alice.tsv",
        [
            (r[1], "include"),
            (r[2], "exclude", FT_REASONS[1]),
            (r[3], "not_retrieved"),
            (r[7], "exclude", FT_REASONS[1]),
        ],  # r4: pending at full text
    )
    counts = build_counts(run(records, folder, one), FIRST_VERSION, one)
    w1 = counts["per_window"][W1]
    assert w1 == {
        "records_screened": 5,
        "records_excluded": 1,
        "records_pending": 1,
        "reports_sought": 4,
        "reports_not_retrieved": 1,
        "reports_pending": 1,
        "reports_assessed": 2,
        "reports_excluded": [{"reason": FT_REASONS[1], "n": 1}],
        "studies_included": 1,
        "reports_included": 1,
        "records_previously_included": 0,
    }
    update = counts["update"]
    assert update["records_screened"] == 7 and update["records_excluded"] == 2
    assert update["reports_excluded"] == [{"reason": FT_REASONS[1], "n": 2}]
    assert update["reports_sought"] == (
        update["reports_not_retrieved"] + update["reports_pending"] + update["reports_assessed"]
    )
    assert list(counts["per_window"]) == [W1, W2]


def test_previous_version_is_the_reported_counts_with_null_for_the_unreported():
    reported = read_first_version(REPO / "config" / "first_version.yaml")
    counts = previous_version_counts(reported)
    assert counts["records_screened"] == 222
    assert counts["reports_excluded"] == [
        {"reason": "Irrelevant records and incomplete reports", "n": 172}
    ]
    assert counts["studies_included"] == 50 and counts["reports_included"] == 50
    for key in ("records_excluded", "records_pending", "reports_sought", "reports_assessed"):
        assert counts[key] is None


def test_no_records_gives_a_null_update_and_empty_agreement(tmp_path):
    result = run(make_records(W1, []), tmp_path / "none")
    counts = build_counts(result, FIRST_VERSION, settings())
    assert counts["update"] is None and counts["per_window"] == {}
    assert counts["agreement"]["title_abstract"]["kappa"] is None
    assert list(result.log.columns) == list(LOG_COLUMNS)


def test_agreement_per_stage_pools_pairs(tmp_path):
    records = make_records(W1, range(1, 5))
    folder = tmp_path / "s"
    r = {n: rid(W1, n) for n in range(1, 5)}
    write_decisions(
        folder / "title_abstract_alice.tsv",
        [(r[1], "include"), (r[2], "include"), (r[3], "exclude", TA_REASONS[0]), (r[4], "maybe")],
    )
    write_decisions(
        folder / "title_abstract_bob.tsv",
        [
            (r[1], "include"),
            (r[2], "exclude", TA_REASONS[0]),
            (r[3], "exclude", TA_REASONS[0]),
            (r[4], "include"),
        ],
    )
    result = run(records, folder)
    ta = result.agreement["title_abstract"]
    # outcomes: alice inc,inc,exc,inc / bob inc,exc,exc,inc -> p_o 3/4,
    # p_e = (3*2 + 1*2)/16 = 0.5 -> kappa 0.5
    assert (ta["records"], ta["agreed"], ta["raw_agreement"], ta["kappa"]) == (4, 3, 0.75, 0.5)
    assert ta["pairs"][0]["reviewers"] == ["alice", "bob"]
    assert result.agreement_table.iloc[0].to_dict() == {
        "stage": "title_abstract",
        "reviewer_a": "alice",
        "reviewer_b": "bob",
        "records": 4,
        "agreed": 3,
        "raw_agreement": 0.75,
        "kappa": 0.5,
    }


def test_the_written_log_gives_back_the_states(tmp_path):
    records = make_records(W1, [1, 2, 3])
    folder = tmp_path / "s"
    write_decisions(
        folder / "title_abstract_alice.tsv",
        [(rid(W1, 1), "include", "", "-starts with a minus"), (rid(W1, 2), "include")],
    )
    write_decisions(folder / "title_abstract_bob.tsv", [(rid(W1, 1), "exclude", TA_REASONS[0])])
    result = run(records, folder)
    write_table(result.log, tmp_path / "log.tsv")
    again = states_from_log(read_log(tmp_path / "log.tsv"))
    pd.testing.assert_frame_equal(again, result.states)


def test_outputs_are_never_written_into_the_reviewers_folder(tmp_path):
    check_outputs_outside([tmp_path / "results" / "x.tsv"], tmp_path / "extraction" / "screening")
    with pytest.raises(ValueError, match="never writes into the reviewers' folder"):
        check_outputs_outside(
            [tmp_path / "extraction" / "screening" / "title_abstract_a.tsv"],
            tmp_path / "extraction" / "screening",
        )


def test_unique_records_contract_is_checked(tmp_path):
    path = tmp_path / "unique_records.tsv"
    path.write_text("record_id\ttitle\nx\tT\nx\tT\n")
    with pytest.raises(InputProblems) as error:
        read_unique_records(path)
    assert "column 'member_ids' is missing" in str(error.value)


# ---------------------------------------------------------------------------------------------
# The round trip: updates add records; decisions are added; nothing earlier ever changes


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def screen_to_files(records: pd.DataFrame, folder: Path, out: Path) -> dict:
    """What the screening rule does for its log and counts, at the library level."""
    write_table(records, out / "unique_records.tsv")
    records = read_unique_records(out / "unique_records.tsv")
    result = run(records, folder)
    counts = build_counts(result, FIRST_VERSION, settings())
    write_table(result.log, out / "screening_log.tsv")
    write_json(counts, out / "counts.json")
    return counts


def log_lines(out: Path, record_ids) -> list[str]:
    lines = (out / "screening_log.tsv").read_text(encoding="utf-8").splitlines()
    return [line for line in lines[1:] if line.split("\t")[0] in set(record_ids)]


def test_round_trip_updates_never_change_earlier_decisions(tmp_path):
    folder, out = tmp_path / "extraction" / "screening", tmp_path / "results"
    folder.mkdir(parents=True)
    # 1. The first search update adds records: all pending, none excluded.
    window1 = make_records(W1, [1, 2, 3, 4])
    counts = screen_to_files(window1, folder, out)
    assert counts["update"]["records_pending"] == 4
    assert counts["update"]["records_excluded"] == 0
    assert counts["previous_version"]["records_screened"] == 222

    # 2. Two reviewers decide; the log and counts change as expected.
    r = {n: rid(W1, n) for n in [1, 2, 3, 4]}
    alice = write_decisions(
        folder / "title_abstract_alice.tsv",
        [(r[1], "include"), (r[2], "exclude", TA_REASONS[0]), (r[3], "include"), (r[4], "include")],
    )
    bob = write_decisions(
        folder / "title_abstract_bob.tsv",
        [
            (r[1], "include"),
            (r[2], "exclude", TA_REASONS[0]),
            (r[3], "include"),
            (r[4], "exclude", TA_REASONS[1]),
        ],
    )
    for reviewer in ("alice", "bob"):
        write_decisions(
            folder / f"full_text_{reviewer}.tsv",
            [(r[1], "include"), (r[3], "exclude", FT_REASONS[0])],
        )
    counts = screen_to_files(window1, folder, out)
    assert counts["update"]["records_screened"] == 3  # r4 is a conflict
    assert counts["update"]["records_excluded"] == 1
    assert counts["update"]["records_pending"] == 1
    assert counts["update"]["reports_excluded"] == [{"reason": FT_REASONS[0], "n": 1}]
    assert counts["update"]["studies_included"] == 1
    assert counts["agreement"]["title_abstract"]["raw_agreement"] == 0.75
    before_log = log_lines(out, r.values())
    before_files = {p.name: digest(p) for p in folder.iterdir()}
    assert any("\tfinal\tinclude\t\tdecided\t" in line for line in before_log)

    # 3. Another update adds records (one a new member of an old cluster's window, one matching
    #    an included study): earlier decisions are byte-for-byte unchanged.
    window2 = make_records(W2, [5, 6, 7], matches={7: "S03"})
    window3 = make_records(W3, [8])
    counts = screen_to_files(pd.concat([window3, window2, window1]), folder, out)
    assert log_lines(out, r.values()) == before_log
    assert {p.name: digest(p) for p in folder.iterdir()} == before_files
    assert counts["per_window"][W1] == screen_to_files(window1, folder, tmp_path / "w1")["update"]
    assert counts["per_window"][W2]["records_pending"] == 2
    assert counts["per_window"][W2]["records_previously_included"] == 1
    assert counts["per_window"][W3]["records_pending"] == 1
    assert counts["update"]["records_pending"] == 1 + 2 + 1

    # 4. Decisions on the new records change only their rows.
    write_decisions(
        folder / "title_abstract_alice.2025-10.tsv", [(rid(W2, 5), "exclude", TA_REASONS[0])]
    )
    screen_to_files(pd.concat([window1, window2, window3]), folder, out)
    assert log_lines(out, r.values()) == before_log
    assert alice.read_text().count("\n") == 5 and bob.exists()


def test_full_text_decisions_before_title_abstract_passes_are_kept_but_not_counted(tmp_path):
    records = make_records(W1, [1, 2])
    one = settings(reviewers_required={"title_abstract": 1, "full_text": 1})
    folder = tmp_path / "s"
    write_decisions(folder / "title_abstract_alice.tsv", [(rid(W1, 1), "exclude", TA_REASONS[0])])
    write_decisions(
        folder / "full_text_alice.tsv", [(rid(W1, 1), "include"), (rid(W1, 2), "include")]
    )
    result = run(records, folder, one)
    assert final(result, rid(W1, 1), "full_text")["status"] == "not_reached"
    assert final(result, rid(W1, 1), "full_text")["basis"].startswith("excluded at title/abstract")
    assert final(result, rid(W1, 2), "full_text")["basis"].startswith("title/abstract not decided")
    assert len(result.log[(result.log.stage == "full_text") & (result.log.by == "alice")]) == 2
    update = build_counts(result, FIRST_VERSION, one)["update"]
    assert update["reports_sought"] == 0 and update["studies_included"] == 0
    assert update["records_pending"] == 1 and update["records_excluded"] == 1
