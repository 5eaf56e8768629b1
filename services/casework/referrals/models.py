"""The service referrals table and the overdue answers raised (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import CaseworkTable, VersionedTable


class ServiceReferral(VersionedTable, table=True):
    """A case referred to a directory service; the service's organisation answers it."""

    __tablename__ = "service_referrals"
    __table_args__ = (
        Index("ix_service_referrals_receiving_status", "receiving_organisation", "status"),
        Index("ix_service_referrals_status_due", "status", "answer_due_at"),
    )

    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    service_id: uuid.UUID = Field(foreign_key="directory_services.id", index=True)
    directory_organization_id: uuid.UUID = Field(foreign_key="directory_organizations.id")
    # the case's facts the receiving side reads (it does not read the case)
    lead_organisation: str = Field(max_length=100)
    target_group: str = Field(max_length=40)
    municipio: int
    referring_organisation: str = Field(max_length=100, index=True)
    referred_by: str = Field(max_length=100)
    receiving_organisation: str = Field(max_length=100)
    team_role: str = Field(max_length=30)  # the role the accepting worker joins in
    request_text: str | None = Field(default=None, max_length=2000)  # free text: never in events
    status: str = Field(max_length=20)
    referred_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    answer_due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    answered_by: str | None = Field(default=None, max_length=100)
    decline_reason: str | None = Field(default=None, max_length=2000)
    member_id: uuid.UUID | None = None  # the membership an accept made
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class ReferralOverdueRaised(CaseworkTable, table=True):
    """A late answer already raised: the primary key makes it once per referral."""

    __tablename__ = "service_referral_breaches"

    referral_id: uuid.UUID = Field(foreign_key="service_referrals.id", primary_key=True)
    answer_due_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    raised_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
