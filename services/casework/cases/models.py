"""The case table (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable


class Case(CaseworkTable, table=True):
    __tablename__ = "cases"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = 1
    status: str = Field(max_length=30, index=True)
    # one case per referral: a replayed hand-over cannot open a second one, inbox or not
    referral_id: uuid.UUID = Field(unique=True)
    lead_organisation: str = Field(max_length=100, index=True)
    reporting_organisation: str = Field(max_length=100)
    urgency: str = Field(max_length=20)
    target_group: str = Field(max_length=40)
    municipio: int
    referral_received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    handed_over_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
