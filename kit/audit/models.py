"""The audit log's table and its two vocabularies: what was done, and why."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index
from sqlmodel import Field

from kit.db import UtcDateTime
from kit.tables import KitTable


class AuditAction(StrEnum):
    """What was done to the resource."""

    READ = "read"
    LIST = "list"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    MERGE = "merge"
    EXPORT = "export"
    ERASE = "erase"
    ANONYMISE = "anonymise"


class AuditPurpose(StrEnum):
    """Why (the processing purpose, GDPR art. 5(1)(b)): a code, never free text.

    Extend this vocabulary here, in the kit, so that every service speaks the same one.
    """

    REFERRAL_HANDLING = "referral_handling"
    TRIAGE = "triage"
    DUPLICATE_RESOLUTION = "duplicate_resolution"
    CASE_MANAGEMENT = "case_management"
    HOUSING = "housing"
    INITIATIVES = "initiatives"
    SAFEGUARDING = "safeguarding"
    SUBJECT_ACCESS_REQUEST = "subject_access_request"
    ERASURE = "erasure"
    RETENTION = "retention"
    OFFLINE_SYNC = "offline_sync"


class AuditEntry(KitTable, table=True):
    """One audited access.  Never updated or deleted (triggers refuse it)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "resource_type", "resource_id"),)

    # every read of person data adds one: 64 bits, not 32
    sequence: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    recorded_at: datetime = Field(sa_type=UtcDateTime, index=True)
    subject: str = Field(max_length=255, index=True)
    username: str = Field(max_length=255)
    client_id: str = Field(max_length=255)
    organisation: str = Field(max_length=100)
    action: str = Field(max_length=20)
    resource_type: str = Field(max_length=50)
    resource_id: uuid.UUID
    purpose: str = Field(max_length=50)
    trace_id: str | None = Field(default=None, max_length=32)
    request_id: str | None = Field(default=None, max_length=128)
    previous_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
