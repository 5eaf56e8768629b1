"""Timeliness statistics: figures known by hand, following their count's protection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.observatory.indicators.breakdowns import Counts, Dimension, Level, table
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.timeliness import (
    Statistic,
    Timing,
    hours_between,
    p90,
    statistic_table,
)

MINOR, FAMILY = "unaccompanied_minor", "vulnerable_family"
MONTH = "2026-03"
THRESHOLD = 3
HANDED = Level.HANDED_OVER
MEDIAN, P90 = Indicator.HAND_OVER_HOURS_MEDIAN, Indicator.HAND_OVER_HOURS_P90


def test_the_90th_percentile_is_the_nearest_rank() -> None:
    assert p90([float(h) for h in range(1, 11)]) == 9  # 9 of the 10 do not exceed 9
    assert p90([float(h) for h in range(20, 0, -1)]) == 18
    assert p90([1.0, 2.0, 3.0, 4.0, 50.0]) == 50  # ceil(4.5) = the fifth
    assert p90([7.0]) == 7


def test_hours_are_elapsed_time_across_a_change_of_summer_time() -> None:
    # Milan's clocks went forward at 02:00 on 29 March 2026: 24 hours are still 24
    start = datetime(2026, 3, 28, 12, tzinfo=UTC)
    assert hours_between(start, start + timedelta(days=1)) == 24


def _timings(hours_by_municipio: dict[int, list[float]]) -> list[Timing]:
    return [
        Timing((MONTH, str(municipio), MINOR), spent)
        for municipio, hours in hours_by_municipio.items()
        for spent in hours
    ]


def test_a_statistic_is_shown_where_its_count_is_and_enough_make_it() -> None:
    # known by hand: Municipio 1, 2, 4, 6, 30, 10 hours; Municipio 2, 5 referrals; 9, one
    hours = {1: [2.0, 4.0, 6.0, 30.0, 10.0], 2: [1.0, 1.5, 2.5, 3.5, 4.5], 9: [80.0]}
    counts: Counts = {(HANDED, MONTH, m, MINOR): len(h) for m, h in hours.items()}
    by_municipio = table(
        counts, Indicator.REFERRALS_HANDED_OVER, (Dimension.MUNICIPIO,), threshold=3
    )
    handed = {dict(c.breakdown)[Dimension.MUNICIPIO]: c.value for c in by_municipio.cells}
    # Municipio 9's one is hidden, and one more with it, else the total gives it away
    assert handed["9"] is None
    assert sum(value is None for m, value in handed.items() if m in "12") == 1

    medians = statistic_table(
        _timings(hours), MEDIAN, Statistic.MEDIAN, by_municipio, threshold=THRESHOLD
    )
    p90s = statistic_table(_timings(hours), P90, Statistic.P90, by_municipio, threshold=THRESHOLD)

    expected_median = {"1": 6.0, "2": 2.5}
    expected_p90 = {"1": 30.0, "2": 4.5}
    for published, expected in ((medians, expected_median), (p90s, expected_p90)):
        shown = {dict(c.breakdown)[Dimension.MUNICIPIO]: c.value for c in published.cells}
        assert shown["9"] is None
        for municipio in "12":
            assert shown[municipio] == (None if handed[municipio] is None else expected[municipio])
        assert all(shown[m] is None for m in "345678")  # nobody: a count of 0, hidden
    # the total: eleven referrals, the sixth of them 4 hours, the tenth (ceil 9.9) 30
    assert medians.total.value == 4.0
    assert p90s.total.value == 30.0


def test_too_few_for_a_statistic_hide_it_even_where_its_count_is_shown() -> None:
    # the count is the referrals handed over; the statistic is drawn from those that carry the
    # step: here fewer (the timings' cell has two)
    counts: Counts = {(HANDED, MONTH, 4, MINOR): 6}
    total = table(counts, Indicator.REFERRALS_HANDED_OVER, (), threshold=THRESHOLD)
    assert total.total.value == 6

    found = statistic_table(
        _timings({4: [1.0, 2.0]}), MEDIAN, Statistic.MEDIAN, total, threshold=THRESHOLD
    )

    assert found.total.value is None


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(range(1, 10)), st.sampled_from([MINOR, FAMILY])),
        st.lists(st.floats(0, 2000, allow_nan=False), min_size=1, max_size=8),
        max_size=8,
    ),
    st.sampled_from([(), (Dimension.MUNICIPIO,), (Dimension.MUNICIPIO, Dimension.TARGET_GROUP)]),
)
def test_a_shown_statistic_is_true_and_never_over_a_hidden_or_small_count(
    hours: dict[tuple[int, str], list[float]], by: tuple[Dimension, ...]
) -> None:
    counts: Counts = {(HANDED, MONTH, m, group): len(h) for (m, group), h in hours.items()}
    timings = [
        Timing((MONTH, str(m), group), h) for (m, group), spent in hours.items() for h in spent
    ]
    drawn_from = table(counts, Indicator.REFERRALS_HANDED_OVER, by, threshold=THRESHOLD)

    found = statistic_table(timings, P90, Statistic.P90, drawn_from, threshold=THRESHOLD)

    assert len(found.cells) == len(drawn_from.cells)
    for count, cell in zip(
        (drawn_from.total, *drawn_from.cells), (found.total, *found.cells), strict=True
    ):
        assert cell.breakdown == count.breakdown
        values = dict(cell.breakdown)
        members = sorted(
            t.value
            for t in timings
            if all(
                t.values[("month", "municipio", "target_group").index(d)] == v
                for d, v in values.items()
            )
        )
        if cell.value is not None:
            assert count.value is not None
            assert len(members) >= THRESHOLD
            # nearest rank, counted independently: the smallest with 90 % at or under it
            rank = next(n for n in range(1, len(members) + 1) if n / len(members) >= 0.9)
            assert cell.value == round(members[rank - 1], 1)
        elif count.value is not None:
            assert len(members) < THRESHOLD
