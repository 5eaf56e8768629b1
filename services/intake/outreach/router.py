"""HTTP for offline batch sync: the batch upload and the sync conflict queue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT
from services.intake.access import Writing
from services.intake.outreach import service
from services.intake.outreach.domain import ConflictStatus
from services.intake.outreach.schemas import (
    BatchResult,
    ResolutionIn,
    SyncBatchIn,
    SyncConflictPublic,
)
from services.intake.settings import IntakeSettingsDep

router = APIRouter(prefix="/v1/intake", tags=["offline sync"])


@router.post(
    "/outreach-contacts:batch",
    summary="Upload a mobile unit's offline batch: each item answered on its own, idempotent "
    "per client_id",
)
async def sync_batch(
    batch_in: SyncBatchIn, call: Writing, settings: IntakeSettingsDep
) -> BatchResult:
    max_items = settings.sync_batch_max_items
    return await service.sync_batch(**call.by, batch_in=batch_in, max_items=max_items)


@router.get(
    "/sync-conflicts",
    summary="Offline edits waiting for an operator, oldest first (on persons visible to you)",
)
async def list_sync_conflicts(
    call: Writing,
    page: PageParamsDep,
    status: Annotated[ConflictStatus | None, Query()] = None,
    person_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[SyncConflictPublic]:
    found = await service.list_conflicts(**call.by, page=page, status=status, person_id=person_id)
    return found.map(SyncConflictPublic.model_validate)


@router.get("/sync-conflicts/{conflict_id}", responses=NOT_FOUND, summary="One sync conflict")
async def get_sync_conflict(conflict_id: uuid.UUID, call: Writing) -> SyncConflictPublic:
    conflict = await service.get_conflict(**call.by, conflict_id=conflict_id)
    return SyncConflictPublic.model_validate(conflict)


@router.post(
    "/sync-conflicts/{conflict_id}/resolve",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Resolve a sync conflict: apply the device's changes on the current version, or "
    "discard them",
)
async def resolve_sync_conflict(
    conflict_id: uuid.UUID, resolution_in: ResolutionIn, call: Writing
) -> SyncConflictPublic:
    resolution = resolution_in.resolution
    conflict = await service.resolve_conflict(
        **call.by, conflict_id=conflict_id, resolution=resolution
    )
    return SyncConflictPublic.model_validate(conflict)
