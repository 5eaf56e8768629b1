"""The month a report covers: a calendar month of the city (Europe/Rome), not in the future.
Pure: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from kit.db import CITY_ZONE
from kit.errors import BadRequest

PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
"""``YYYY-MM``, from 2000 on: the network's data starts long after."""
HISTORY = 12
"""Months a chart over time shows, ending with the report's: a cohort of a year at most."""

MESI = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class BadMonth(BadRequest, slug="bad-month", title="Bad month"): ...


class MonthInTheFuture(BadRequest, slug="month-in-the-future", title="Month in the future"): ...


@dataclass(frozen=True, order=True)
class Month:
    year: int
    number: int  # 1-12

    def __str__(self) -> str:
        return f"{self.year:04}-{self.number:02}"

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.number - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def start(self) -> datetime:
        """The instant the month begins in the city (aware)."""
        return datetime(self.year, self.number, 1, tzinfo=CITY_ZONE)

    @property
    def end(self) -> datetime:
        """The instant the next month begins: the month is ``[start, end)``."""
        return self.plus(1).start

    @property
    def history_start(self) -> datetime:
        """The start of the `HISTORY` months ending with this one."""
        return self.plus(1 - HISTORY).start

    @property
    def italian(self) -> str:
        return f"{MESI[self.number - 1]} {self.year}"

    @property
    def english(self) -> str:
        return f"{MONTHS[self.number - 1]} {self.year}"


def month(text: str, *, now: datetime) -> Month:
    """The month ``text`` (``YYYY-MM``) names: this month (its figures so far) or an earlier
    one; a later one has nothing to report yet."""
    if not re.fullmatch(PATTERN, text):
        raise BadMonth(f"{text!r} is not a month as YYYY-MM (from 2000-01).")
    found = Month(int(text[:4]), int(text[5:]))
    if found.start > now:
        raise MonthInTheFuture(f"{found} has not begun yet.")
    return found
