"""HTTP for erasure: a public registrant's name and contact erased on request, by those who
run the initiative or by the registrant with their token (no account)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from kit.db import SessionDep
from kit.errors import problem_responses
from services.events.access import Changing
from services.events.erasure import service
from services.events.erasure.schemas import RegistrantErasureIn, SelfErased, SelfErasureIn
from services.events.registrations.schemas import RegistrationPublic

router = APIRouter(prefix="/v1/initiatives", tags=["registrations"])
ONE = "/{initiative_id}/sessions/{session_id}/registrations/{registration_id}"


@router.post(
    f"{ONE}/erasure",
    responses=problem_responses(403, 404, 409),
    summary="Erase a public registrant's name and contact, on their request",
)
async def erase_registrant(
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    registration_id: uuid.UUID,
    erasure_in: RegistrantErasureIn,
    change: Changing,
) -> RegistrationPublic:
    """For those who run the initiative (audited). A registration for a session still to
    come is cancelled too, and its seat goes to the next in line; their feedback's comment
    goes, its score stays. A beneficiary is erased in intake, not here (409)."""
    erased = await service.erase(
        **change.by,
        initiative_id=initiative_id,
        session_id=session_id,
        registration_id=registration_id,
        erasure_in=erasure_in,
    )
    return change.etagged(erased.version, RegistrationPublic.shown(erased, runs_it=True))


@router.post(
    "/programme/registrations/erasures",
    responses=problem_responses(404, 409),
    summary="Erase your own registration's name and contact with its token",
)
async def erase_self(erasure_in: SelfErasureIn, session: SessionDep) -> SelfErased:
    """A member of the public, with the token their registration answered: cancelled too if
    the session is still to come. The token is gone with the data (then 404)."""
    row = await service.erase_by_token(session=session, token=erasure_in.token)
    assert row.erased_at is not None  # just erased
    return SelfErased(session_id=row.session_id, status=row.status, erased_at=row.erased_at)
