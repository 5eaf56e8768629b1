"""The audit log's queries: the only place that builds SQL on ``audit_log``."""

from __future__ import annotations

import hashlib
import operator
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit.models import AuditEntry
from kit.pagination import Page, PageParams, paginate
from kit.query import where_given

AUDIT_LOCK_ID = int.from_bytes(hashlib.sha256(b"lgnet-audit-chain").digest()[:8], "big") >> 1


@dataclass(frozen=True)
class EntryFilter:
    """Which entries to list; None matches any value, `since` is inclusive, `until` not."""

    resource_type: str | None = None
    resource_id: uuid.UUID | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def lock_chain_and_read_head(connection: Connection) -> tuple[int, str] | None:
    """Serialise appends (on PostgreSQL, ``pg_advisory_xact_lock(AUDIT_LOCK_ID)``; SQLite's
    ``BEGIN IMMEDIATE`` already has), then read the head ``(sequence, hash)``, None if empty."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": AUDIT_LOCK_ID})
    head = connection.execute(
        text("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1")
    ).first()
    return (int(head[0]), str(head[1])) if head is not None else None


async def entries_after(session: AsyncSession, sequence: int, *, limit: int) -> list[AuditEntry]:
    """Up to `limit` entries following `sequence`, in sequence order."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.sequence > sequence)
        .order_by(col(AuditEntry.sequence))
        .limit(limit)
    )
    return list(await session.exec(stmt))


async def list_entries(
    session: AsyncSession, filters: EntryFilter, page: PageParams
) -> Page[AuditEntry]:
    """One page of the entries matching `filters`, newest first."""
    stmt = where_given(
        select(AuditEntry),
        (AuditEntry.resource_type, filters.resource_type),
        (AuditEntry.resource_id, filters.resource_id),
        (AuditEntry.subject, filters.subject),
        (AuditEntry.recorded_at, filters.since, operator.ge),
        (AuditEntry.recorded_at, filters.until, operator.lt),
    )
    return await paginate(session, stmt, page, order_by=(AuditEntry.sequence,), descending=True)
