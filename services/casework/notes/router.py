"""HTTP for case notes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, creates
from services.casework.access import Creating, Reading
from services.casework.notes import service
from services.casework.notes.schemas import NoteCreate, NotePublic

router = APIRouter(prefix="/v1/casework/cases/{case_id}/notes", tags=["notes"])


@router.post("", **creates(NotePublic, 403, 404), summary="Write a note on the case")
async def write_note(case_id: uuid.UUID, note_in: NoteCreate, creation: Creating) -> Response:
    async def write() -> NotePublic:
        note = await service.write(**creation.by, case_id=case_id, note_in=note_in)
        return NotePublic.model_validate(note)

    return await creation.created(
        write, location=lambda note: f"/v1/casework/cases/{case_id}/notes/{note.id}"
    )


@router.get("", responses=NOT_FOUND, summary="The notes you may read, oldest first")
async def list_notes(case_id: uuid.UUID, call: Reading, page: PageParamsDep) -> Page[NotePublic]:
    found = await service.list_readable(**call.by, case_id=case_id, page=page)
    return found.map(NotePublic.model_validate)


@router.get("/{note_id}", responses=NOT_FOUND, summary="One note (if your level allows it)")
async def get_note(case_id: uuid.UUID, note_id: uuid.UUID, call: Reading) -> NotePublic:
    return NotePublic.model_validate(await service.get(**call.by, case_id=case_id, note_id=note_id))
