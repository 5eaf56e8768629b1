"""The approvals table (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, text
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import VersionedTable


class Approval(VersionedTable, table=True):
    """A request for a supervisor's approval, and its decision: who asked, who decided,
    when, and what exactly (the plan version, or the closure asked for)."""

    __tablename__ = "approvals"
    __table_args__ = (
        # one pending approval of a kind per case, whatever races the requests
        Index(
            "uq_approvals_one_pending",
            "case_id",
            "subject",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_approvals_organisation_status", "lead_organisation", "status"),
    )

    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    subject: str = Field(max_length=20)
    status: str = Field(max_length=20)
    lead_organisation: str = Field(max_length=100)
    plan_version: int | None = None
    closure_outcome: str | None = Field(default=None, max_length=40)
    closure_reason: str | None = Field(default=None, max_length=2000)
    requested_by: str = Field(max_length=100)
    requested_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    decision_reason: str | None = Field(default=None, max_length=2000)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
