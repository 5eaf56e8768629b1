"""Facility and unit use cases: load, apply the domain rules, save, record events. Never
commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, Unpack

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.etag import require_if_match
from kit.events.types import EventData, EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from kit.schemas import TargetGroup
from kit.usecases import add_announced, created_by
from services.housing import beds as unit_beds
from services.housing.beds import Occupancy
from services.housing.facilities import domain, repository
from services.housing.facilities.domain import Letting, canonical_target_groups
from services.housing.facilities.events import (
    FacilityChanged,
    FacilityRegistered,
    UnitAdded,
    UnitChanged,
)
from services.housing.facilities.models import Facility, FacilityTargetGroup, Unit
from services.housing.facilities.repository import FacilityFilter
from services.housing.facilities.schemas import (
    FacilityCreate,
    FacilityPatch,
    UnitCreate,
    UnitPatch,
)

E = TypeVar("E", bound=EventData)


class FacilityNotFound(NotFound):
    slug = "facility-not-found"
    title = "Facility not found"


class UnitNotFound(NotFound):
    slug = "unit-not-found"
    title = "Unit not found"


@dataclass(frozen=True)
class Beds:
    """A unit's beds as they stand: the unit, and what is taken in it."""

    unit: Unit
    taken: Occupancy

    @property
    def free(self) -> int:
        return domain.free_beds(
            beds=self.unit.beds,
            letting=Letting(self.unit.letting),
            beds_taken=self.taken.beds_taken,
            households=self.taken.households,
        )


@dataclass(frozen=True)
class FacilityBeds:
    """A facility with its units' beds."""

    facility: Facility
    units: Sequence[Beds]

    @property
    def capacity(self) -> int:
        return sum(beds.unit.beds for beds in self.units)

    @property
    def free(self) -> int:
        return sum(beds.free for beds in self.units)

    @property
    def target_groups(self) -> list[TargetGroup]:
        return target_groups_of(self.facility)


def target_groups_of(facility: Facility) -> list[TargetGroup]:
    """The target groups a facility admits, in the vocabulary's order."""
    return canonical_target_groups(row.target_group for row in facility.target_group_rows)


def _target_group_rows(facility: Facility, groups: Sequence[str]) -> list[FacilityTargetGroup]:
    """The rows of `groups`, the facility's rows kept where a group stays (a new row for a
    group it had would clash with the old one's key at the flush)."""
    kept = {row.target_group: row for row in facility.target_group_rows}
    return [
        kept.get(group) or FacilityTargetGroup(facility_id=facility.id, target_group=group)
        for group in canonical_target_groups(groups)
    ]


def _facility_fields(facility: Facility) -> dict[str, Any]:
    groups = target_groups_of(facility)
    return {"facility_id": facility.id, "target_groups": [str(group) for group in groups]}


async def register(
    *, session: AsyncSession, principal: Principal, facility_in: FacilityCreate
) -> FacilityBeds:
    """A facility run by the caller's organisation, with no units yet."""
    domain.require_age_range(facility_in.min_age, facility_in.max_age)
    operator = principal.organisation
    facility = Facility(
        **facility_in.model_dump(exclude={"target_groups"}),
        operator_organisation=operator,
        **created_by(principal),
    )
    facility.target_group_rows = [
        FacilityTargetGroup(facility_id=facility.id, target_group=group)
        for group in canonical_target_groups(facility_in.target_groups)
    ]
    await add_announced(
        session,
        facility,
        FacilityRegistered,
        organisation=operator,
        **_facility_fields(facility),
        registered_at=facility.created_at,
    )
    return FacilityBeds(facility, [])


async def list_facilities(
    *, session: AsyncSession, page: PageParams, **where: Unpack[FacilityFilter]
) -> Page[FacilityBeds]:
    """Facilities, newest first, with their beds; every reader sees all (not person data)."""
    found = await repository.list_facilities(session, page, **where)
    with_beds = await _with_beds(session, found.items)
    return found.map(lambda facility: with_beds[facility.id])


async def all_with_beds(session: AsyncSession, *, for_update: bool = False) -> list[FacilityBeds]:
    """Every facility with its units' beds, oldest first: what a matching run weighs (with
    `for_update`, every unit is locked until the transaction ends)."""
    facilities = await repository.all_facilities(session)
    with_beds = await _with_beds(session, facilities, for_update=for_update)
    return [with_beds[facility.id] for facility in facilities]


async def get(*, session: AsyncSession, facility_id: uuid.UUID) -> FacilityBeds:
    facility = await _facility(session, facility_id)
    return await _one_with_beds(session, facility)


async def change(
    *,
    session: AsyncSession,
    principal: Principal,
    facility_id: uuid.UUID,
    if_match: str | None,
    patch: FacilityPatch,
) -> FacilityBeds:
    """The fields given change, by the facility's organisation or a Comune coordinator."""
    facility = await _operated(session, principal, facility_id)
    require_if_match(if_match, facility.version)
    given = patch.model_dump(include=patch.model_fields_set)
    if not given:  # nothing to change: no new version, no event
        return await _one_with_beds(session, facility)
    domain.require_age_range(
        given.get("min_age", facility.min_age), given.get("max_age", facility.max_age)
    )
    if "target_groups" in given:
        facility.target_group_rows = _target_group_rows(facility, given.pop("target_groups"))
    for name, value in given.items():
        setattr(facility, name, value)
    now = _saved(facility)
    await session.flush()
    await _publish(
        session,
        FacilityChanged,
        facility,
        facility,
        **_facility_fields(facility),
        changed_at=now,
    )
    return await _one_with_beds(session, facility)


async def units(*, session: AsyncSession, facility_id: uuid.UUID) -> list[Beds]:
    facility = await _facility(session, facility_id)
    return list((await _one_with_beds(session, facility)).units)


async def unit(*, session: AsyncSession, facility_id: uuid.UUID, unit_id: uuid.UUID) -> Beds:
    found = await _unit(session, facility_id, unit_id, for_update=False)
    return await _beds(session, found)


async def add_unit(
    *, session: AsyncSession, principal: Principal, facility_id: uuid.UUID, unit_in: UnitCreate
) -> Beds:
    """A room or flat of the facility, by its organisation or a Comune coordinator."""
    facility = await _operated(session, principal, facility_id)
    added = Unit(facility_id=facility.id, **unit_in.model_dump(), **created_by(principal))
    session.add(added)
    await session.flush()
    await _publish(
        session, UnitAdded, facility, added, unit_id=added.id, changed_at=added.created_at
    )
    return await _beds(session, added)


async def change_unit(
    *,
    session: AsyncSession,
    principal: Principal,
    facility_id: uuid.UUID,
    unit_id: uuid.UUID,
    if_match: str | None,
    patch: UnitPatch,
) -> Beds:
    """The fields given change; a unit keeps room for what is placed and held in it."""
    facility = await _operated(session, principal, facility_id)
    changed = await _unit(session, facility.id, unit_id, for_update=True)
    require_if_match(if_match, changed.version)
    given = patch.model_dump(include=patch.model_fields_set)
    taken = (await unit_beds.taken(session, [changed.id]))[changed.id]
    if not given:  # nothing to change: no new version, no event
        return Beds(changed, taken)
    domain.require_beds_cover(
        beds=given.get("beds", changed.beds),
        letting=Letting(given.get("letting", changed.letting)),
        beds_taken=taken.beds_taken,
        households=taken.households,
    )
    for name, value in given.items():
        setattr(changed, name, value)
    now = _saved(changed)
    await session.flush()
    await _publish(session, UnitChanged, facility, changed, unit_id=changed.id, changed_at=now)
    return Beds(changed, taken)


async def locked_unit(session: AsyncSession, unit_id: uuid.UUID) -> tuple[FacilityBeds, Beds]:
    """A unit locked until the transaction ends, with its facility and what is taken in it
    now: a placement or a proposal is checked against it, one at a time per unit."""
    found = await repository.unit_by_id(session, unit_id, for_update=True)
    unit = require_found(found, UnitNotFound(f"No unit {unit_id}."))
    facility = await _one_with_beds(session, await _facility(session, unit.facility_id))
    return facility, await _beds(session, unit)


def require_operator_of(operator_organisation: str, principal: Principal) -> None:
    """403 unless `principal` acts for the facility's organisation or is a Comune coordinator."""
    domain.may_operate(
        operator_organisation=operator_organisation,
        organisation=principal.organisation,
        coordinator=principal.is_coordinator,
    )


# --- steps -------------------------------------------------------------------------------


async def _facility(
    session: AsyncSession, facility_id: uuid.UUID, *, for_update: bool = False
) -> Facility:
    found = await repository.get(session, facility_id, for_update=for_update)
    return require_found(found, FacilityNotFound(f"No facility {facility_id}."))


async def _operated(
    session: AsyncSession, principal: Principal, facility_id: uuid.UUID
) -> Facility:
    """The facility, locked for a change by `principal`, who must operate it."""
    facility = await _facility(session, facility_id, for_update=True)
    require_operator_of(facility.operator_organisation, principal)
    return facility


async def _unit(
    session: AsyncSession, facility_id: uuid.UUID, unit_id: uuid.UUID, *, for_update: bool
) -> Unit:
    found = await repository.get_unit(session, facility_id, unit_id, for_update=for_update)
    return require_found(found, UnitNotFound(f"No unit {unit_id} in facility {facility_id}."))


async def _beds(session: AsyncSession, unit: Unit) -> Beds:
    return Beds(unit, (await unit_beds.taken(session, [unit.id]))[unit.id])


async def _with_beds(
    session: AsyncSession, facilities: Sequence[Facility], *, for_update: bool = False
) -> dict[uuid.UUID, FacilityBeds]:
    ids = [facility.id for facility in facilities]
    found = await repository.units_of(session, ids, for_update=for_update)
    taken = await unit_beds.taken(session, [u.id for u in found])
    by_facility: dict[uuid.UUID, list[Beds]] = {facility.id: [] for facility in facilities}
    for each in found:
        by_facility[each.facility_id].append(Beds(each, taken[each.id]))
    return {f.id: FacilityBeds(f, by_facility[f.id]) for f in facilities}


async def _one_with_beds(session: AsyncSession, facility: Facility) -> FacilityBeds:
    return (await _with_beds(session, [facility]))[facility.id]


def _saved(row: Facility | Unit) -> Any:
    row.version += 1
    row.updated_at = utcnow()
    return row.updated_at


async def _publish(
    session: AsyncSession,
    event: EventType[E],
    facility: Facility,
    row: Facility | Unit,
    **fields: Any,
) -> None:
    data = event.payload.of(row, **fields)
    await record_event(
        session,
        event,
        data,
        subject=str(facility.id),
        organisation=facility.operator_organisation,
    )
