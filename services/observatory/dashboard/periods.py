"""The dashboard's period: whole months of the city's calendar. No I/O.

A cohort of whole months, never a cut of one: two overlapping cohorts are protected each on
its own, and their difference is a cohort nobody protected (`indicators.breakdowns`), so the
dashboard offers months, and the last twelve by default.
"""

from __future__ import annotations

from datetime import date, datetime

from kit.db import CITY_ZONE
from services.observatory.indicators.schemas import Cohort

MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
"""``YYYY-MM``, years 1900 to 2099."""
LAST_MONTHS = 12
"""The default period: the last twelve months, this one included."""


def shifted(month: str, by: int) -> str:
    """``month`` (``YYYY-MM``) moved on by ``by`` months (back when negative)."""
    year, number = map(int, month.split("-"))
    index = year * 12 + number - 1 + by
    return f"{index // 12:04}-{index % 12 + 1:02}"


def start_of(month: str) -> datetime:
    """The instant ``month`` begins in Milan (aware)."""
    year, number = map(int, month.split("-"))
    return datetime(year, number, 1, tzinfo=CITY_ZONE)


def period(first: str | None, last: str | None, *, today: date) -> Cohort:
    """The referrals received from the start of month ``first`` to the end of month ``last``
    (both ``YYYY-MM``); ``last`` defaults to this month, ``first`` to eleven months before
    ``last``. ``first`` after ``last`` is an empty cohort (400); over a year, the breakdown
    refuses it (400 cohort-too-long)."""
    last = last or f"{today:%Y-%m}"
    first = first or shifted(last, 1 - LAST_MONTHS)
    return Cohort(start=start_of(first), end=start_of(shifted(last, 1)))
