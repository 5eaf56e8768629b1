"""HTTP for a person's consents (included by persons.router, under /v1/intake/persons)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT
from services.intake.access import Reading, Writing
from services.intake.persons.consents import service
from services.intake.persons.consents.schemas import ConsentIn, ConsentPublic, WithdrawalIn

router = APIRouter(tags=["persons"])


@router.post(
    "/{person_id}/consents",
    status_code=201,
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Record a consent or other legal basis for processing",
)
async def record_consent(
    person_id: uuid.UUID, consent_in: ConsentIn, call: Writing
) -> ConsentPublic:
    return ConsentPublic.model_validate(
        await service.record(**call.by, person_id=person_id, consent_in=consent_in)
    )


@router.get(
    "/{person_id}/consents",
    responses=NOT_FOUND,
    summary="The person's consents and legal bases, oldest first",
)
async def list_consents(person_id: uuid.UUID, call: Reading) -> list[ConsentPublic]:
    found = await service.list_for(**call.by, person_id=person_id)
    return [ConsentPublic.model_validate(c) for c in found]


@router.post(
    "/{person_id}/consents/{consent_id}/withdrawal",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Withdraw a consent: every service stops what it covered",
)
async def withdraw_consent(
    person_id: uuid.UUID, consent_id: uuid.UUID, withdrawal: WithdrawalIn, call: Writing
) -> ConsentPublic:
    consent = await service.withdraw(
        **call.by, person_id=person_id, consent_id=consent_id, withdrawal=withdrawal
    )
    return ConsentPublic.model_validate(consent)
