"""Placement use cases: a proposal accepted becomes a placement, a waiting request placed
straight in a unit, a move-out with its outcome, occupancy over time, the alert of a stay past
its maximum. Each checks the unit under its lock, so two households never take the last bed.
Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Unpack

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, ValidationFailed, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from kit.usecases import created_by
from services.housing.facilities import service as facilities
from services.housing.facilities.service import Beds, FacilityBeds
from services.housing.matching import service as matching
from services.housing.placements import domain, repository
from services.housing.placements.domain import MoveOutOutcome
from services.housing.placements.events import (
    PlacementData,
    PlacementEnded,
    PlacementOverStay,
    PlacementStarted,
)
from services.housing.placements.models import Placement
from services.housing.placements.repository import PlacementFilter
from services.housing.placements.schemas import OccupancyDay, PlacementCreate
from services.housing.requests import service as requests
from services.housing.requests.proposals import service as proposals
from services.housing.requests.schemas import RequestStatus
from services.housing.requests.service import HousingRequest

MAX_OCCUPANCY_DAYS = 366


class PlacementNotFound(NotFound):
    slug = "placement-not-found"
    title = "Placement not found"


def _day(given: date | None, field: str, *, not_before: date | None = None) -> date:
    today = utcnow().date()
    day = given or today
    if day > today:
        raise ValidationFailed.for_field(field, "must not be in the future", code="date_in_future")
    if not_before is not None and day < not_before:
        raise ValidationFailed.for_field(field, "must not be before the move-in", code="order")
    return day


async def accept(
    *,
    session: AsyncSession,
    principal: Principal,
    proposal_id: uuid.UUID,
    if_match: str | None,
    moved_in_on: date | None,
) -> Placement:
    """The live proposal accepted: the household moves in and takes the beds it held."""
    day = _day(moved_in_on, "moved_in_on")
    proposal, request = await proposals.accepted(session, principal, proposal_id, if_match)
    facility, beds = await facilities.locked_unit(session, proposal.unit_id)
    domain.require_room(free_beds=beds.free, household_size=request.household_size)
    return await _placed(session, principal, request, facility, beds, day, proposal.id)


async def place(
    *, session: AsyncSession, principal: Principal, placement_in: PlacementCreate
) -> Placement:
    """A waiting request placed straight in a unit by its facility's organisation or a Comune
    coordinator: the unit must admit the household and have room for it."""
    day = _day(placement_in.moved_in_on, "moved_in_on")
    request = await requests.visible_row(
        session, principal, placement_in.request_id, for_update=True
    )  # the request first, then the unit: the order every use case locks in
    if request.status != RequestStatus.WAITING:
        raise domain.RequestNotWaiting(f"The request is {request.status}.")
    facility, beds = await facilities.locked_unit(session, placement_in.unit_id)
    facilities.require_operator_of(facility.facility.operator_organisation, principal)
    broken = matching.broken_constraints(requests.Filed(request), facility, beds)
    if broken:
        raise domain.UnitDoesNotFit(
            f"The unit breaks: {', '.join(broken)}.", extensions={"constraints": broken}
        )
    domain.require_room(free_beds=beds.free, household_size=request.household_size)
    await requests.moved(session, request.id, RequestStatus.PLACED)
    return await _placed(session, principal, request, facility, beds, day, None)


async def move_out(
    *,
    session: AsyncSession,
    principal: Principal,
    placement_id: uuid.UUID,
    if_match: str | None,
    outcome: MoveOutOutcome,
    moved_out_on: date | None,
) -> Placement:
    """The household leaves: its beds are free from that day, with the outcome recorded."""
    placement = await _placement(session, principal, placement_id, for_update=True)
    facilities.require_operator_of(placement.organisation, principal)
    require_if_match(if_match, placement.version)
    if placement.moved_out_on is not None:
        raise domain.PlacementEnded(f"The household moved out on {placement.moved_out_on}.")
    placement.moved_out_on = _day(moved_out_on, "moved_out_on", not_before=placement.moved_in_on)
    placement.outcome = outcome
    placement.version += 1
    placement.updated_at = utcnow()
    await session.flush()
    await _publish(session, PlacementEnded, placement)
    return placement


async def get(*, session: AsyncSession, principal: Principal, placement_id: uuid.UUID) -> Placement:
    return await _placement(session, principal, placement_id, for_update=False)


async def list_placements(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    **where: Unpack[PlacementFilter],
) -> Page[Placement]:
    return await repository.list_placements(
        session, principal, page, today=utcnow().date(), **where
    )


@dataclass(frozen=True)
class StayCheck:
    """What one batch of the stay check did: the placements alerted, and how many it read."""

    alerted: list[uuid.UUID]
    seen: int


async def alert_over_stays(session: AsyncSession, *, now: datetime, limit: int) -> StayCheck:
    """Raise ``placement.over_stay`` for each household still there after its facility's
    maximum stay on `now`'s day and not alerted before: the placement is stamped in the
    transaction of its outbox event, so each is alerted once. Its version does not move:
    nothing the API shows changed, and an If-Match a client holds stays good. Reads up to
    `limit`; call again while `seen` equals `limit`."""
    today = now.date()
    found = await repository.unalerted_over_stays(session, today, limit)
    alerted = []
    for placement in found:
        ends, before = placement.stay_ends_on, placement.stay_alerted_at is not None
        if ends is None or not domain.stay_alert_due(
            ends, today, placement.moved_out_on, alerted=before
        ):
            continue  # never: the query is this rule in SQL (tests/unit/housing/placements)
        placement.stay_alerted_at = now
        data = PlacementOverStay.payload.of(
            placement,
            placement_id=placement.id,
            stay_ends_on=ends,
            days_over=domain.days_over(ends, today),
        )
        await record_event(
            session,
            PlacementOverStay,
            data,
            subject=str(placement.id),
            organisation=placement.organisation,
        )
        alerted.append(placement.id)
    await session.flush()
    return StayCheck(alerted=alerted, seen=len(found))


async def occupancy(
    *, session: AsyncSession, facility_id: uuid.UUID, first_day: date, last_day: date
) -> list[OccupancyDay]:
    """Each day's beds taken by placements in the facility (its capacity as it is now)."""
    domain.require_days(first_day, last_day, MAX_OCCUPANCY_DAYS)
    facility = await facilities.get(session=session, facility_id=facility_id)
    stays = await repository.of_facility_between(session, facility_id, first_day, last_day)
    return [
        _occupied(first_day + timedelta(days=n), facility.capacity, stays)
        for n in range((last_day - first_day).days + 1)
    ]


def _occupied(day: date, capacity: int, stays: Sequence[Placement]) -> OccupancyDay:
    there = [
        s
        for s in stays
        if s.moved_in_on <= day and (s.moved_out_on is None or s.moved_out_on > day)
    ]
    return OccupancyDay(
        day=day,
        capacity_beds=capacity,
        placed_beds=sum(s.beds for s in there),
        households=len(there),
    )


async def _placed(
    session: AsyncSession,
    principal: Principal,
    request: HousingRequest,
    facility: FacilityBeds,
    beds: Beds,
    day: date,
    proposal_id: uuid.UUID | None,
) -> Placement:
    placement = Placement(
        request_id=request.id,
        case_id=request.case_id,
        unit_id=beds.unit.id,
        facility_id=facility.facility.id,
        proposal_id=proposal_id,
        beds=request.household_size,
        household_size=request.household_size,
        moved_in_on=day,
        stay_ends_on=domain.stay_ends_on(day, facility.facility.max_stay_days),
        organisation=facility.facility.operator_organisation,
        **created_by(principal),
    )
    session.add(placement)
    await session.flush()
    await _publish(session, PlacementStarted, placement)
    return placement


async def _placement(
    session: AsyncSession, principal: Principal, placement_id: uuid.UUID, *, for_update: bool
) -> Placement:
    found = await repository.get(session, principal, placement_id, for_update=for_update)
    return require_found(found, PlacementNotFound(f"No placement {placement_id}."))


async def _publish(
    session: AsyncSession, event: EventType[PlacementData], placement: Placement
) -> None:
    data = event.payload.of(placement, placement_id=placement.id)
    await record_event(
        session, event, data, subject=str(placement.id), organisation=placement.organisation
    )
