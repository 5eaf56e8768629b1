"""HTTP for a person's consents (included by persons.router, under /v1/intake/persons)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT, creates
from services.intake.access import Creating, Reading, Writing
from services.intake.persons.consents import service
from services.intake.persons.consents.schemas import ConsentIn, ConsentPublic, WithdrawalIn

router = APIRouter(tags=["persons"])


@router.post(
    "/{person_id}/consents",
    **creates(ConsentPublic, 404, 409),
    summary="Record a consent or other legal basis for processing",
)
async def record_consent(person_id: uuid.UUID, consent_in: ConsentIn, call: Creating) -> Response:
    async def record() -> ConsentPublic:
        consent = await service.record(**call.by, person_id=person_id, consent_in=consent_in)
        return ConsentPublic.model_validate(consent)

    return await call.created(record, location=_location)


def _location(consent: ConsentPublic) -> str:
    return f"/v1/intake/persons/{consent.person_id}/consents/{consent.id}"


@router.get(
    "/{person_id}/consents/{consent_id}",
    responses=NOT_FOUND,
    summary="One consent or other legal basis of the person",
)
async def get_consent(person_id: uuid.UUID, consent_id: uuid.UUID, call: Reading) -> ConsentPublic:
    consent = await service.get(**call.by, person_id=person_id, consent_id=consent_id)
    return ConsentPublic.model_validate(consent)


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
