"""HTTP for service referrals: a case's referrals (its team), and the referrals an
organisation sends and receives."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.db import utcnow
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, creates
from services.casework.access import MANAGED_CHANGE, Changing, Creating, Reading
from services.casework.referrals import domain, service
from services.casework.referrals.domain import Direction, ReferralStatus
from services.casework.referrals.models import ServiceReferral
from services.casework.referrals.schemas import AnswerIn, ReferralCreate, ReferralPublic

REFERRALS = "/v1/casework/service-referrals"
of_cases = APIRouter(prefix="/v1/casework/cases/{case_id}/referrals", tags=["referrals"])
referrals = APIRouter(prefix=REFERRALS, tags=["referrals"])


def public(referral: ServiceReferral, now: datetime | None = None) -> ReferralPublic:
    late = domain.overdue(ReferralStatus(referral.status), referral.answer_due_at, now or utcnow())
    return ReferralPublic.model_validate({**referral.model_dump(), "answer_overdue": late})


@of_cases.post(
    "",
    **creates(ReferralPublic, 403, 404, 409),
    summary="Refer the case to a directory service (its organisation answers)",
)
async def make_referral(
    case_id: uuid.UUID, referral_in: ReferralCreate, creation: Creating
) -> Response:
    async def make() -> ReferralPublic:
        return public(await service.make(**creation.by, case_id=case_id, referral_in=referral_in))

    return await creation.created(make, location=lambda r: f"{REFERRALS}/{r.id}")


@of_cases.get("", responses=NOT_FOUND, summary="The case's referrals, newest first")
async def case_referrals(
    case_id: uuid.UUID, call: Reading, page: PageParamsDep
) -> Page[ReferralPublic]:
    found = await service.of_case(**call.by, case_id=case_id, page=page)
    now = utcnow()
    return found.map(lambda r: public(r, now))


@referrals.get(
    "", summary="The referrals you see: your cases', and those your organisation answers"
)
async def list_referrals(
    call: Reading,
    page: PageParamsDep,
    direction: Annotated[
        Direction | None,
        Query(description="incoming: to services your organisation runs; outgoing: made by it"),
    ] = None,
    status: ReferralStatus | None = None,
) -> Page[ReferralPublic]:
    found = await service.list_visible(**call.by, page=page, direction=direction, status=status)
    now = utcnow()
    return found.map(lambda r: public(r, now))


@referrals.get("/{referral_id}", responses=NOT_FOUND, summary="One referral (never its case)")
async def get_referral(referral_id: uuid.UUID, call: Reading) -> ReferralPublic:
    referral = await service.get(**call.by, referral_id=referral_id)
    return call.etagged(referral.version, public(referral))


@referrals.post(
    "/{referral_id}/answer",
    responses=MANAGED_CHANGE,
    summary="Accept (you join the case's team) or decline (saying why) a referral",
)
async def answer_referral(
    referral_id: uuid.UUID, answer_in: AnswerIn, change: Changing
) -> ReferralPublic:
    referral = await service.answer(**change.by, referral_id=referral_id, answer_in=answer_in)
    return change.etagged(referral.version, public(referral))


@referrals.post(
    "/{referral_id}/withdrawal",
    responses=MANAGED_CHANGE,
    summary="Withdraw a referral not answered yet (the case's team)",
)
async def withdraw_referral(referral_id: uuid.UUID, change: Changing) -> ReferralPublic:
    referral = await service.withdraw(**change.by, referral_id=referral_id)
    return change.etagged(referral.version, public(referral))
