"""Small-cell protection of linked tables, audited by linear programming.

The audit here is the test's own: for every primary-suppressed cell, the least and greatest
value it can take given every published cell of the family and non-negative inner counts,
by SciPy's `linprog`. They must differ by at least the threshold."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from services.observatory.suppression.protection import protect
from services.observatory.suppression.tables import Cell, Family, Model

THRESHOLD = 5
LEVELS = ("case", "handed", "received")
NESTED = {
    "referrals_received": frozenset(LEVELS),
    "referrals_handed_over": frozenset({"case", "handed"}),
    "referrals_taken_in_charge": frozenset({"case"}),
}
FLAT = {"referrals_received": frozenset({"received"})}


def _range(model: Model, shown: list[int], cell: Cell) -> tuple[float, float]:
    """The least and greatest value of ``cell`` given the ``shown`` cells."""
    inner = 1 + max(i for c in model.cells for i in c.inner)
    a = np.zeros((len(shown), inner))
    for row, n in enumerate(shown):
        a[row, list(model.cells[n].inner)] = 1
    b = [model.cells[n].value for n in shown]
    objective = np.zeros(inner)
    objective[list(cell.inner)] = 1
    ends = []
    for sign in (1, -1):
        answer = linprog(sign * objective, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        ends.append(sign * answer.fun if answer.status == 0 else np.inf)  # unbounded above
        assert answer.status in (0, 3), answer.message
    return ends[0], ends[1]


def _audited(model: Model) -> None:
    protection = protect(model, threshold=THRESHOLD)
    shown = [n for n in range(len(model.cells)) if n not in protection.suppressed]
    assert all(model.cells[n].value >= THRESHOLD for n in shown)
    assert protection.primary == {n for n, cell in enumerate(model.cells) if cell.value < THRESHOLD}
    for cell in [model.cells[n] for n in sorted(protection.primary)]:
        low, high = _range(model, shown, cell)
        assert high - low >= THRESHOLD - 1e-6, (cell, low, high)


def _family(
    sizes: tuple[int, ...], counts: list[int], indicators: Mapping[str, frozenset[str]]
) -> Family:
    names = ("month", "municipio", "sex")[: len(sizes)]
    levels = sorted({level for levels in indicators.values() for level in levels})
    inner: dict[tuple[str, ...], int] = {}
    keys: list[tuple[str, ...]] = [(level,) for level in levels]
    for size in sizes:
        keys = [(*key, str(v)) for key in keys for v in range(size)]
    for key, count in zip(keys, counts, strict=False):
        if count:
            inner[key] = count
    return Family.up_to(names, indicators, inner, breakdowns=2)


small_counts = st.integers(min_value=0, max_value=12)


@st.composite
def families(draw: st.DrawFn, indicators: Mapping[str, frozenset[str]]) -> Family:
    sizes = tuple(draw(st.lists(st.integers(2, 4), min_size=1, max_size=3)))
    levels = {level for levels in indicators.values() for level in levels}
    cells = int(np.prod(sizes)) * len(levels)
    counts = draw(st.lists(small_counts, min_size=cells, max_size=cells))
    return _family(sizes, counts, indicators)


@settings(max_examples=600, deadline=None)
@given(families(FLAT))
def test_no_primary_cell_of_random_tables_can_be_narrowed_below_the_threshold(
    family: Family,
) -> None:
    _audited(family.model())


@settings(max_examples=60, deadline=None)
@given(families(NESTED))
def test_nor_of_nested_indicators_published_side_by_side(family: Family) -> None:
    _audited(family.model())


def test_a_single_small_cell_takes_a_second_one_with_it() -> None:
    model = _family((4,), [3, 10, 20, 30], FLAT).model()
    protection = protect(model, threshold=THRESHOLD)
    by_value = {model.cells[n].value for n in protection.suppressed}
    assert by_value == {3, 10}  # the smallest cell that hides it, not the largest
    _audited(model)


def test_two_small_cells_whose_sum_is_small_take_a_third() -> None:
    model = _family((4,), [1, 2, 20, 30], FLAT).model()
    protection = protect(model, threshold=THRESHOLD)
    assert {model.cells[n].value for n in protection.suppressed} == {1, 2, 20}
    _audited(model)


def test_nested_indicators_defeat_suppression_table_by_table_but_not_the_familys() -> None:
    # Municipi 0, 1, 2: received 12, 8, 26; handed over 12, 4, 18; cases 8, 3, 12
    inner: dict[tuple[str, ...], int] = {
        ("case", "0"): 8,
        ("handed", "0"): 4,
        ("case", "1"): 3,
        ("handed", "1"): 1,
        ("received", "1"): 4,
        ("case", "2"): 12,
        ("handed", "2"): 6,
        ("received", "2"): 8,
    }
    model = Family.up_to(("municipio",), NESTED, inner, breakdowns=1).model()
    handed_1 = next(
        cell
        for cell in model.cells
        if cell.indicator == "referrals_handed_over" and cell.breakdown == (("municipio", "1"),)
    )
    # Table by table, each hides its small cell and the next smallest (the rule before):
    # cases 3 and 8, handed over 4 and 12, received nothing; every total shown. Together
    # they pin handed over in Municipio 1 to exactly 4.
    hidden_alone = {("referrals_taken_in_charge", "0"), ("referrals_taken_in_charge", "1")} | {
        ("referrals_handed_over", "0"),
        ("referrals_handed_over", "1"),
    }
    shown_alone = [
        n
        for n, cell in enumerate(model.cells)
        if not cell.breakdown or (cell.indicator, cell.breakdown[0][1]) not in hidden_alone
    ]
    assert _range(model, shown_alone, handed_1) == (4, 4)
    _audited(model)


def test_nothing_is_hidden_when_nothing_is_small() -> None:
    model = _family((3, 3), [8] * 18, NESTED).model()
    assert not protect(model, threshold=THRESHOLD).suppressed


def test_the_same_counts_are_protected_the_same_way() -> None:
    model = _family((3, 4), list(range(12)) * 3, NESTED).model()
    assert protect(model, threshold=THRESHOLD) == protect(model, threshold=THRESHOLD)


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        protect(_family((2,), [1, 2], FLAT).model(), threshold=0)
