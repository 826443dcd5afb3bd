"""The reconciliation's statuses, the printed-precision comparison and the notes."""

from decimal import Decimal

from reviewflow.statistics.measures import Proportion
from reviewflow.statistics.recompute import Item, Reading, Values
from reviewflow.statistics.reconcile import (
    agrees,
    reconcile,
    reconciliation_frame,
    reconciliation_markdown,
)
from reviewflow.statistics.reported import Reported


def figure(key="x", **numbers) -> Reported:
    numbers = {
        k: Decimal(str(v)) if k in ("percent", "value", "low", "high") else v
        for k, v in numbers.items()
    }
    return Reported(key=key, section="4.2", wording=f"the article on {key}", **numbers)


def share(n, d, **kw) -> Item:
    return Item("x", "4.2", "x of patients", Values.of(Proportion(n, d)), **kw)


def one(item, reported):
    return reconcile([item], {item.key: reported})[0]


def test_numbers_are_compared_at_the_printed_precision():
    assert agrees(Decimal("47"), 47.368, "percent")  # 18/38 printed as 47%
    assert not agrees(Decimal("40"), 40.74, "percent")  # 22/54 is 41% at that precision
    assert agrees(Decimal("98.0"), 97.959, "percent")
    assert not agrees(Decimal("98.0"), 97.9, "percent")
    assert agrees(Decimal("0.50"), 0.5, "low")
    assert not agrees(Decimal("1"), 0, "value")
    assert agrees(Decimal("1.1"), 29 / 26, "value")
    assert agrees(12, 12, "n") and not agrees(12, 13, "n")
    assert not agrees(Decimal("3"), None, "value")


def test_match():
    row = one(share(38, 53), figure(n=38, denominator=53, percent=71.7))
    assert (row.status, row.reported, row.recomputed, row.note) == (
        "match",
        "38/53 (71.7%)",
        "38/53 (71.7%)",
        "",
    )


def test_differs_and_another_reading_reproduces_it():
    item = share(
        13, 19, alternatives=(Reading("C55 and C18 left out", Values.of(Proportion(12, 17))),)
    )
    row = one(item, figure(n=12, denominator=17, percent=70.6))
    assert row.status == "differs"
    assert row.recomputed == "13/19 (68.4%)"
    assert "the data give 13/19 (68.4%) (n, denominator, percent differ)" in row.note
    assert "Reproduced under another reading: C55 and C18 left out -> 12/17 (70.6%)" in row.note
    assert row.reproduced_by == "C55 and C18 left out"


def test_differs_and_nothing_reproduces_it_lists_what_was_tried():
    item = share(
        18,
        40,
        alternatives=(Reading("some other reading", Values.of(Proportion(17, 40))),),
        hint="Symptom categories come from the vocabulary.",
    )
    row = one(item, figure(n=16, denominator=39, percent=41.0))
    assert row.status == "differs" and row.reproduced_by == ""
    assert "No reading tried reproduces it (some other reading -> 17/40 (42.5%))" in row.note
    assert row.note.endswith("Symptom categories come from the vocabulary.")
    bare = one(share(18, 40), figure(n=16, denominator=39))
    assert "No other reading of the data gives the printed figure." in bare.note


def over_all(n, d, total=55) -> Reading:
    label = f"the percentage taken over all {total} patients ({Proportion(n, total).text()})"
    return Reading(label, Values(n, d, 100 * n / total), quiet=True)


def test_a_percentage_over_all_cases_and_a_printed_inconsistency_are_explained():
    row = one(
        share(22, 54, alternatives=(over_all(22, 54),)), figure(n=22, denominator=54, percent=40)
    )
    assert row.status == "differs"
    assert "(percent differs)" in row.note
    assert "the percentage taken over all 55 patients (22/55 (40.0%)) -> 22/54 (40%)" in row.note
    assert "The printed 40% does not follow from the printed 22/54 = 40.7%." in row.note


def test_not_derivable():
    item = Item(
        "died_of_infection",
        "4.6",
        "deaths from infection",
        not_derivable="Table 1 gives no cause of death",
    )
    row = one(item, figure("died_of_infection", n=2))
    assert (row.status, row.recomputed) == ("not_derivable", "")
    assert row.note == "Not derivable: Table 1 gives no cause of death."


def test_a_range_and_a_value():
    item = Item(
        "x",
        "4.1",
        "months, min–max",
        Values.interval(0.0657, 66.2),
        alternatives=(
            Reading("'range' read as the interquartile range", Values.interval(0.5, 6.0)),
        ),
    )
    row = one(item, figure(low="0.50", high="6.00"))
    assert row.reported == "0.50–6.00" and row.recomputed == "0.07–66.20"
    assert row.status == "differs" and "interquartile range -> 0.50–6.00" in row.note
    assert (
        one(Item("x", "4.1", "mean", Values.number(48.2909)), figure(value="48.29")).status
        == "match"
    )


def test_remark_is_kept_whatever_the_status():
    item = Item("x", "4.1", "mean", Values.number(7.93), remark="Skewed: the median applies.")
    assert one(item, figure(value="7.93")).note == "Skewed: the median applies."


def test_tables_keep_the_file_order_and_markdown_counts_statuses():
    items = [
        Item("z", "4.2", "z", Values.of(Proportion(1, 2))),
        Item("y", "4.6", "y", not_derivable="no data"),
    ]
    reported = {"y": figure("y", n=2), "z": figure("z", n=1, denominator=2)}
    rows = reconcile(items, reported)
    frame = reconciliation_frame(rows)
    assert frame["item"].tolist() == ["y", "z"]
    assert list(frame.columns[:6]) == [
        "item",
        "section",
        "reported",
        "recomputed",
        "status",
        "note",
    ]
    text = reconciliation_markdown(rows, "config/reported_results.yaml", "A journal, 2025")
    assert "(transcribed from A journal, 2025)" in text
    assert "2 figures: 1 match, 0 differ, 1 not derivable from the dataset." in text
    assert "| `z` | 1/2 | 1/2 | match |" in text


def test_a_quiet_reading_is_named_only_when_it_reproduces_a_printed_percentage():
    item = share(18, 40, alternatives=(over_all(18, 40),))
    row = one(item, figure(n=16, denominator=39, percent=41.0))
    assert "No other reading of the data gives the printed figure." in row.note
    assert "over all" not in row.note
    counts_only = one(share(22, 54, alternatives=(over_all(22, 54),)), figure(n=23, denominator=54))
    assert "over all" not in counts_only.note


def test_a_section_is_free_text_a_number_keeps_its_heading():
    """A case series has no numbered section: its figures are headed by what the article prints."""
    items = [Item(k, "", k, Values.of(Proportion(1, 2))) for k in ("a", "b", "c")]
    reported = {
        "a": Reported(key="a", section="4.2", wording="a", n=1, denominator=2),
        "b": Reported(key="b", section="Results", wording="b", n=1, denominator=2),
        "c": Reported(key="c", section="Table 1 (16 patients)", wording="c", n=1, denominator=2),
    }
    text = reconciliation_markdown(reconcile(items, reported), "reported_results.yaml")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Section 4.2", "## Results", "## Table 1 (16 patients)"]
