"""HTTP for households: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.db import SessionDep
from kit.errors import problem_responses
from kit.etag import IfMatchDep, set_etag
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from services.intake.access import Reader, Writer
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
    status_code=201,
    response_model=HouseholdPublic,
    responses=problem_responses(409),
    summary="Register a household (its members must be registered persons)",
)
async def create_household(
    household_in: HouseholdIn, session: SessionDep, principal: Writer, idem: IdempotencyDep
) -> Response:
    async def create() -> HouseholdPublic:
        household, members = await service.register(
            session=session, principal=principal, household_in=household_in
        )
        return public(household, members)

    return await idem.created(
        create, owner=principal.subject, location=lambda h: f"{router.prefix}/{h.id}"
    )


@router.get(
    "",
    summary="List the households visible to you, newest first",
)
async def list_households(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    person_id: Annotated[uuid.UUID | None, Query(description="Households with this member")] = None,
) -> Page[HouseholdPublic]:
    found, members = await service.list_visible(
        session=session, principal=principal, page=page, person_id=person_id
    )
    return found.map(lambda h: public(h, members[h.id]))


@router.get(
    "/{household_id}",
    responses=problem_responses(404),
    summary="One household",
)
async def get_household(
    household_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> HouseholdPublic:
    household, members = await service.get(
        session=session, principal=principal, household_id=household_id
    )
    set_etag(response, household.version)
    return public(household, members)


@router.put(
    "/{household_id}/members",
    responses=problem_responses(404),
    summary="Replace the household's composition",
)
async def recompose_household(
    household_id: uuid.UUID,
    household_in: HouseholdIn,
    session: SessionDep,
    principal: Writer,
    if_match: IfMatchDep,
    response: Response,
) -> HouseholdPublic:
    household, members = await service.recompose(
        session=session,
        principal=principal,
        household_id=household_id,
        if_match=if_match,
        household_in=household_in,
    )
    set_etag(response, household.version)
    return public(household, members)
