"""The housing-request table (private to housing)."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Uuid
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import Versioned
from services.housing.tables import HousingTable


class HousingRequest(HousingTable, Versioned, table=True):
    """A household of a case waiting for a place: who they are (sex and age, no names), what
    they need and prefer, how urgently, and its case's vulnerability (kept up to date from
    casework's events)."""

    __tablename__ = "housing_requests"

    case_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, index=True))
    status: str = Field(max_length=20, index=True)
    target_group: str = Field(max_length=40, index=True)  # the platform's, from the case
    members: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    household_size: int
    minors: int
    needs_accessible: bool
    preferred_municipi: list[int] = Field(sa_column=Column(JSON, nullable=False))
    urgency: str = Field(max_length=20, index=True)
    vulnerability: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # the case's
    requested_on: date = Field(index=True)
    organisation: str = Field(max_length=100, index=True)  # the filer's
    withdrawal_reason: str | None = Field(default=None, max_length=30)
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Proposal(HousingTable, Versioned, table=True):
    """A place offered to a request: it holds the household's beds in the unit until it is
    accepted (a placement), declined, withdrawn, or it expires."""

    __tablename__ = "proposals"

    request_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("housing_requests.id"), nullable=False, index=True)
    )
    unit_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, index=True))
    facility_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False, index=True))
    run_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid()))
    status: str = Field(max_length=20, index=True)
    beds: int  # the household's size: what it holds
    score: float
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    declined_by: str | None = Field(default=None, max_length=20)
    decline_reason: str | None = Field(default=None, max_length=40)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class DeclinedPair(HousingTable, table=True):
    """A unit declined for a request: not proposed to it again unless a coordinator clears
    it."""

    __tablename__ = "declined_pairs"

    request_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("housing_requests.id"), primary_key=True)
    )
    unit_id: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True))
    proposal_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    declined_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
