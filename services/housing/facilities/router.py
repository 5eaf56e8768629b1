"""HTTP for facilities: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.auth import Principal, Role
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from kit.routes import QueryDep, etagged, holding, location_in
from kit.schemas import Municipio, TargetGroup
from services.housing.facilities import service
from services.housing.facilities.domain import FacilityKind, canonical_target_groups
from services.housing.facilities.models import Facility
from services.housing.facilities.schemas import FacilityCreate, FacilityPublic

router = APIRouter(prefix="/v1/housing/facilities", tags=["facilities"])

Reader = Annotated[
    Principal,
    holding(Role.HOUSING_COORDINATOR, Role.COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR),
]
Writer = Annotated[Principal, holding(Role.HOUSING_COORDINATOR, Role.COORDINATOR)]

Admitting = Annotated[
    TargetGroup | None, Query(description="Facilities admitting this target group")
]


def public(facility: Facility) -> FacilityPublic:
    return FacilityPublic.model_validate(
        {
            **facility.model_dump(),
            "target_groups": canonical_target_groups(
                row.target_group for row in facility.target_group_rows
            ),
        }
    )


@router.post(
    "",
    status_code=201,
    response_model=FacilityPublic,
    summary="Register a facility (shelter, solidarity co-housing, autonomy apartment)",
)
async def register_facility(
    facility_in: FacilityCreate, session: SessionDep, principal: Writer, idem: IdempotencyDep
) -> Response:
    async def register() -> FacilityPublic:
        return public(
            await service.register(session=session, principal=principal, facility_in=facility_in)
        )

    return await idem.created(register, owner=principal.subject, location=location_in(router))


@dataclass
class FacilityQuery:
    """Which facilities a list shows (query parameters)."""

    kind: FacilityKind | None = None
    municipio: Municipio | None = None
    target_group: Admitting = None


@router.get("", summary="List facilities, newest first")
async def list_facilities(
    session: SessionDep, principal: Reader, query: QueryDep[FacilityQuery], page: PageParamsDep
) -> Page[FacilityPublic]:
    found = await service.list_facilities(session=session, page=page, **asdict(query))
    return found.map(public)


@router.get("/{facility_id}", responses=problem_responses(404), summary="One facility")
async def get_facility(
    facility_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> FacilityPublic:
    facility = await service.get(session=session, facility_id=facility_id)
    return etagged(response, facility.version, public(facility))
