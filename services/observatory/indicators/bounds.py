"""A cohort's bounds as SQL conditions: the one place the read-model queries take them from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from services.observatory.indicators.domain import Cohort
from services.observatory.indicators.housing import first_day


def within(column: Any, cohort: Cohort, *, by_day: bool = False) -> list[ColumnElement[bool]]:
    """``column`` (a time, or with ``by_day`` a city day) within the cohort's bounds (an open
    end does not bound)."""
    conditions: list[ColumnElement[bool]] = []
    if cohort.start is not None:
        conditions.append(column >= (first_day(cohort.start) if by_day else cohort.start))
    if cohort.end is not None:
        conditions.append(column < (first_day(cohort.end) if by_day else cohort.end))
    return conditions
