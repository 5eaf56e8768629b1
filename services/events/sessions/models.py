"""The session table (private to the events service)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Uuid
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import Versioned
from services.events.tables import EventsTable


class InitiativeSession(EventsTable, Versioned, table=True):
    """One occurrence of an initiative: its start and end as instants (UTC) with the zone they
    were given in, its venue and its seats. Seats taken are counted from registrations,
    never stored; `next_position` numbers its waiting list."""

    __tablename__ = "initiative_sessions"

    initiative_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("initiatives.id"), nullable=False, index=True)
    )
    status: str = Field(default="scheduled", max_length=20, index=True)
    starts_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    zone: str = Field(max_length=60)  # IANA, e.g. Europe/Rome
    venue_name: str = Field(max_length=200)
    venue_address: str = Field(max_length=300)  # a venue's, not a person's
    venue_municipio: int = Field(index=True)
    venue_accessible: bool
    capacity: int
    languages: list[str] = Field(sa_column=Column(JSON, nullable=False))
    cultural_mediator: bool = False
    interpreter: bool = False
    auto_confirm: bool = False  # a freed seat goes straight to the first in line
    offer_hold_minutes: int = 1440  # how long an offer holds a freed seat
    next_position: int = 1
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
