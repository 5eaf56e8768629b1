"""Placement rules: the outcomes of a stay, the maximum stay and its alert, a bed taken once.
Pure: no I/O."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from kit.errors import Conflict, ValidationFailed


class MoveOutOutcome(StrEnum):
    """Where a household went when it moved out."""

    AUTONOMOUS_HOUSING = "autonomous_housing"
    OTHER_FACILITY = "other_facility"
    FAMILY_REUNION = "family_reunion"
    DROPPED_OUT = "dropped_out"
    EXPELLED = "expelled"
    OTHER = "other"


class NoFreeBed(Conflict, slug="no-free-bed", title="The unit has no room for the household"):
    """409: the unit's free beds (placements and live proposals counted) do not hold the
    household, or it is let whole and taken."""


class UnitDoesNotFit(Conflict, slug="unit-does-not-fit", title="The unit breaks a hard constraint"):
    """409: the unit does not admit the household (the constraints broken are named)."""


class PlacementEnded(Conflict, slug="placement-ended", title="The household moved out"):
    """409: a placement ended does not change."""


class RequestNotWaiting(Conflict, slug="request-not-waiting", title="The request is not waiting"):
    """409: only a waiting request is placed directly (one proposed is answered instead)."""


class InvalidDateRange(ValidationFailed, slug="invalid-date-range", title="Invalid range of days"):
    """422: ``to`` before ``from``, or more days between them than one answer counts."""


def require_days(first: date, last: date, most: int) -> None:
    if last < first or (last - first).days >= most:
        raise InvalidDateRange(f"'to' must be on or after 'from', at most {most} days later.")


def require_room(*, free_beds: int, household_size: int) -> None:
    if household_size > free_beds:
        raise NoFreeBed(f"{free_beds} beds are free; the household is {household_size}.")


def stay_ends_on(moved_in_on: date, max_stay_days: int | None) -> date | None:
    """The last day of the facility's maximum stay, or None if it has none."""
    return None if max_stay_days is None else moved_in_on + timedelta(days=max_stay_days)


def over_stay(stay_ends: date | None, today: date, moved_out: date | None) -> bool:
    """Still there after the last day of the maximum stay (a household moved out never is)."""
    return moved_out is None and stay_ends is not None and today > stay_ends


def days_over(stay_ends: date, today: date) -> int:
    """The days `today` is past the last day of the stay: 1 the day after it, 0 or less before."""
    return (today - stay_ends).days


def stay_alert_due(
    stay_ends: date | None, today: date, moved_out: date | None, *, alerted: bool
) -> bool:
    """The maximum-stay alert is raised once per placement: the first time it is over stay
    (`over_stay`), never again for it, never for a household moved out."""
    return not alerted and over_stay(stay_ends, today, moved_out)
