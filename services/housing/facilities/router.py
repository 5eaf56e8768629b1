"""HTTP for facilities: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep, creates, location_in
from kit.schemas import Municipio, TargetGroup
from services.housing.access import Creating, Reading
from services.housing.facilities import service
from services.housing.facilities.domain import FacilityKind, canonical_target_groups
from services.housing.facilities.models import Facility
from services.housing.facilities.schemas import FacilityCreate, FacilityPublic

router = APIRouter(prefix="/v1/housing/facilities", tags=["facilities"])


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
    **creates(FacilityPublic),
    summary="Register a facility (shelter, solidarity co-housing, autonomy apartment)",
)
async def register_facility(facility_in: FacilityCreate, creation: Creating) -> Response:
    async def register() -> FacilityPublic:
        return public(await service.register(**creation.by, facility_in=facility_in))

    return await creation.created(register, location=location_in(router))


Admitting = Annotated[
    TargetGroup | None, Query(description="Facilities admitting this target group")
]


@dataclass
class FacilityQuery:
    """Which facilities a list shows (query parameters); a facility may admit several target
    groups, and `target_group` matches any one of them."""

    kind: FacilityKind | None = None
    municipio: Municipio | None = None
    target_group: Admitting = None


@router.get("", summary="List facilities, newest first")
async def list_facilities(
    call: Reading, query: QueryDep[FacilityQuery], page: PageParamsDep
) -> Page[FacilityPublic]:
    found = await service.list_facilities(session=call.session, page=page, **asdict(query))
    return found.map(public)


@router.get("/{facility_id}", responses=NOT_FOUND, summary="One facility")
async def get_facility(facility_id: uuid.UUID, call: Reading) -> FacilityPublic:
    facility = await service.get(session=call.session, facility_id=facility_id)
    return call.etagged(facility.version, public(facility))
