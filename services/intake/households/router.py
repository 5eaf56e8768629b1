"""HTTP for households: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, creates, location_in
from services.intake.access import Changing, Creating, Reading
from services.intake.households import service
from services.intake.households.models import Household, HouseholdMember
from services.intake.households.schemas import HouseholdIn, HouseholdPublic, MemberPublic

router = APIRouter(prefix="/v1/intake/households", tags=["households"])


def public(household: Household, members: list[HouseholdMember]) -> HouseholdPublic:
    return HouseholdPublic.model_validate(
        {
            **household.model_dump(),
            "members": [MemberPublic.model_validate(m) for m in members],
        }
    )


@router.post(
    "",
    **creates(HouseholdPublic, 409),
    summary="Register a household (its members must be registered persons)",
)
async def create_household(household_in: HouseholdIn, creation: Creating) -> Response:
    async def register() -> HouseholdPublic:
        household, members = await service.register(**creation.by, household_in=household_in)
        return public(household, members)

    return await creation.created(register, location=location_in(router))


@router.get("", summary="List the households visible to you, newest first")
async def list_households(
    call: Reading,
    page: PageParamsDep,
    person_id: Annotated[uuid.UUID | None, Query(description="Households with this member")] = None,
) -> Page[HouseholdPublic]:
    found, members = await service.list_visible(**call.by, page=page, person_id=person_id)
    return found.map(lambda h: public(h, members[h.id]))


@router.get("/{household_id}", responses=NOT_FOUND, summary="One household")
async def get_household(household_id: uuid.UUID, call: Reading) -> HouseholdPublic:
    household, members = await service.get(**call.by, household_id=household_id)
    return call.etagged(household.version, public(household, members))


@router.put(
    "/{household_id}/members", responses=NOT_FOUND, summary="Replace the household's composition"
)
async def recompose_household(
    household_id: uuid.UUID, household_in: HouseholdIn, change: Changing
) -> HouseholdPublic:
    household, members = await service.recompose(
        **change.by, household_id=household_id, household_in=household_in
    )
    return change.etagged(household.version, public(household, members))
