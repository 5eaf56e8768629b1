"""The auditors' HTTP API: the log, newest first and filtered, and its verification."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query

from kit.audit import service
from kit.audit.repository import EntryFilter
from kit.audit.schemas import AuditEntryPublic, ChainReport
from kit.auth import Role
from kit.pagination import Page, PageParamsDep
from kit.routes import Call, QueryDep, call_by
from kit.schemas import Timestamp

Auditing = Annotated[Call, call_by(Role.AUDITOR)]


@dataclass
class EntryQuery:
    """Which entries the log shows (query parameters, `EntryFilter`'s)."""

    resource_type: Annotated[str | None, Query(max_length=50)] = None
    resource_id: uuid.UUID | None = None
    subject: Annotated[str | None, Query(max_length=255)] = None
    since: Annotated[Timestamp | None, Query(description="Recorded at or after (inclusive).")] = (
        None
    )
    until: Annotated[Timestamp | None, Query(description="Recorded before (exclusive).")] = None


def audit_router(prefix: str) -> APIRouter:
    """``GET <prefix>`` (newest first, cursor-paginated, filtered) and ``GET <prefix>/verify``,
    for the ``auditor`` role only; e.g. ``audit_router("/v1/intake/audit")``."""
    router = APIRouter(prefix=prefix)

    @router.get("", summary="Read the audit log")
    async def list_audit_entries(
        call: Auditing, query: QueryDep[EntryQuery], page: PageParamsDep
    ) -> Page[AuditEntryPublic]:
        result = await service.list_entries(call.session, EntryFilter(**asdict(query)), page)
        return result.map(AuditEntryPublic.model_validate)

    @router.get("/verify", summary="Verify the audit chain")
    async def verify_audit_chain(call: Auditing) -> ChainReport:
        return await service.verify_chain(call.session)

    return router
