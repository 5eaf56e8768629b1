"""The initiative table (private to the events service)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import Versioned
from services.events.tables import EventsTable


class Initiative(EventsTable, Versioned, table=True):
    """A workshop, meeting, information session, campaign or civic project: what it is, who
    organises it, for whom and where. Its times are its sessions'."""

    __tablename__ = "initiatives"

    title: str = Field(max_length=200)  # in Italian, always
    description: str | None = Field(default=None, max_length=4000)
    # other languages: {"en": {"title": ..., "description": ...}, ...}
    translations: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    kind: str = Field(max_length=40, index=True)
    status: str = Field(default="draft", max_length=20, index=True)
    organiser_organisation: str = Field(max_length=100, index=True)
    partner_organisations: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    audience: str = Field(max_length=20)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    municipio: int = Field(index=True)
    neighbourhood: str | None = Field(default=None, max_length=100)
    starts_on: date
    ends_on: date
    published_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
