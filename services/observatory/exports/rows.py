"""A published breakdown as rows: one per cell, a column per breakdown, then the value and
the suppressed flag; the total last, its breakdown columns empty. Pure: no I/O.

The rows are the JSON answer's cells as they are (`BreakdownPublic`), so an export never
shows a figure the API would not: a suppressed cell has no value. With no breakdown the
total is the only row (the API's one cell is the total again).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from kit.db import CITY_ZONE
from services.observatory.indicators.schemas import BreakdownCellPublic, BreakdownPublic

Value = str | float | bool | None
"""A column's value: a breakdown's value (text), the count or statistic, the flag; None is
empty."""

VALUE = "value"
SUPPRESSED = "suppressed"


def header(breakdown: BreakdownPublic) -> list[str]:
    return [*(str(dimension) for dimension in breakdown.by), VALUE, SUPPRESSED]


def _row(breakdown: BreakdownPublic, cell: BreakdownCellPublic) -> list[Value]:
    shown: list[Value] = [cell.breakdown.get(dimension) for dimension in breakdown.by]
    return [*shown, cell.value, cell.suppressed]


def rows(breakdown: BreakdownPublic) -> list[list[Value]]:
    """Every cell, then the total (the only row when nothing is broken down)."""
    cells = breakdown.cells if breakdown.by else []
    return [_row(breakdown, cell) for cell in [*cells, breakdown.total]]


def _bound(moment: datetime) -> str:
    """A cohort bound for a file name: the city's date when it is a city midnight."""
    local = moment.astimezone(CITY_ZONE)
    if local.time() == time(0):
        return local.strftime("%Y-%m-%d")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def stem(breakdown: BreakdownPublic) -> str:
    """A file name without its extension, naming the query: ``referrals_received_2025-01-01_
    2025-02-01_by_month-municipio`` (the cohort's bounds, the second one excluded)."""
    parts = [str(breakdown.code), _bound(breakdown.start), _bound(breakdown.end)]
    if breakdown.by:
        parts += ["by", "-".join(str(dimension) for dimension in breakdown.by)]
    return "_".join(parts)
