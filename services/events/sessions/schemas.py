"""The sessions API contract. Times are taken as wall-clock times where the session happens
(``2026-10-25T10:00:00``, in ``zone``), or with their offset, and answered with the offset of
the zone at that moment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from kit.schemas import (
    KEPT,
    ClosedModel,
    Id,
    LanguageCode,
    PublicModel,
    StrictBool,
    StrictInt,
    StrictMunicipio,
    StrictStr,
    TrimmedText,
)
from services.events.sessions.domain import DEFAULT_ZONE, SessionStatus

MAX_CAPACITY = 10_000
MAX_HOLD_MINUTES = 7 * 24 * 60


def _distinct(languages: list[str]) -> list[str]:
    return list(dict.fromkeys(languages))


WallClock = Annotated[
    datetime,
    Field(
        description=(
            "Wall-clock time where the session happens (in `zone`), or with its offset; a "
            "time the zone skips or passes twice (without an offset) is a 422"
        )
    ),
]
Zone = Annotated[
    StrictStr, Field(max_length=60, description="IANA time zone of the session, e.g. Europe/Rome")
]
Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_CAPACITY, description="Seats")]
Languages = Annotated[
    list[LanguageCode],
    Field(min_length=1, max_length=10, description="Languages the session is held in"),
    AfterValidator(_distinct),
]
Hold = Annotated[
    StrictInt,
    Field(ge=5, le=MAX_HOLD_MINUTES, description="How long an offer holds a freed seat, minutes"),
]
AutoConfirm = Annotated[
    StrictBool,
    Field(description="A freed seat goes straight to the first in line, without an offer"),
]


class Venue(ClosedModel):
    name: Annotated[StrictStr, TrimmedText(200)]
    address: Annotated[StrictStr, TrimmedText(300), Field(description="The venue's address")]
    municipio: StrictMunicipio
    accessible: Annotated[StrictBool, Field(description="Step-free access for wheelchairs")]


class SessionCreate(ClosedModel):
    """``ends_at`` is after ``starts_at``, at most 24 hours later, and the session starts on
    a day of the initiative's period (422 ``invalid-session-time``)."""

    starts_at: WallClock
    ends_at: WallClock
    zone: Zone = DEFAULT_ZONE
    venue: Venue
    capacity: Capacity
    languages: Languages
    cultural_mediator: StrictBool = False
    interpreter: StrictBool = False
    auto_confirm: AutoConfirm = False
    offer_hold_minutes: Hold = 1440


class SessionPatch(ClosedModel):
    """Only the fields given change; a new time (``starts_at``, ``ends_at``, ``zone``) is a
    reschedule, which registrants are told of by event. A time given without its offset is
    read in the zone the session has after the change. A capacity below the seats taken
    (registered or offered) is a 409 ``capacity-below-seats-taken``; seats added go to the
    first in line."""

    starts_at: WallClock = KEPT
    ends_at: WallClock = KEPT
    zone: Zone = KEPT
    venue: Venue = KEPT
    capacity: Capacity = KEPT
    languages: Languages = KEPT
    cultural_mediator: StrictBool = KEPT
    interpreter: StrictBool = KEPT
    auto_confirm: AutoConfirm = KEPT
    offer_hold_minutes: Hold = KEPT


class VenuePublic(PublicModel):
    name: str
    address: str
    municipio: int
    accessible: bool


class SessionPublic(PublicModel):
    id: Id
    version: int
    initiative_id: Id
    status: SessionStatus
    starts_at: datetime = Field(description="In the session's zone, with its offset")
    ends_at: datetime = Field(description="In the session's zone, with its offset")
    zone: str
    venue: VenuePublic
    capacity: int
    languages: list[str]
    cultural_mediator: bool
    interpreter: bool
    auto_confirm: bool
    offer_hold_minutes: int
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
