"""The public programme's contract: what a city website shows of an initiative and its
sessions. Only public fields, by construction: no author, no person. Of registrations, only
how many seats are still free: a count, never who registered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from kit.pagination import Page
from kit.schemas import ClosedModel, Id, PublicModel, StrictStr
from services.events.initiatives.schemas import TranslationPublic


class ProgrammeVenue(PublicModel):
    name: str
    address: str = Field(description="The venue's address")
    municipio: int
    accessible: bool = Field(description="Step-free access for wheelchairs")


class ProgrammeInitiative(PublicModel):
    id: Id
    title: str = Field(description="In Italian")
    description: str | None = Field(description="In Italian")
    translations: dict[str, TranslationPublic] = Field(
        description="The title and description in other languages, by ISO 639-1 code"
    )
    kind: str = Field(description="workshop, meeting, information_session, …")
    audience: str = Field(description="beneficiaries, public or both")
    topics: list[str]
    organiser_organisation: str
    partner_organisations: list[str]
    municipio: int
    neighbourhood: str | None
    starts_on: date
    ends_on: date


class ProgrammeSession(PublicModel):
    id: Id
    starts_at: datetime = Field(description="In the session's zone, with its offset")
    ends_at: datetime = Field(description="In the session's zone, with its offset")
    zone: str
    venue: ProgrammeVenue
    capacity: int = Field(description="Seats")
    seats_free: int = Field(
        description="Seats not yet taken or offered; 0 when full: registering then joins the "
        "waiting list"
    )
    languages: list[str] = Field(description="Languages the session is held in")
    cultural_mediator: bool
    interpreter: bool


class ProgrammeEntry(ProgrammeSession):
    """One session of the programme with the initiative it belongs to."""

    initiative: ProgrammeInitiative


class ProgrammePage(Page[ProgrammeEntry]):
    """A page of the programme, soonest first."""


class InitiativeProgramme(ProgrammeInitiative):
    """A public initiative with its scheduled sessions, soonest first."""

    sessions: list[ProgrammeSession]


class SelfRegistered(PublicModel):
    """What a member of the public is told of their registration: whether they have a seat
    or their place in line, and, once, the token to cancel with (and to be erased with)."""

    session_id: Id
    status: str = Field(description="registered, or waitlisted (a freed seat is offered)")
    position: int | None = Field(description="Place in the waiting list, if waitlisted")
    cancellation_token: str = Field(
        description=(
            "Shown this once: keep it to cancel, or to have your name and contact erased"
            " (only its hash is kept)"
        )
    )


class CancellationIn(ClosedModel):
    token: Annotated[StrictStr, Field(min_length=20, max_length=100)]


class SelfCancelled(PublicModel):
    session_id: Id
    status: str
