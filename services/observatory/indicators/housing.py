"""Towards housing autonomy: households placed and how long they waited, households moving out,
how long they stayed and how many to a home of their own. Pure: no I/O.

A placement's days are the city's calendar days (the housing service records move-in and
move-out as dates): a cohort ``[from, to)`` holds the placements whose day begins in it — the
day of moving in for the placements, of moving out for the exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from kit.db import CITY_ZONE
from services.observatory.indicators.domain import Indicator
from services.observatory.indicators.timeliness import Statistic

AUTONOMOUS_HOUSING = "autonomous_housing"
"""The move-out outcome of a household that went to a home of its own."""


class Measure(StrEnum):
    WAIT = "wait"  # from the day asked for to the day moved in
    STAY = "stay"  # from the day moved in to the day moved out


@dataclass(frozen=True)
class Duration:
    measure: Measure
    statistic: Statistic
    drawn_from: Indicator
    """The count whose published cells this statistic's cells follow."""


DURATIONS: Mapping[Indicator, Duration] = {
    Indicator.HOUSING_WAIT_DAYS_MEDIAN: Duration(
        Measure.WAIT, Statistic.MEDIAN, Indicator.HOUSING_PLACEMENTS
    ),
    Indicator.HOUSING_STAY_DAYS_MEDIAN: Duration(
        Measure.STAY, Statistic.MEDIAN, Indicator.HOUSING_EXITS
    ),
}


def first_day(moment: datetime) -> date:
    """The first city day that begins at or after ``moment``."""
    local = moment.astimezone(CITY_ZONE)
    day = local.date()
    return day if local.time() == time(0) else day + timedelta(days=1)


def days(start: date, end: date) -> int:
    """Calendar days from ``start`` to ``end`` (moving in and out the same day is 0)."""
    return (end - start).days
