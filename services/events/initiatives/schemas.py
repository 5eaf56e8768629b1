"""The initiatives API contract."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints

from kit.schemas import ClosedModel, Id, PublicModel, StrictMunicipio, StrictStr
from services.events.initiatives.domain import Audience, InitiativeKind

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: object) -> object:
    # pydantic's lax `date` would also take a Unix timestamp or a midnight date-time
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


CalendarDate = Annotated[date, BeforeValidator(_iso_date_text)]
"""A calendar date, ISO 8601 ``YYYY-MM-DD`` only."""


class InitiativeCreate(ClosedModel):
    title: Annotated[
        StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    kind: InitiativeKind
    audience: Audience
    municipio: StrictMunicipio
    neighbourhood: (
        Annotated[
            StrictStr,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
            Field(description="Quartiere, e.g. San Siro, Corvetto, Quarto Oggiaro"),
        ]
        | None
    ) = None
    starts_on: CalendarDate
    ends_on: Annotated[CalendarDate, Field(description="On or after starts_on")]


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
