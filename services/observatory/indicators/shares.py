"""Shares: a count of a family as a percentage of another count of the same family (the
cases with a plan approved in time, of the cases opened). Pure: no I/O.

A share publishes no count of its own: its cell is shown only where both counts' cells are
published by their family's protection (a share of suppressed counts would give them away),
so it tells a reader nothing the two published cells do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.observatory.indicators.breakdowns import Cell, Table
from services.observatory.indicators.domain import Indicator


@dataclass(frozen=True)
class Share:
    """``part`` as a percentage of ``whole`` (a count ``part`` is part of)."""

    part: Indicator
    whole: Indicator


SHARES: Mapping[Indicator, Share] = {
    Indicator.CASES_PLAN_APPROVED_30_DAYS_SHARE: Share(
        Indicator.CASES_PLAN_APPROVED_30_DAYS, Indicator.CASES_OPENED
    ),
    Indicator.REVIEWS_ON_TIME_SHARE: Share(Indicator.REVIEWS_ON_TIME, Indicator.REVIEWS_RECORDED),
    Indicator.MINORS_TURNING_18_WITH_PLAN_SHARE: Share(
        Indicator.MINORS_TURNING_18_WITH_PLAN, Indicator.MINORS_TURNING_18
    ),
}


def percentage(part: Cell, whole: Cell) -> Cell:
    """``part`` of ``whole`` in per cent (one decimal); suppressed where either is, or where
    ``whole`` is nothing."""
    if part.value is None or not whole.value:
        return Cell(whole.breakdown, None)
    return Cell(whole.breakdown, round(100 * part.value / whole.value, 1))


def share_table(indicator: Indicator, part: Table, whole: Table) -> Table:
    """``indicator``, the share ``part`` is of ``whole`` (their published tables, same
    breakdowns), cell by cell."""
    if part.by != whole.by or len(part.cells) != len(whole.cells):
        raise ValueError("A share's counts must be broken down alike.")
    return Table(
        indicator,
        whole.by,
        percentage(part.total, whole.total),
        tuple(percentage(p, w) for p, w in zip(part.cells, whole.cells, strict=True)),
    )
