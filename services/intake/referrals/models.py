"""The referral table (private to intake)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from kit.db import UtcDateTime
from services.intake.tables import IntakeTable, VersionedTable


class Referral(VersionedTable, table=True):
    __tablename__ = "referrals"

    status: str = Field(max_length=30, index=True)
    channel: str = Field(max_length=40)
    urgency: str = Field(max_length=20)
    target_group: str = Field(max_length=40)
    received_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    municipio: int
    place_name: str = Field(max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flags: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    reporting_organisation: str = Field(max_length=100, index=True)
    reporting_unit: str | None = Field(default=None, max_length=100)
    lead_organisation: str | None = Field(default=None, max_length=100, index=True)
    handed_over_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    first_contact_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # SLA deadlines (sla.py) under the policy in force at received_at, moved by a re-scoring
    first_contact_due_at: datetime = Field(
        sa_column=Column(UtcDateTime(), nullable=False, index=True)
    )
    hand_over_due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Screening(IntakeTable, table=True):
    """One triage of a referral: the indicators seen, the outcome, and how urgency was set."""

    __tablename__ = "screenings"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    referral_id: uuid.UUID = Field(foreign_key="referrals.id", index=True)
    indicators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str = Field(max_length=30)
    reported_urgency: str = Field(max_length=20)
    score: int
    urgency: str = Field(max_length=20)
    decided_by: str = Field(max_length=20)
    # the assessment's explanation, for the operator; never in events or logs
    explanation: list[dict[str, object]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    policy_version: int | None = None  # None: the built-in default rule was in force
    screened_by: str = Field(max_length=100)
    screened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class SlaBreach(IntakeTable, table=True):
    """A breach already raised: the primary key lets each (referral, kind) be raised once."""

    __tablename__ = "sla_breaches"

    referral_id: uuid.UUID = Field(foreign_key="referrals.id", primary_key=True)
    kind: str = Field(max_length=20, primary_key=True)
    raised_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ReferralPerson(IntakeTable, table=True):
    """A person concerned by a referral."""

    __tablename__ = "referral_persons"

    referral_id: uuid.UUID = Field(foreign_key="referrals.id", primary_key=True)
    # looked up by person (the visibility rule, merges, subject rights), not only by referral
    person_id: uuid.UUID = Field(foreign_key="persons.id", primary_key=True, index=True)
