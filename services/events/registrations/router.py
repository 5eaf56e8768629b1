"""HTTP for registrations, the waiting list and seat offers: parse, authorise, call the use
case, shape the response."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from kit.errors import problem_responses
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, creates
from services.events.access import Answering, Reading, Registering, Tracking
from services.events.registrations import service
from services.events.registrations.domain import RegistrationStatus
from services.events.registrations.schemas import (
    BeneficiaryIn,
    RegistrationCreate,
    RegistrationCreated,
    RegistrationPublic,
    SeatOfferPublic,
    SeatsPublic,
)

router = APIRouter(prefix="/v1/initiatives", tags=["registrations"])
SESSION = "/{initiative_id}/sessions/{session_id}"
REGISTRATIONS = f"{SESSION}/registrations"
ONE = f"{REGISTRATIONS}/{{registration_id}}"
ANSWER = problem_responses(404, 409)

# registrations name persons: their registrars and those who run the initiative read them
public = RegistrationPublic.shown


@router.post(
    REGISTRATIONS,
    **creates(RegistrationCreated, 403, 404, 409),
    summary="Register a beneficiary, or a member of the public on their behalf",
)
async def register(
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_in: RegistrationCreate,
    creation: Registering,
) -> Response:
    async def registered() -> RegistrationCreated:
        if isinstance(registration_in, BeneficiaryIn):
            row = await service.register(
                **creation.by,
                initiative_id=initiative_id,
                session_id=session_id,
                beneficiary_in=registration_in,
            )
            token = None
        else:
            row, token = await service.register_public(
                session=creation.session,
                principal=creation.principal,
                initiative_id=initiative_id,
                session_id=session_id,
                public_in=registration_in,
            )
        return RegistrationCreated.model_validate({**row.model_dump(), "cancellation_token": token})

    return await creation.created(
        registered,
        location=lambda made: (
            f"{router.prefix}/{initiative_id}/sessions/{session_id}/registrations/{made.id}"
        ),
        version=lambda made: made.version,
        # a replay answers without the token: only its hash is kept (an organiser cancels)
        kept=lambda made: made.model_copy(update={"cancellation_token": None}),
    )


@router.get(
    REGISTRATIONS,
    responses=NOT_FOUND,
    summary="A session's registrations, oldest first (a case worker sees their organisation's)",
)
async def list_registrations(
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    call: Tracking,
    page: PageParamsDep,
    status: RegistrationStatus | None = None,
) -> Page[RegistrationPublic]:
    found, runs_it = await service.of_session(
        **call.by, initiative_id=initiative_id, session_id=session_id, page=page, status=status
    )
    return found.map(lambda row: public(row, runs_it))


@router.get(ONE, responses=NOT_FOUND, summary="One registration")
async def get_registration(
    initiative_id: uuid.UUID, session_id: uuid.UUID, registration_id: uuid.UUID, call: Tracking
) -> RegistrationPublic:
    found, runs_it = await service.get(
        **call.by,
        initiative_id=initiative_id,
        session_id=session_id,
        registration_id=registration_id,
    )
    return call.etagged(found.version, public(found, runs_it))


@router.post(
    f"{ONE}/cancellation",
    responses=ANSWER,
    summary="Cancel a registration: a seat it held goes to the first in line",
)
async def cancel_registration(
    initiative_id: uuid.UUID, session_id: uuid.UUID, registration_id: uuid.UUID, change: Answering
) -> RegistrationPublic:
    cancelled = await service.cancel(
        **change.by,
        initiative_id=initiative_id,
        session_id=session_id,
        registration_id=registration_id,
    )
    return change.etagged(cancelled.version, public(cancelled, runs_it=False))


@router.post(
    f"{ONE}/confirmation",
    responses=ANSWER,
    summary="Take up a seat offered, before the offer expires",
)
async def confirm_offer(
    initiative_id: uuid.UUID, session_id: uuid.UUID, registration_id: uuid.UUID, change: Answering
) -> RegistrationPublic:
    confirmed = await service.confirm(
        **change.by,
        initiative_id=initiative_id,
        session_id=session_id,
        registration_id=registration_id,
    )
    return change.etagged(confirmed.version, public(confirmed, runs_it=False))


@router.get(
    f"{SESSION}/waitlist",
    responses=NOT_FOUND,
    summary="A session's waiting list, first in line first",
)
async def waitlist(
    initiative_id: uuid.UUID, session_id: uuid.UUID, call: Tracking, page: PageParamsDep
) -> Page[RegistrationPublic]:
    found, runs_it = await service.of_session(
        **call.by,
        initiative_id=initiative_id,
        session_id=session_id,
        page=page,
        status=None,
        waiting=True,
    )
    return found.map(lambda row: public(row, runs_it))


@router.get(
    f"{SESSION}/offers",
    responses=problem_responses(403, 404),
    summary="Every seat offer made in a session, in the order made (those who run it)",
)
async def offers(
    initiative_id: uuid.UUID, session_id: uuid.UUID, call: Tracking, page: PageParamsDep
) -> Page[SeatOfferPublic]:
    found = await service.offers(
        **call.by, initiative_id=initiative_id, session_id=session_id, page=page
    )
    return found.map(SeatOfferPublic.model_validate)


@router.get(f"{SESSION}/seats", responses=NOT_FOUND, summary="A session's seats, counted now")
async def seats(initiative_id: uuid.UUID, session_id: uuid.UUID, call: Reading) -> SeatsPublic:
    counted = await service.seats(
        session=call.session, initiative_id=initiative_id, session_id=session_id
    )
    return SeatsPublic(
        capacity=counted.capacity,
        registered=counted.registered,
        offered=counted.offered,
        waitlisted=counted.waitlisted,
        free=counted.free,
    )
