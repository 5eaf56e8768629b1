"""HTTP for placements: accept a proposal, place a request straight in a unit, move out,
read placements and a facility's occupancy over time."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Response

from kit.db import utcnow
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT, QueryDep, creates, location_in
from kit.schemas import CalendarDate, Id
from services.housing.access import Answering, Operating, Placing, Reading
from services.housing.placements import domain, service
from services.housing.placements.models import Placement
from services.housing.placements.schemas import (
    AcceptanceIn,
    HousingPlacementPublic,
    MoveOutIn,
    OccupancyPublic,
    PlacementCreate,
)

router = APIRouter(prefix="/v1/housing/placements", tags=["placements"])
of_proposals = APIRouter(prefix="/v1/housing/proposals", tags=["placements"])
of_facilities = APIRouter(prefix="/v1/housing/facilities", tags=["placements"])


def public(placement: Placement) -> HousingPlacementPublic:
    over = domain.over_stay(placement.stay_ends_on, utcnow().date(), placement.moved_out_on)
    return HousingPlacementPublic.model_validate({**placement.model_dump(), "over_stay": over})


@of_proposals.post(
    "/{proposal_id}/acceptance",
    status_code=201,
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Accept a live proposal: the household moves in (409 if it is not live)",
)
async def accept(
    proposal_id: uuid.UUID, acceptance: AcceptanceIn, change: Answering, response: Response
) -> HousingPlacementPublic:
    placement = await service.accept(
        **change.by, proposal_id=proposal_id, moved_in_on=acceptance.moved_in_on
    )
    response.headers["Location"] = f"{router.prefix}/{placement.id}"
    return change.etagged(placement.version, public(placement))


@router.post(
    "",
    **creates(HousingPlacementPublic, 403, 404, 409),
    summary="Place a waiting request straight in a unit (an emergency; no run, no proposal)",
)
async def place(placement_in: PlacementCreate, creation: Placing) -> Response:
    async def placed() -> HousingPlacementPublic:
        return public(await service.place(**creation.by, placement_in=placement_in))

    return await creation.created(placed, location=location_in(router), version=lambda p: p.version)


@dataclass
class PlacementQuery:
    facility_id: Id | None = None
    request_id: Id | None = None
    current: Annotated[bool | None, Query(description="true: still there; false: moved out")] = None
    over_stay: Annotated[
        bool | None,
        Query(
            description="true: still there after stay_ends_on, the facility's maximum stay "
            "(today, as over_stay says); false: every other placement"
        ),
    ] = None


@router.get("", summary="Placements you may see, latest move-in first")
async def list_placements(
    call: Reading, query: QueryDep[PlacementQuery], page: PageParamsDep
) -> Page[HousingPlacementPublic]:
    found = await service.list_placements(**call.by, page=page, **asdict(query))
    return found.map(public)


@router.get("/{placement_id}", responses=NOT_FOUND, summary="One placement")
async def get_placement(placement_id: uuid.UUID, call: Reading) -> HousingPlacementPublic:
    placement = await service.get(**call.by, placement_id=placement_id)
    return call.etagged(placement.version, public(placement))


@router.post(
    "/{placement_id}/move-out",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="The household moves out, with the outcome (its facility's organisation)",
)
async def move_out(
    placement_id: uuid.UUID, move_out_in: MoveOutIn, change: Operating
) -> HousingPlacementPublic:
    placement = await service.move_out(
        **change.by,
        placement_id=placement_id,
        outcome=move_out_in.outcome,
        moved_out_on=move_out_in.moved_out_on,
    )
    return change.etagged(placement.version, public(placement))


@of_facilities.get(
    "/{facility_id}/occupancy",
    responses=NOT_FOUND,
    summary="A facility's beds taken by placements, day by day",
)
async def occupancy(
    facility_id: uuid.UUID,
    call: Reading,
    first_day: Annotated[CalendarDate, Query(alias="from", description="The first day")],
    last_day: Annotated[
        CalendarDate | None, Query(alias="to", description="The last day (today if left out)")
    ] = None,
) -> OccupancyPublic:
    days = await service.occupancy(
        session=call.session,
        facility_id=facility_id,
        first_day=first_day,
        last_day=last_day or utcnow().date(),
    )
    return OccupancyPublic(facility_id=facility_id, days=days)
