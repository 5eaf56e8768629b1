"""HTTP for facilities and their units: parse, authorise, call the use case, shape the
response."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep, creates, location_in
from kit.schemas import Municipio, TargetGroup
from services.housing.access import OPERATED_CHANGE, Changing, Creating, Reading
from services.housing.facilities import service
from services.housing.facilities.domain import FacilityKind
from services.housing.facilities.schemas import (
    FacilityCreate,
    FacilityPatch,
    FacilityPublic,
    UnitCreate,
    UnitPatch,
    UnitPublic,
)
from services.housing.facilities.service import Beds, FacilityBeds

router = APIRouter(prefix="/v1/housing/facilities", tags=["facilities"])
ONE = "/{facility_id}"
UNITS = f"{ONE}/units"
ONE_UNIT = f"{UNITS}/{{unit_id}}"


def public(found: FacilityBeds) -> FacilityPublic:
    facility = found.facility
    return FacilityPublic.model_validate(
        {
            **facility.model_dump(),
            "target_groups": found.target_groups,
            "units": len(found.units),
            "capacity_beds": found.capacity,
            "free_beds": found.free,
        }
    )


def unit_public(beds: Beds) -> UnitPublic:
    return UnitPublic.model_validate({**beds.unit.model_dump(), "free_beds": beds.free})


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


@router.get(ONE, responses=NOT_FOUND, summary="One facility, with its beds")
async def get_facility(facility_id: uuid.UUID, call: Reading) -> FacilityPublic:
    found = await service.get(session=call.session, facility_id=facility_id)
    return call.etagged(found.facility.version, public(found))


@router.patch(
    ONE,
    responses=OPERATED_CHANGE,
    summary="Change a facility: only the fields given (its organisation or a coordinator)",
)
async def change_facility(
    facility_id: uuid.UUID, patch: FacilityPatch, change: Changing
) -> FacilityPublic:
    found = await service.change(**change.by, facility_id=facility_id, patch=patch)
    return change.etagged(found.facility.version, public(found))


@router.post(
    UNITS,
    **creates(UnitPublic, 403, 404),
    summary="Add a unit (a room or flat) to a facility",
)
async def add_unit(facility_id: uuid.UUID, unit_in: UnitCreate, creation: Creating) -> Response:
    async def add() -> UnitPublic:
        return unit_public(
            await service.add_unit(**creation.by, facility_id=facility_id, unit_in=unit_in)
        )

    return await creation.created(
        add,
        location=lambda unit: f"{router.prefix}/{facility_id}/units/{unit.id}",
        version=lambda unit: unit.version,
    )


@router.get(UNITS, responses=NOT_FOUND, summary="A facility's units, with their free beds")
async def list_units(facility_id: uuid.UUID, call: Reading) -> list[UnitPublic]:
    found = await service.units(session=call.session, facility_id=facility_id)
    return [unit_public(beds) for beds in found]


@router.get(ONE_UNIT, responses=NOT_FOUND, summary="One unit")
async def get_unit(facility_id: uuid.UUID, unit_id: uuid.UUID, call: Reading) -> UnitPublic:
    found = await service.unit(session=call.session, facility_id=facility_id, unit_id=unit_id)
    return call.etagged(found.unit.version, unit_public(found))


@router.patch(
    ONE_UNIT,
    responses=OPERATED_CHANGE,
    summary="Change a unit: only the fields given (it keeps room for what is taken)",
)
async def change_unit(
    facility_id: uuid.UUID, unit_id: uuid.UUID, patch: UnitPatch, change: Changing
) -> UnitPublic:
    found = await service.change_unit(
        **change.by, facility_id=facility_id, unit_id=unit_id, patch=patch
    )
    return change.etagged(found.unit.version, unit_public(found))
