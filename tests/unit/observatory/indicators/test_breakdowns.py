"""An indicator by up to two breakdowns, cut from its family's protection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.observatory.indicators.breakdowns import (
    NESTING,
    REFERRALS,
    BadBreakdown,
    CohortTooLong,
    Dimension,
    Level,
    chosen,
    month_of,
    months_between,
    referral_levels,
    table,
    within_a_year,
)
from services.observatory.indicators.domain import Cohort, Indicator

MINOR, FAMILY = "unaccompanied_minor", "vulnerable_family"
TAKEN, HANDED, RECEIVED = Level.TAKEN_IN_CHARGE, Level.HANDED_OVER, Level.RECEIVED


def test_a_month_is_the_citys() -> None:
    # 23:30 UTC on 31 January is 00:30 on 1 February in Milan
    assert month_of(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)) == "2026-02"
    assert months_between("2026-11", "2027-02") == ("2026-11", "2026-12", "2027-01", "2027-02")


def test_breakdowns_are_two_at_most_each_once_in_the_familys_order() -> None:
    assert chosen([Dimension.TARGET_GROUP, Dimension.MONTH]) == (
        Dimension.MONTH,
        Dimension.TARGET_GROUP,
    )
    with pytest.raises(BadBreakdown, match="once"):
        chosen([Dimension.MONTH, Dimension.MONTH])
    with pytest.raises(BadBreakdown, match="At most"):
        chosen(list(Dimension))


def test_a_cohort_is_bounded_and_a_year_at_most() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(CohortTooLong, match="needs"):
        within_a_year(Cohort(start=start))
    with pytest.raises(CohortTooLong, match="a year"):
        within_a_year(Cohort(start=start, end=datetime(2027, 1, 3, tzinfo=UTC)))


def test_every_combination_is_a_cell_and_small_or_empty_ones_are_hidden() -> None:
    counts: dict[tuple[str | int, ...], int] = {
        (TAKEN, "2026-03", 3, MINOR): 12,
        (HANDED, "2026-03", 3, MINOR): 2,
        (RECEIVED, "2026-03", 3, MINOR): 9,
        (TAKEN, "2026-03", 1, FAMILY): 6,
        (RECEIVED, "2026-03", 1, FAMILY): 7,
        (RECEIVED, "2026-03", 5, MINOR): 2,
    }
    found = table(
        counts,
        Indicator.REFERRALS_RECEIVED,
        (Dimension.MUNICIPIO,),
        threshold=5,
        months=("2026-03",),
    )
    assert found.total.value == 38
    assert len(found.cells) == 9
    by = {dict(cell.breakdown)[Dimension.MUNICIPIO]: cell.value for cell in found.cells}
    assert by["5"] is None  # 2
    assert all(by[m] is None for m in "246789")  # nobody: 0
    # 38 − 13 would give Municipio 5 away once 3 is shown, and the minors' total (25) less
    # Municipio 3's minors (23) would too: so Municipio 3 is hidden, and 1 is shown
    assert by["3"] is None
    assert by["1"] == 13


def test_a_table_of_one_indicator_protects_the_nested_others() -> None:
    # received and handed over in Municipio 3 differ by 1: showing both, with handed over
    # hidden or not, must not give taken-in-charge's small cell away
    counts: dict[tuple[str | int, ...], int] = {
        (TAKEN, "2026-03", 3, MINOR): 3,
        (HANDED, "2026-03", 3, MINOR): 9,
        (RECEIVED, "2026-03", 3, MINOR): 1,
        (TAKEN, "2026-03", 1, MINOR): 30,
        (HANDED, "2026-03", 1, MINOR): 10,
        (RECEIVED, "2026-03", 1, MINOR): 10,
    }
    tables = {
        indicator: table(
            counts, indicator, (Dimension.MUNICIPIO,), threshold=5, months=("2026-03",)
        )
        for indicator in NESTING
    }

    def cell(indicator: Indicator, municipio: str) -> float | None:
        [value] = [
            c.value
            for c in tables[indicator].cells
            if dict(c.breakdown)[Dimension.MUNICIPIO] == municipio
        ]
        return value

    assert cell(Indicator.REFERRALS_TAKEN_IN_CHARGE, "3") is None
    # with the totals shown, Municipio 1 would give Municipio 3 away: it is hidden too
    assert (
        cell(Indicator.REFERRALS_TAKEN_IN_CHARGE, "1") is None
        or tables[Indicator.REFERRALS_TAKEN_IN_CHARGE].total.value is None
    )
    # the same figure, whichever indicator's table it is read from
    assert tables[Indicator.REFERRALS_RECEIVED].total.value == 63


levels = st.sampled_from(list(Level))
keys = st.tuples(
    levels,
    st.sampled_from(["2026-01", "2026-02"]),
    st.integers(1, 9),
    st.sampled_from([MINOR, FAMILY]),
)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(keys, st.integers(1, 9), max_size=24),
    st.sampled_from(list(NESTING)),
    st.lists(st.sampled_from(REFERRALS.dimensions), max_size=2, unique=True),
)
def test_what_a_table_shows_is_true_and_never_small(
    counts: dict[tuple[Level, str, int, str], int],
    indicator: Indicator,
    by: list[Dimension],
) -> None:
    raw: dict[tuple[str | int, ...], int] = {
        (level.value, month, municipio, group): count
        for (level, month, municipio, group), count in counts.items()
    }
    found = table(raw, indicator, chosen(by), threshold=5, months=("2026-01", "2026-02"))
    position = {Dimension.MONTH: 1, Dimension.MUNICIPIO: 2, Dimension.TARGET_GROUP: 3}
    for cell in [found.total, *found.cells]:
        truth = sum(
            count
            for key, count in raw.items()
            if key[0] in NESTING[indicator]
            and all(str(key[position[d]]) == v for d, v in cell.breakdown)
        )
        assert cell.value is None or (cell.value == truth and truth >= 5)


def test_where_referrals_stand_is_every_one_less_those_taken_in_charge() -> None:
    every = [
        (True, "2026-03", 3, MINOR, 5),  # five handed over
        (False, "2026-03", 3, MINOR, 4),  # four not (yet)
        (False, None, 8, FAMILY, 1),  # one consumed before its month was kept
    ]
    taken = [
        (True, "2026-03", 3, MINOR, 2),  # two of the five have a case
        (False, "2026-03", 3, MINOR, 1),  # and one whose hand-over is not known yet
    ]

    assert referral_levels(every, taken) == {
        (Level.HANDED_OVER, "2026-03", "3", MINOR): 3,
        (Level.RECEIVED, "2026-03", "3", MINOR): 3,
        (Level.TAKEN_IN_CHARGE, "2026-03", "3", MINOR): 3,
        (Level.RECEIVED, "unknown", "8", FAMILY): 1,
    }
