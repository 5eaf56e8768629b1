"""HTTP for subject access."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from kit.routes import NOT_FOUND
from services.casework.access import Reading
from services.casework.subjects import service
from services.casework.subjects.schemas import SubjectExport

router = APIRouter(prefix="/v1/casework/subjects", tags=["subject access"])


@router.get(
    "/{person_ref}/export",
    responses=NOT_FOUND,
    summary="Everything casework holds on a person, in the cases you see",
)
async def export_subject(person_ref: uuid.UUID, call: Reading) -> SubjectExport:
    return await service.export(**call.by, person_ref=person_ref)
