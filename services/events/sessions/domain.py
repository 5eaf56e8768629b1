"""Session rules: times in the session's own zone, the initiative period, who runs it, and
its status. Pure: no I/O.

Who runs a session is its initiative's rule (`initiatives.service.run_by`).

A session is given as wall-clock times where it happens (Europe/Rome by default) and kept as
instants with that zone. A wall-clock time the zone skips (02:30 on the last Sunday of March
in Rome) does not exist; one it passes twice (02:30 on the last Sunday of October) is
ambiguous unless the offset is given. Both are refused rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kit.errors import Conflict, ValidationFailed

DEFAULT_ZONE = "Europe/Rome"
LONGEST = timedelta(hours=24)  # a session longer than a day is a typo or several sessions


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class InvalidSessionTime(ValidationFailed):
    slug = "invalid-session-time"
    title = "Invalid session time"


class SessionCancelled(Conflict):
    slug = "session-cancelled"
    title = "The session is cancelled"


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidSessionTime.for_field(
            "zone", "is not an IANA time zone", code="unknown_zone"
        ) from exc


def instant(field: str, given: datetime, zone: ZoneInfo) -> datetime:
    """`given` as an instant (UTC): with its offset as given (it must be the zone's at that
    moment), or, as a wall-clock time, in `zone` — if it exists there and only once."""
    if given.tzinfo is not None:
        moment = given.astimezone(UTC)
        if moment.astimezone(zone).utcoffset() != given.utcoffset():
            raise InvalidSessionTime.for_field(
                field,
                f"has an offset {zone.key} does not have at that moment",
                code="offset_not_of_zone",
            )
        return moment
    first = given.replace(tzinfo=zone, fold=0)
    second = given.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # in a gap the two folds disagree too; a round trip tells a gap from an overlap
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != given:
            raise InvalidSessionTime.for_field(
                field,
                f"does not exist in {zone.key} (the clocks go forward then)",
                code="nonexistent_local_time",
            )
        raise InvalidSessionTime.for_field(
            field,
            f"happens twice in {zone.key} (the clocks go back then): give its offset",
            code="ambiguous_local_time",
        )
    return first.astimezone(UTC)


def local(moment: datetime, zone: str) -> datetime:
    """An instant as the wall-clock time (with its offset) of `zone`."""
    return moment.astimezone(zone_of(zone))


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidSessionTime.for_field(
            "ends_at", "must be after starts_at", code="ends_before_starts"
        )
    if ends_at - starts_at > LONGEST:
        raise InvalidSessionTime.for_field(
            "ends_at", "must be at most 24 hours after starts_at", code="too_long"
        )


def check_in_period(starts_at: datetime, zone: str, starts_on: date, ends_on: date) -> None:
    """A session starts on a day of its initiative's period (in the session's zone)."""
    day = local(starts_at, zone).date()
    if not starts_on <= day <= ends_on:
        raise InvalidSessionTime.for_field(
            "starts_at",
            f"must fall in the initiative's period, {starts_on} to {ends_on}",
            code="outside_initiative_period",
        )


def require_scheduled(status: SessionStatus) -> None:
    if status is SessionStatus.CANCELLED:
        raise SessionCancelled("The session is cancelled: it no longer changes.")
