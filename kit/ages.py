"""Coarse age: the only form of a person's age that leaves the service holding it (events,
statistics). Pure."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class AgeBand(StrEnum):
    UNDER_6 = "0-5"
    CHILD = "6-13"
    ADOLESCENT = "14-17"
    YOUNG_ADULT = "18-24"
    ADULT = "25-64"
    SENIOR = "65+"
    UNKNOWN = "unknown"


_BANDS: Final = (
    (6, AgeBand.UNDER_6),
    (14, AgeBand.CHILD),
    (18, AgeBand.ADOLESCENT),
    (25, AgeBand.YOUNG_ADULT),
    (65, AgeBand.ADULT),
)


def band_of_age(age: int) -> AgeBand:
    """The band of an age in completed years."""
    for upper, band in _BANDS:
        if age < upper:
            return band
    return AgeBand.SENIOR
