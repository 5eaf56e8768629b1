"""The tables of read grants and legal bases (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable


class AccessGrant(CaseworkTable, table=True):
    """An organisation's read of a case it neither leads nor is on the team of, as far as
    `reach` (`cases.domain.Reach`) goes; revoked grants stay, for the record."""

    __tablename__ = "access_grants"

    case_id: uuid.UUID = Field(foreign_key="cases.id", primary_key=True)
    organisation: str = Field(primary_key=True, max_length=100)
    reach: str = Field(max_length=20)
    granted_by: str = Field(max_length=100)
    granted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))


class LegalBasis(CaseworkTable, table=True):
    """A basis other than consent for one purpose of a case's processing (`domain.Basis`)."""

    __tablename__ = "case_legal_bases"

    case_id: uuid.UUID = Field(foreign_key="cases.id", primary_key=True)
    purpose: str = Field(primary_key=True, max_length=40)
    basis: str = Field(max_length=40)
    reference: str = Field(max_length=300)  # the decree or law it rests on
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
