"""HTTP for referrals: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import utcnow
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT, Changer, QueryDep, creates, location_in
from kit.schemas import Municipio, OrganisationAlias, Timestamp
from services.intake.access import Changing, Creating, Reading
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


class Target(Changer):
    """The keyword arguments naming the referral a use case changes, who changes it and from
    which version."""

    referral_id: uuid.UUID


@dataclass
class ReferralChange:
    """What every change of one referral takes: which one, by whom, from which version; its
    answer carries the new ETag."""

    referral_id: uuid.UUID
    call: Changing

    def target(self) -> Target:
        return Target(**self.call.by, referral_id=self.referral_id)

    async def answer(self, referral: Referral) -> ReferralPublic:
        return self.call.etagged(referral.version, await present(self.call.session, referral))


ChangeDep = Annotated[ReferralChange, Depends()]


@router.post("", **creates(ReferralPublic, 409), summary="Receive a referral")
async def create_referral(referral_in: ReferralCreate, creation: Creating) -> Response:
    async def receive() -> ReferralPublic:
        referral = await service.receive(**creation.by, referral_in=referral_in)
        return await present(creation.session, referral)

    return await creation.created(receive, location=location_in(router))


@dataclass
class ReferralQuery:
    """Which referrals a list shows (query parameters)."""

    status: ReferralStatus | None = None
    channel: Channel | None = None
    urgency: Urgency | None = None
    organisation: Annotated[
        OrganisationAlias | None, Query(description="Reporting or lead organisation")
    ] = None
    municipio: Municipio | None = None
    received_from: Annotated[Timestamp | None, Query(description="Inclusive")] = None
    received_to: Annotated[Timestamp | None, Query(description="Exclusive")] = None
    overdue: Annotated[
        bool | None,
        Query(description="true: some SLA deadline has passed with its step not done; false: none"),
    ] = None

    def where(self, now: datetime) -> service.ReferralFilter:
        """The filter of this query, `overdue` judged at `now` (its fields are the filter's)."""
        return cast(service.ReferralFilter, {**asdict(self), "now": now})


@router.get("", summary="List the referrals visible to you, newest first")
async def list_referrals(
    call: Reading, query: QueryDep[ReferralQuery], page: PageParamsDep
) -> Page[ReferralPublic]:
    now = utcnow()
    found, persons = await service.list_visible(**call.by, page=page, where=query.where(now))
    return found.map(lambda r: public(r, persons[r.id], now))


@router.get("/{referral_id}", responses=NOT_FOUND, summary="One referral")
async def get_referral(referral_id: uuid.UUID, call: Reading) -> ReferralPublic:
    referral = await service.get(**call.by, referral_id=referral_id)
    return call.etagged(referral.version, await present(call.session, referral))


@router.post(
    "/{referral_id}/handover",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Hand the referral over to a lead organisation (casework opens the case)",
)
async def hand_over_referral(handover_in: HandOverIn, change: ChangeDep) -> ReferralPublic:
    return await change.answer(await service.hand_over(**change.target(), handover_in=handover_in))


@router.post(
    "/{referral_id}/screening",
    responses=NOT_FOUND_OR_CONFLICT,
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
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Record when the person was first reached (the first-contact SLA step)",
)
async def record_first_contact(contact_in: FirstContactIn, change: ChangeDep) -> ReferralPublic:
    referral = await service.record_first_contact(**change.target(), contact_in=contact_in)
    return await change.answer(referral)
