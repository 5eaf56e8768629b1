"""Consent records (private to intake)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable


class Consent(IntakeTable, table=True):
    """A consent or other legal basis for processing one person's data for one purpose."""

    __tablename__ = "consents"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="persons.id", index=True)
    purpose: str = Field(max_length=40)
    legal_basis: str = Field(max_length=40)
    given_by: str = Field(max_length=30)
    given_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    recorded_by: str = Field(max_length=100)
    recorded_by_organisation: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    withdrawn_by: str | None = Field(default=None, max_length=100)
    withdrawal_recorded_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
