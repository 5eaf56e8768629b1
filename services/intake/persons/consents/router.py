"""HTTP for a person's consents (included by persons.router, under /v1/intake/persons)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from kit.db import SessionDep
from kit.errors import problem_responses
from services.intake.access import Reader, Writer
from services.intake.persons.consents import service
from services.intake.persons.consents.schemas import ConsentIn, ConsentPublic, WithdrawalIn

router = APIRouter(tags=["persons"])


@router.post(
    "/{person_id}/consents",
    status_code=201,
    responses=problem_responses(404, 409),
    summary="Record a consent or other legal basis for processing",
)
async def record_consent(
    person_id: uuid.UUID, consent_in: ConsentIn, session: SessionDep, principal: Writer
) -> ConsentPublic:
    consent = await service.record(
        session=session, principal=principal, person_id=person_id, consent_in=consent_in
    )
    return ConsentPublic.model_validate(consent)


@router.get(
    "/{person_id}/consents",
    responses=problem_responses(404),
    summary="The person's consents and legal bases, oldest first",
)
async def list_consents(
    person_id: uuid.UUID, session: SessionDep, principal: Reader
) -> list[ConsentPublic]:
    found = await service.list_for(session=session, principal=principal, person_id=person_id)
    return [ConsentPublic.model_validate(c) for c in found]


@router.post(
    "/{person_id}/consents/{consent_id}/withdrawal",
    responses=problem_responses(404, 409),
    summary="Withdraw a consent: every service stops what it covered",
)
async def withdraw_consent(
    person_id: uuid.UUID,
    consent_id: uuid.UUID,
    withdrawal: WithdrawalIn,
    session: SessionDep,
    principal: Writer,
) -> ConsentPublic:
    consent = await service.withdraw(
        session=session,
        principal=principal,
        person_id=person_id,
        consent_id=consent_id,
        withdrawal=withdrawal,
    )
    return ConsentPublic.model_validate(consent)
