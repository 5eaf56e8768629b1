"""Facility use cases: load, apply the domain rules, save, record events. Never commits."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from kit.schemas import TargetGroup
from services.housing.facilities import repository
from services.housing.facilities.domain import FacilityKind, canonical_target_groups
from services.housing.facilities.events import FacilityRegistered, FacilityRegisteredData
from services.housing.facilities.models import Facility, FacilityTargetGroup
from services.housing.facilities.schemas import FacilityCreate


class FacilityNotFound(NotFound):
    slug = "facility-not-found"
    title = "Facility not found"


async def register(
    *, session: AsyncSession, principal: Principal, facility_in: FacilityCreate
) -> Facility:
    now = utcnow()
    target_groups = canonical_target_groups(facility_in.target_groups)
    facility = Facility(
        name=facility_in.name,
        kind=facility_in.kind,
        operator_organisation=principal.organisation,
        municipio=facility_in.municipio,
        capacity_beds=facility_in.capacity_beds,
        sex=facility_in.sex,
        accessible=facility_in.accessible,
        max_stay_days=facility_in.max_stay_days,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    facility.target_group_rows = [
        FacilityTargetGroup(facility_id=facility.id, target_group=group) for group in target_groups
    ]
    session.add(facility)
    await session.flush()
    await record_event(
        session,
        FacilityRegistered,
        FacilityRegisteredData.of(
            facility,
            facility_id=facility.id,
            target_groups=[str(group) for group in target_groups],
            registered_at=facility.created_at,
        ),
        subject=str(facility.id),
        organisation=principal.organisation,
    )
    return facility


async def list_facilities(
    *,
    session: AsyncSession,
    page: PageParams,
    kind: FacilityKind | None,
    municipio: int | None,
    target_group: TargetGroup | None,
) -> Page[Facility]:
    """Facilities, newest first; facilities are not person data, so every reader sees all."""
    return await repository.list_facilities(
        session, page, kind=kind, municipio=municipio, target_group=target_group
    )


async def get(*, session: AsyncSession, facility_id: uuid.UUID) -> Facility:
    facility = await repository.get(session, facility_id)
    return require_found(facility, FacilityNotFound(f"No facility {facility_id}."))
