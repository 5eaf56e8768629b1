"""HTTP for facilities: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from kit.auth import Principal, Role, require_roles
from kit.db import SessionDep
from kit.errors import problem_responses
from kit.etag import set_etag
from kit.idempotency import IdempotencyDep
from kit.pagination import Page, PageParamsDep
from kit.schemas import Municipio, TargetGroup
from services.housing.facilities import service
from services.housing.facilities.domain import FacilityKind, canonical_target_groups
from services.housing.facilities.models import Facility
from services.housing.facilities.schemas import FacilityCreate, FacilityPublic

router = APIRouter(
    prefix="/v1/housing/facilities",
    tags=["facilities"],
)

Reader = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.HOUSING_COORDINATOR, Role.COORDINATOR, Role.CASE_WORKER, Role.CASE_SUPERVISOR
        )
    ),
]
Writer = Annotated[Principal, Depends(require_roles(Role.HOUSING_COORDINATOR, Role.COORDINATOR))]


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
        facility = await service.register(
            session=session, principal=principal, facility_in=facility_in
        )
        return public(facility)

    return await idem.created(
        register, owner=principal.subject, location=lambda f: f"{router.prefix}/{f.id}"
    )


@router.get(
    "",
    summary="List facilities, newest first",
)
async def list_facilities(
    session: SessionDep,
    principal: Reader,
    page: PageParamsDep,
    kind: Annotated[FacilityKind | None, Query()] = None,
    municipio: Annotated[Municipio | None, Query()] = None,
    target_group: Annotated[
        TargetGroup | None, Query(description="Facilities admitting this target group")
    ] = None,
) -> Page[FacilityPublic]:
    found = await service.list_facilities(
        session=session, page=page, kind=kind, municipio=municipio, target_group=target_group
    )
    return found.map(public)


@router.get(
    "/{facility_id}",
    responses=problem_responses(404),
    summary="One facility",
)
async def get_facility(
    facility_id: uuid.UUID, session: SessionDep, principal: Reader, response: Response
) -> FacilityPublic:
    facility = await service.get(session=session, facility_id=facility_id)
    set_etag(response, facility.version)
    return public(facility)
