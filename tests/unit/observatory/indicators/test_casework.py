"""The casework indicators' rules, and shares: a percentage of two published counts only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.observatory.indicators.breakdowns import (
    CASES,
    PLAN_IN_TIME,
    PLAN_NOT_IN_TIME,
    Cell,
    Dimension,
    table,
)
from services.observatory.indicators.casework import PLAN_WITHIN, plan_level
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.shares import SHARES, percentage, share_table

OPENED = datetime(2026, 3, 2, 9, tzinfo=UTC)
MINOR, FAMILY = "unaccompanied_minor", "vulnerable_family"


def test_a_plan_is_in_time_within_thirty_days_of_the_opening() -> None:
    assert plan_level(OPENED, OPENED + PLAN_WITHIN) == PLAN_IN_TIME
    assert plan_level(OPENED, OPENED + PLAN_WITHIN + timedelta(seconds=1)) == PLAN_NOT_IN_TIME
    assert plan_level(OPENED, None) == PLAN_NOT_IN_TIME  # awaited: not (yet) in time


def test_a_share_needs_both_counts_published_and_a_whole() -> None:
    breakdown = ((Dimension.MUNICIPIO, "3"),)
    assert percentage(Cell(breakdown, 6), Cell(breakdown, 8)).value == 75.0
    assert percentage(Cell(breakdown, 1), Cell(breakdown, 3)).value == 33.3
    assert percentage(Cell(breakdown, None), Cell(breakdown, 8)).suppressed
    assert percentage(Cell(breakdown, 6), Cell(breakdown, None)).suppressed
    assert percentage(Cell(breakdown, 0), Cell(breakdown, 0)).suppressed


def test_a_share_of_the_cases_is_suppressed_where_a_count_is() -> None:
    counts: dict[tuple[str | int, ...], int] = {
        (PLAN_IN_TIME, "2026-03", 3, MINOR): 12,
        (PLAN_NOT_IN_TIME, "2026-03", 3, MINOR): 4,
        (PLAN_IN_TIME, "2026-03", 5, MINOR): 2,  # a small part: suppressed, and its share
        (PLAN_NOT_IN_TIME, "2026-03", 5, MINOR): 9,
        (PLAN_IN_TIME, "2026-03", 7, FAMILY): 8,
        (PLAN_NOT_IN_TIME, "2026-03", 7, FAMILY): 8,
    }
    share = SHARES[Indicator.CASES_PLAN_APPROVED_30_DAYS_SHARE]
    by = (Dimension.MUNICIPIO,)
    part, whole = (table(counts, i, by, threshold=5) for i in (share.part, share.whole))
    found = share_table(Indicator.CASES_PLAN_APPROVED_30_DAYS_SHARE, part, whole)

    cells = {cell.breakdown[0][1]: cell for cell in found.cells}
    assert part.total.value == 22
    assert whole.total.value == 43
    assert found.total.value == round(100 * 22 / 43, 1)
    parts = {c.breakdown: c for c in part.cells}
    wholes = {c.breakdown: c for c in whole.cells}
    for cell in cells.values():
        of, over = parts[cell.breakdown], wholes[cell.breakdown]
        assert cell.suppressed == (of.suppressed or over.suppressed or not over.value)
        if not cell.suppressed:
            assert cell.value == round(100 * of.value / over.value, 1)  # type: ignore[operator]
    assert cells["5"].suppressed  # 2 cases with a plan in time: never shown, nor derivable
    assert cells["1"].suppressed  # nobody: no share of nothing
    assert set(CASES.nesting) == {share.part, share.whole}
