"""HTTP for referrals: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypedDict

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import SessionDep, utcnow
from kit.errors import problem_responses
from kit.etag import IfMatchDep, set_etag
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from kit.schemas import Municipio, OrganisationAlias, Timestamp
from services.intake.access import Reader, Writer
from services.intake.referrals import service
from services.intake.referrals.domain import Channel, Urgency
from services.intake.referrals.lifecycle import ReferralStatus
from services.intake.referrals.models import Referral
from services.intake.referrals.schemas import (
    FirstContactIn,
    HandOverIn,
    PlacePublic,
    ReferralCreate,
    ReferralPublic,
    ScreeningIn,
    ScreeningPublic,
)

router = APIRouter(prefix="/v1/intake/referrals", tags=["referrals"])


async def present(session: AsyncSession, referral: Referral) -> ReferralPublic:
    persons = await service.persons_of(session, [referral.id])
    return public(referral, persons[referral.id])


def public(
    referral: Referral, person_ids: list[uuid.UUID], now: datetime | None = None
) -> ReferralPublic:
    return ReferralPublic.model_validate(
        {
            **referral.model_dump(),
            "person_ids": person_ids,
            "overdue": service.overdue_steps(referral, now or utcnow()),
            "place": PlacePublic(
                municipio=referral.municipio,
                name=referral.place_name,
                latitude=referral.latitude,
                longitude=referral.longitude,
            ),
        }
    )


class Target(TypedDict):
    """The keyword arguments naming the referral a use case changes, and who changes it."""

    session: AsyncSession
    principal: Principal
    referral_id: uuid.UUID
    if_match: str | None


@dataclass
class Change:
    """What every change of one referral takes: which one, by whom, from which version; its
    answer carries the new ETag."""

    referral_id: uuid.UUID
    session: SessionDep
    principal: Writer
    if_match: IfMatchDep
    response: Response

    def target(self) -> Target:
        return Target(
            session=self.session,
            principal=self.principal,
            referral_id=self.referral_id,
            if_match=self.if_match,
        )

    async def answer(self, referral: Referral) -> ReferralPublic:
        set_etag(self.response, referral.version)
        return await present(self.session, referral)


ChangeDep = Annotated[Change, Depends()]


@router.post(
    "",
    status_code=201,
    response_model=ReferralPublic,
    responses=problem_responses(409),
    summary="Receive a referral",
)
async def create_referral(
    referral_in: ReferralCreate, session: SessionDep, principal: Writer, idem: IdempotencyDep
) -> Response:
    async def create() -> ReferralPublic:
        referral = await service.receive(
            session=session, principal=principal, referral_in=referral_in
        )
        return await present(session, referral)

    return await idem.created(
        create, owner=principal.subject, location=lambda r: f"{router.prefix}/{r.id}"
    )


@router.get(
    "",
    summary="List the referrals visible to you, newest first",
)
async def list_referrals(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    status: Annotated[ReferralStatus | None, Query()] = None,
    channel: Annotated[Channel | None, Query()] = None,
    urgency: Annotated[Urgency | None, Query()] = None,
    organisation: Annotated[
        OrganisationAlias | None, Query(description="Reporting or lead organisation")
    ] = None,
    municipio: Annotated[Municipio | None, Query()] = None,
    received_from: Annotated[Timestamp | None, Query(description="Inclusive")] = None,
    received_to: Annotated[Timestamp | None, Query(description="Exclusive")] = None,
    overdue: Annotated[
        bool | None,
        Query(description="true: some SLA deadline has passed with its step not done; false: none"),
    ] = None,
) -> Page[ReferralPublic]:
    now = utcnow()
    where = service.ReferralFilter(
        status=status,
        channel=channel,
        urgency=urgency,
        organisation=organisation,
        municipio=municipio,
        received_from=received_from,
        received_to=received_to,
        overdue=overdue,
        now=now,
    )
    found, persons = await service.list_visible(
        session=session, principal=principal, page=page, where=where
    )
    return found.map(lambda r: public(r, persons[r.id], now))


@router.get(
    "/{referral_id}",
    responses=problem_responses(404),
    summary="One referral",
)
async def get_referral(
    referral_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> ReferralPublic:
    referral = await service.get(session=session, principal=principal, referral_id=referral_id)
    set_etag(response, referral.version)
    return await present(session, referral)


@router.post(
    "/{referral_id}/handover",
    responses=problem_responses(404, 409),
    summary="Hand the referral over to a lead organisation (casework opens the case)",
)
async def hand_over_referral(handover_in: HandOverIn, change: ChangeDep) -> ReferralPublic:
    referral = await service.hand_over(**change.target(), handover_in=handover_in)
    return await change.answer(referral)


@router.post(
    "/{referral_id}/screening",
    responses=problem_responses(404, 409),
    summary="Screen (triage) the referral: outcome, and urgency re-scored by the triage rule",
)
async def screen_referral(screening_in: ScreeningIn, change: ChangeDep) -> ScreeningPublic:
    referral, assessment, policy_version = await service.screen(
        **change.target(), screening_in=screening_in
    )
    return ScreeningPublic(
        referral=await change.answer(referral),
        assessment=assessment,
        policy_version=policy_version,
    )


@router.post(
    "/{referral_id}/first-contact",
    responses=problem_responses(404, 409),
    summary="Record when the person was first reached (the first-contact SLA step)",
)
async def record_first_contact(contact_in: FirstContactIn, change: ChangeDep) -> ReferralPublic:
    referral = await service.record_first_contact(**change.target(), contact_in=contact_in)
    return await change.answer(referral)
