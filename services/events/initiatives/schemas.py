"""The initiatives API contract."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from kit.schemas import (
    CalendarDate,
    ClosedModel,
    Id,
    PublicModel,
    StrictMunicipio,
    StrictStr,
    TrimmedText,
)
from services.events.initiatives.domain import Audience, InitiativeKind


class InitiativeCreate(ClosedModel):
    title: Annotated[StrictStr, TrimmedText(200)]
    kind: InitiativeKind
    audience: Audience
    municipio: StrictMunicipio
    neighbourhood: (
        Annotated[
            StrictStr,
            TrimmedText(100),
            Field(description="Quartiere, e.g. San Siro, Corvetto, Quarto Oggiaro"),
        ]
        | None
    ) = None
    starts_on: CalendarDate
    ends_on: Annotated[
        CalendarDate,
        Field(
            description=(
                "On or after starts_on; an earlier date is a 422 "
                "initiative-ends-before-it-starts (JSON Schema cannot compare two fields)"
            )
        ),
    ]


class InitiativePublic(PublicModel):
    id: Id
    version: int
    title: str
    kind: InitiativeKind
    organiser_organisation: str
    audience: Audience
    municipio: int
    neighbourhood: str | None
    starts_on: date
    ends_on: date
    created_at: datetime
    updated_at: datetime
