"""HTTP for offline batch sync: the batch upload and the sync conflict queue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kit.db import SessionDep
from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from services.intake.access import Writer
from services.intake.outreach import service
from services.intake.outreach.domain import ConflictStatus
from services.intake.outreach.models import SyncConflict
from services.intake.outreach.schemas import (
    BatchResult,
    ResolutionIn,
    SyncBatchIn,
    SyncConflictPublic,
)
from services.intake.settings import IntakeSettingsDep

router = APIRouter(prefix="/v1/intake", tags=["offline sync"])


def public(conflict: SyncConflict) -> SyncConflictPublic:
    return SyncConflictPublic.model_validate(conflict)


@router.post(
    "/outreach-contacts:batch",
    summary="Upload a mobile unit's offline batch: each item answered on its own, idempotent "
    "per client_id",
)
async def sync_batch(
    batch_in: SyncBatchIn, session: SessionDep, principal: Writer, settings: IntakeSettingsDep
) -> BatchResult:
    return await service.sync_batch(
        session=session,
        principal=principal,
        batch_in=batch_in,
        max_items=settings.sync_batch_max_items,
    )


@router.get(
    "/sync-conflicts",
    summary="Offline edits waiting for an operator, oldest first (on persons visible to you)",
)
async def list_sync_conflicts(
    session: SessionDep,
    principal: Writer,
    page: PageParamsDep,
    status: Annotated[ConflictStatus | None, Query()] = None,
    person_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[SyncConflictPublic]:
    found = await service.list_conflicts(
        session=session, principal=principal, page=page, status=status, person_id=person_id
    )
    return found.map(public)


@router.get(
    "/sync-conflicts/{conflict_id}",
    responses=problem_responses(404),
    summary="One sync conflict",
)
async def get_sync_conflict(
    conflict_id: uuid.UUID, session: SessionDep, principal: Writer
) -> SyncConflictPublic:
    conflict = await service.get_conflict(
        session=session, principal=principal, conflict_id=conflict_id
    )
    return public(conflict)


@router.post(
    "/sync-conflicts/{conflict_id}/resolve",
    responses=problem_responses(404, 409),
    summary="Resolve a sync conflict: apply the device's changes on the current version, or "
    "discard them",
)
async def resolve_sync_conflict(
    conflict_id: uuid.UUID, resolution_in: ResolutionIn, session: SessionDep, principal: Writer
) -> SyncConflictPublic:
    conflict = await service.resolve_conflict(
        session=session,
        principal=principal,
        conflict_id=conflict_id,
        resolution=resolution_in.resolution,
    )
    return public(conflict)
