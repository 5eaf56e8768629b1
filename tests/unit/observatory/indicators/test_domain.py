"""Small-cell suppression and indicator figures: pure rules, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.observatory.indicators.domain import (
    MUNICIPI,
    Cohort,
    EmptyCohort,
    Indicator,
    figure,
    suppress,
)

K = 5


def reader_can_pin_down(published: list[int | None], total: int) -> list[int]:
    """The suppressed cells whose exact value follows from the total and the published cells,
    for a reader who only knows that counts are whole numbers, 0 or more: the least and the
    most each hidden cell can be, given the others."""
    hidden = [i for i, value in enumerate(published) if value is None]
    remainder = total - sum(value for value in published if value is not None)
    pinned = []
    for i in hidden:
        least = remainder if len(hidden) == 1 else 0  # the others may take everything
        most = remainder
        if least == most:
            pinned.append(i)
    return pinned


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        ([12, 9, 7, 20], [12, 9, 7, 20]),  # nothing small: nothing hidden
        ([12, 3, 7, 20], [12, None, None, 20]),  # one small cell, and the smallest other
        ([12, 3, 7, 7], [12, None, None, 7]),  # a tie goes to the first cell
        ([12, 3, 1, 20], [12, None, None, 20]),  # two small cells protect each other
        ([0, 8, 0, 20], [None, None, None, 20]),  # hidden zeros would add up to 0
        ([0, 0, 0], [None, None, None]),  # nothing counted, nothing to give away
        ([2], [None]),  # one cell: the total is the cell (callers avoid such tables)
        ([], []),
    ],
    ids=["none", "one", "tie", "two", "zeros", "all-zero", "single-cell", "empty"],
)
def test_small_cells_are_hidden_with_a_complement_when_needed(
    counts: list[int], published: list[int | None]
) -> None:
    assert suppress(counts, threshold=K) == published


def test_the_threshold_is_the_first_count_shown() -> None:
    assert suppress([4, 5, 100], threshold=5) == [None, None, 100]
    assert suppress([5, 5, 100], threshold=5) == [5, 5, 100]


@pytest.mark.parametrize(("counts", "threshold"), [([1, 2], 0), ([1, -1], 5)])
def test_nonsense_is_refused(counts: list[int], threshold: int) -> None:
    with pytest.raises(ValueError, match=r"threshold|negative"):
        suppress(counts, threshold=threshold)


tables = st.lists(st.integers(min_value=0, max_value=40), max_size=12)
thresholds = st.integers(min_value=1, max_value=11)


@given(tables, thresholds)
def test_every_count_under_the_threshold_is_hidden_and_every_shown_one_is_true(
    counts: list[int], threshold: int
) -> None:
    published = suppress(counts, threshold=threshold)
    assert len(published) == len(counts)
    for count, value in zip(counts, published, strict=True):
        assert value is None or value == count
        if count < threshold:
            assert value is None


@given(tables, thresholds)
def test_no_hidden_cell_follows_from_the_total(counts: list[int], threshold: int) -> None:
    published = suppress(counts, threshold=threshold)
    pinned = reader_can_pin_down(published, sum(counts))
    # only where there was nothing left to hide behind: a one-cell table, or all zeros
    assert not pinned or len(counts) == 1 or not any(counts)


@given(tables, thresholds)
def test_at_most_one_cell_is_hidden_beyond_the_small_ones_and_it_is_the_smallest(
    counts: list[int], threshold: int
) -> None:
    published = suppress(counts, threshold=threshold)
    complements = [
        i
        for i, (c, v) in enumerate(zip(counts, published, strict=True))
        if v is None and c >= threshold
    ]
    assert len(complements) <= 1
    if complements:
        shown = [v for v in published if v is not None]
        assert all(counts[complements[0]] <= v for v in shown)


def test_a_figure_has_all_nine_municipi_and_an_unsuppressed_total() -> None:
    result = figure(Indicator.REFERRALS_RECEIVED, {1: 40, 2: 3, 3: 12, 9: 25}, threshold=K)
    assert result.total == 80
    assert [cell.municipio for cell in result.by_municipio] == list(MUNICIPI)
    by_municipio = {cell.municipio: cell for cell in result.by_municipio}
    assert by_municipio[1].value == 40
    assert by_municipio[3].value == 12
    # 2 is small, and the Municipi with nothing (0) are hidden with it
    assert all(by_municipio[m].suppressed for m in (2, 4, 5, 6, 7, 8))
    assert by_municipio[2].value is None


def test_a_figure_refuses_a_place_outside_milan() -> None:
    with pytest.raises(ValueError, match="Municipi"):
        figure(Indicator.CASES_OPEN, {10: 7}, threshold=K)


def test_a_cohort_must_not_end_before_it_starts() -> None:
    march = datetime(2026, 3, 1, tzinfo=UTC)
    april = datetime(2026, 4, 1, tzinfo=UTC)
    assert Cohort(received_from=march, received_to=april).received_to == april
    assert Cohort(received_from=march).received_to is None
    with pytest.raises(EmptyCohort) as raised:
        Cohort(received_from=april, received_to=march)
    assert raised.value.status == 400
