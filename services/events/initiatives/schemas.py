"""The initiatives API contract: the title and description in Italian, their translations,
what the initiative is, who runs it with whom, for whom, where and when."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from kit.schemas import (
    KEPT,
    CalendarDate,
    ClosedModel,
    Id,
    OrganisationAlias,
    PublicModel,
    StrictMunicipio,
    StrictStr,
    TrimmedText,
)
from services.events.initiatives.domain import Audience, InitiativeStatus, distinct
from services.events.initiatives.domain import InitiativeKind as InitiativeKind  # lists filter

MAX_TOPICS = 10
MAX_PARTNERS = 20
MAX_TRANSLATIONS = 30

# ISO 639-1, two lower-case letters, but Italian: the title and description are in Italian
_TRANSLATED = r"^([a-hj-z][a-z]|i[a-su-z])$"

Title = Annotated[StrictStr, TrimmedText(200)]
Description = Annotated[StrictStr, TrimmedText(4000)]
Neighbourhood = Annotated[
    StrictStr,
    TrimmedText(100),
    Field(description="Quartiere, e.g. San Siro, Corvetto, Quarto Oggiaro"),
]
Topic = Annotated[
    StrictStr,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=40,
        description="A tag: lower-case letters and digits, words joined by hyphens",
        examples=["lingua-italiana", "lavoro"],
    ),
]
Topics = Annotated[
    list[Topic],
    Field(max_length=MAX_TOPICS, description="Tags; each is kept once"),
    AfterValidator(distinct),
]
Partners = Annotated[
    list[OrganisationAlias],
    Field(
        max_length=MAX_PARTNERS,
        description=(
            "Organisations that run it with the organiser (its sessions, registrations, "
            "attendance); each kept once, never the organiser itself (422 "
            "organiser-among-partners)"
        ),
    ),
    AfterValidator(distinct),
]


class Translation(ClosedModel):
    title: Title
    description: Description | None = None


Language = Annotated[StrictStr, Field(pattern=_TRANSLATED)]
Translations = Annotated[
    dict[Language, Translation],
    Field(
        max_length=MAX_TRANSLATIONS,
        description=(
            "The title and description in other languages, by ISO 639-1 code (two lower-case "
            "letters, not it: the title and description are the Italian)"
        ),
        json_schema_extra={"additionalProperties": False},
    ),
]
StartsOn = Annotated[CalendarDate, Field(description="The first day it runs")]
EndsOn = Annotated[
    CalendarDate,
    Field(
        description=(
            "The last day it runs, on or after starts_on; an earlier date is a 422 "
            "initiative-ends-before-it-starts (JSON Schema cannot compare two fields)"
        )
    ),
]


class InitiativeCreate(ClosedModel):
    """A draft initiative organised by the caller's organisation."""

    title: Title
    description: Description | None = None
    translations: Annotated[Translations, Field(default_factory=dict)]
    kind: InitiativeKind
    audience: Audience
    topics: Annotated[Topics, Field(default_factory=list)]
    partner_organisations: Annotated[Partners, Field(default_factory=list)]
    municipio: StrictMunicipio
    neighbourhood: Neighbourhood | None = None
    starts_on: StartsOn
    ends_on: EndsOn


class InitiativePatch(ClosedModel):
    """Only the fields given change (null clears ``description`` or ``neighbourhood``; the
    translations, topics and partners given replace the old ones whole). An initiative's kind
    and organiser do not change; a completed or cancelled one not at all (409
    ``initiative-ended``). The period left must still end on or after it starts."""

    title: Title = KEPT
    description: Description | None = None
    translations: Translations = KEPT
    audience: Audience = KEPT
    topics: Topics = KEPT
    partner_organisations: Partners = KEPT
    municipio: StrictMunicipio = KEPT
    neighbourhood: Neighbourhood | None = None
    starts_on: StartsOn = KEPT
    ends_on: EndsOn = KEPT


class TranslationPublic(PublicModel):
    title: str
    description: str | None = None


class InitiativePublic(PublicModel):
    id: Id
    version: int
    title: str = Field(description="In Italian")
    description: str | None = Field(description="In Italian")
    translations: dict[str, TranslationPublic]
    kind: InitiativeKind
    status: InitiativeStatus
    organiser_organisation: str
    partner_organisations: list[str]
    audience: Audience
    topics: list[str]
    municipio: int
    neighbourhood: str | None
    starts_on: date
    ends_on: date
    published_at: datetime | None
    ended_at: datetime | None = Field(description="When it was completed or cancelled")
    created_by: str
    created_at: datetime
    updated_at: datetime
