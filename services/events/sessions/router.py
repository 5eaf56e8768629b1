"""HTTP for an initiative's sessions: parse, authorise, call the use case, shape the
response."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, creates
from services.events.access import Changing, Creating, Reading
from services.events.registrations import service as registrations
from services.events.sessions import service
from services.events.sessions.domain import SessionStatus
from services.events.sessions.models import InitiativeSession
from services.events.sessions.schemas import SessionCreate, SessionPatch, SessionPublic

router = APIRouter(prefix="/v1/initiatives", tags=["sessions"])
SESSIONS = "/{initiative_id}/sessions"
ONE = f"{SESSIONS}/{{session_id}}"
RUN_CHANGE = problem_responses(403, 404, 409)


def public(row: InitiativeSession) -> SessionPublic:
    columns = row.model_dump()
    return SessionPublic.model_validate({**columns, **service.shown(columns)})


@router.post(
    SESSIONS,
    **creates(SessionPublic, 403, 404, 409),
    summary="Schedule a session of an initiative (its organiser, partners or a coordinator)",
)
async def schedule_session(
    initiative_id: uuid.UUID, session_in: SessionCreate, creation: Creating
) -> Response:
    async def schedule() -> SessionPublic:
        return public(
            await service.schedule(
                **creation.by, initiative_id=initiative_id, session_in=session_in
            )
        )

    return await creation.created(
        schedule,
        location=lambda made: f"{router.prefix}/{initiative_id}/sessions/{made.id}",
        version=lambda made: made.version,
    )


@router.get(SESSIONS, responses=NOT_FOUND, summary="An initiative's sessions, soonest first")
async def list_sessions(
    initiative_id: uuid.UUID,
    call: Reading,
    page: PageParamsDep,
    status: SessionStatus | None = None,
) -> Page[SessionPublic]:
    found = await service.of_initiative(
        session=call.session, initiative_id=initiative_id, page=page, status=status
    )
    return found.map(public)


@router.get(ONE, responses=NOT_FOUND, summary="One session")
async def get_session(
    initiative_id: uuid.UUID, session_id: uuid.UUID, call: Reading
) -> SessionPublic:
    found = await service.get(
        session=call.session, initiative_id=initiative_id, session_id=session_id
    )
    return call.etagged(found.version, public(found))


@router.patch(
    ONE,
    responses=RUN_CHANGE,
    summary="Change or reschedule a session: only the fields given",
)
async def change_session(
    initiative_id: uuid.UUID, session_id: uuid.UUID, patch: SessionPatch, change: Changing
) -> SessionPublic:
    changed = await service.change(
        **change.by, initiative_id=initiative_id, session_id=session_id, patch=patch
    )
    if "capacity" in patch.model_fields_set:  # seats taken kept, seats added to the line
        await registrations.resized(change.session, initiative_id, changed)
    return change.etagged(changed.version, public(changed))


@router.post(
    f"{ONE}/cancellation",
    responses=RUN_CHANGE,
    summary="Cancel a session (its registrants are told by event)",
)
async def cancel_session(
    initiative_id: uuid.UUID, session_id: uuid.UUID, change: Changing
) -> SessionPublic:
    cancelled = await service.cancel(
        **change.by, initiative_id=initiative_id, session_id=session_id
    )
    return change.etagged(cancelled.version, public(cancelled))
