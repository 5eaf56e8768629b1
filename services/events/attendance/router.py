"""HTTP for check-in scans, walk-ins, the attendance sheet and feedback."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from kit.errors import problem_responses
from services.events.access import Organising, Reading
from services.events.attendance import service
from services.events.attendance.schemas import (
    Attendance,
    FeedbackIn,
    FeedbackPublic,
    FeedbackSummary,
    ScanBatch,
    ScanBatchResult,
)

router = APIRouter(prefix="/v1/initiatives", tags=["attendance"])
SESSION = "/{initiative_id}/sessions/{session_id}"
RUN = problem_responses(403, 404, 409)


@router.post(
    f"{SESSION}/check-ins",
    responses=RUN,
    summary="Upload check-in scans and walk-ins (again, if unsure: each nonce counts once)",
)
async def check_in(
    initiative_id: uuid.UUID, session_id: uuid.UUID, batch: ScanBatch, call: Organising
) -> ScanBatchResult:
    return await service.check_in(
        **call.by, initiative_id=initiative_id, session_id=session_id, batch=batch
    )


@router.get(
    f"{SESSION}/attendance", responses=problem_responses(404), summary="A session's attendance"
)
async def attendance(initiative_id: uuid.UUID, session_id: uuid.UUID, call: Reading) -> Attendance:
    return await service.attendance(
        session=call.session, initiative_id=initiative_id, session_id=session_id
    )


@router.get(
    f"{SESSION}/attendance.csv",
    responses={
        **problem_responses(403, 404),
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    },
    response_class=Response,
    summary="A session's attendance sheet as CSV (those who run it; audited)",
)
async def attendance_sheet(
    initiative_id: uuid.UUID, session_id: uuid.UUID, call: Organising
) -> Response:
    text = await service.sheet(**call.by, initiative_id=initiative_id, session_id=session_id)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="attendance-{session_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    f"{SESSION}/registrations/{{registration_id}}/feedback",
    status_code=201,
    responses=RUN,
    summary="Record an attendee's feedback on the session (once)",
)
async def give_feedback(
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    feedback_in: FeedbackIn,
    call: Organising,
) -> FeedbackPublic:
    given = await service.give_feedback(
        **call.by,
        initiative_id=initiative_id,
        session_id=session_id,
        registration_id=registration_id,
        feedback_in=feedback_in,
    )
    return FeedbackPublic.model_validate(given, from_attributes=True)


@router.get(
    f"{SESSION}/feedback",
    responses=problem_responses(404),
    summary="How useful attendees found the session",
)
async def feedback_summary(
    initiative_id: uuid.UUID, session_id: uuid.UUID, call: Reading
) -> FeedbackSummary:
    return await service.feedback_summary(
        session=call.session, initiative_id=initiative_id, session_id=session_id
    )
