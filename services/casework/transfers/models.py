"""The table of transfers (private to casework)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, text
from sqlmodel import Field

from kit.db import UtcDateTime
from services.casework.tables import VersionedTable


class CaseTransfer(VersionedTable, table=True):
    """A request that another organisation lead the case, and its answer."""

    __tablename__ = "case_transfers"
    __table_args__ = (
        # one pending transfer per case, whatever races the requests
        Index(
            "uq_case_transfers_one_pending",
            "case_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_case_transfers_to_status", "to_organisation", "status"),
    )

    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    status: str = Field(max_length=20)
    from_organisation: str = Field(max_length=100)
    to_organisation: str = Field(max_length=100)
    resumes_status: str = Field(max_length=30)  # the case's status when it was asked
    request_reason: str = Field(max_length=2000)
    requested_by: str = Field(max_length=100)
    requested_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    answered_by: str | None = Field(default=None, max_length=100)
    answered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    refusal_reason: str | None = Field(default=None, max_length=2000)
    former_lead_reach: str | None = Field(default=None, max_length=20)  # None: no grant
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
