"""Cohen's kappa and raw agreement on small tables with known answers."""

import pytest

from reviewflow.core.agreement import cohen_kappa


def table(cells: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Expand a contingency table {(rater A, rater B): count} into rating pairs."""
    return [pair for pair, n in cells.items() for _ in range(n)]


def test_kappa_of_the_textbook_two_by_two_table():
    # 50 records: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4
    result = cohen_kappa(
        table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    )
    assert (result.records, result.agreed) == (50, 35)
    assert result.raw_agreement == pytest.approx(0.7)
    assert result.kappa == pytest.approx(0.4)


def test_same_raw_agreement_different_kappa():
    # p_o = 0.6 in both; p_e = 0.6*0.7 + 0.4*0.3 = 0.54 -> kappa = 0.06/0.46
    a = cohen_kappa(
        table({("yes", "yes"): 45, ("yes", "no"): 15, ("no", "yes"): 25, ("no", "no"): 15})
    )
    assert a.raw_agreement == pytest.approx(0.6)
    assert a.kappa == pytest.approx(0.06 / 0.46)
    # p_e = 0.6*0.3 + 0.4*0.7 = 0.46 -> kappa = 0.14/0.54
    b = cohen_kappa(
        table({("yes", "yes"): 25, ("yes", "no"): 35, ("no", "yes"): 5, ("no", "no"): 35})
    )
    assert b.raw_agreement == pytest.approx(0.6)
    assert b.kappa == pytest.approx(0.14 / 0.54)


def test_three_categories():
    # include/exclude/not_retrieved, 10 records, 7 agreements.
    # A: inc 4, exc 4, nr 2; B: inc 3, exc 5, nr 2 -> p_e = (12 + 20 + 4)/100 = 0.36
    pairs = table(
        {
            ("inc", "inc"): 3,
            ("inc", "exc"): 1,
            ("exc", "exc"): 3,
            ("exc", "nr"): 1,
            ("nr", "nr"): 1,
            ("nr", "exc"): 1,
        }
    )
    result = cohen_kappa(pairs)
    assert result.raw_agreement == pytest.approx(0.7)
    assert result.kappa == pytest.approx((0.7 - 0.36) / (1 - 0.36))


def test_perfect_and_chance_and_undefined():
    assert cohen_kappa([("a", "a"), ("b", "b")]).kappa == pytest.approx(1.0)
    # every record in one category for both: p_e = 1, kappa undefined, agreement 1
    same = cohen_kappa([("a", "a")] * 5)
    assert same.kappa is None and same.raw_agreement == 1.0
    empty = cohen_kappa([])
    assert empty == cohen_kappa(iter(()))
    assert (empty.records, empty.raw_agreement, empty.kappa) == (0, None, None)
    # systematic disagreement gives a negative kappa
    assert cohen_kappa([("a", "b"), ("b", "a")]).kappa == pytest.approx(-1.0)


def test_as_dict_rounds():
    data = cohen_kappa(table({("y", "y"): 1, ("y", "n"): 1, ("n", "n"): 1})).as_dict(digits=3)
    assert data == {"records": 3, "agreed": 2, "raw_agreement": 0.667, "kappa": 0.4}
