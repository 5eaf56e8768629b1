"""The initiative table (private to the events service)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import Versioned
from services.events.tables import EventsTable


class Initiative(EventsTable, Versioned, table=True):
    __tablename__ = "initiatives"

    title: str = Field(max_length=200)
    kind: str = Field(max_length=40, index=True)
    organiser_organisation: str = Field(max_length=100, index=True)
    audience: str = Field(max_length=20)
    municipio: int = Field(index=True)
    neighbourhood: str | None = Field(default=None, max_length=100)
    starts_on: date
    ends_on: date
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
