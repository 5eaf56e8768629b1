"""Facility use cases: load, apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.errors import NotFound, require_found
from kit.usecases import add_announced, created_by
from services.housing.facilities import repository
from services.housing.facilities.domain import canonical_target_groups
from services.housing.facilities.events import FacilityRegistered
from services.housing.facilities.models import Facility, FacilityTargetGroup
from services.housing.facilities.schemas import FacilityCreate


class FacilityNotFound(NotFound):
    slug = "facility-not-found"
    title = "Facility not found"


async def register(
    *, session: AsyncSession, principal: Principal, facility_in: FacilityCreate
) -> Facility:
    operator = principal.organisation
    target_groups = canonical_target_groups(facility_in.target_groups)
    facility = Facility(
        **facility_in.model_dump(exclude={"target_groups"}),
        operator_organisation=operator,
        **created_by(principal),
    )
    facility.target_group_rows = [
        FacilityTargetGroup(facility_id=facility.id, target_group=group) for group in target_groups
    ]
    return await add_announced(
        session,
        facility,
        FacilityRegistered,
        organisation=operator,
        facility_id=facility.id,
        target_groups=[str(group) for group in target_groups],
        registered_at=facility.created_at,
    )


list_facilities = repository.list_facilities
"""Facilities, newest first; facilities are not person data, so every reader sees all."""


async def get(*, session: AsyncSession, facility_id: uuid.UUID) -> Facility:
    facility = await repository.get(session, facility_id)
    return require_found(facility, FacilityNotFound(f"No facility {facility_id}."))
