"""Facility and unit queries: the only place that builds SQL for facilities.

Facilities are not person data: every caller allowed to read them sees all of them, whatever
their organisation, so there is no visibility filter here (unlike referrals or cases).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any, TypedDict, Unpack

from sqlalchemy.orm import selectinload
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.pagination import Page, PageParams, paginate
from kit.query import among, first, where_given
from kit.schemas import TargetGroup
from services.housing.facilities.domain import FacilityKind
from services.housing.facilities.models import Facility, FacilityTargetGroup, Unit


class FacilityFilter(TypedDict):
    """What a list of facilities is narrowed to; a filter given as ``None`` is left out."""

    kind: FacilityKind | None
    municipio: int | None
    target_group: TargetGroup | None


def _with_target_groups() -> SelectOfScalar[Facility]:
    return select(Facility).options(selectinload(Facility.target_group_rows))  # type: ignore[arg-type]


def _admits(rows: Any, target_group: TargetGroup) -> Any:
    return rows.any(FacilityTargetGroup.target_group == target_group)


async def get(
    session: AsyncSession, facility_id: uuid.UUID, *, for_update: bool = False
) -> Facility | None:
    stmt = _with_target_groups().where(col(Facility.id) == facility_id)
    return await first(session, stmt, for_update=for_update)


async def list_facilities(
    session: AsyncSession, page: PageParams, **where: Unpack[FacilityFilter]
) -> Page[Facility]:
    stmt = where_given(
        _with_target_groups(),
        (Facility.kind, where["kind"]),
        (Facility.municipio, where["municipio"]),
        (Facility.target_group_rows, where["target_group"], _admits),
    )
    return await paginate(
        session, stmt, page, order_by=(Facility.created_at, Facility.id), descending=True
    )


async def all_facilities(session: AsyncSession) -> list[Facility]:
    """Every facility, oldest first (a matching run weighs them all)."""
    stmt = _with_target_groups().order_by(col(Facility.created_at), col(Facility.id))
    return list(await session.exec(stmt))


async def units_of(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], *, for_update: bool = False
) -> list[Unit]:
    """The units of the facilities, in the order they were added (locked with
    `for_update`)."""
    if not facility_ids:
        return []
    stmt = (
        select(Unit)
        .where(await among(session, col(Unit.facility_id), facility_ids))
        .order_by(col(Unit.created_at), col(Unit.id))
    )
    if for_update:
        stmt = stmt.with_for_update()
    return list(await session.exec(stmt))


async def get_unit(
    session: AsyncSession, facility_id: uuid.UUID, unit_id: uuid.UUID, *, for_update: bool = False
) -> Unit | None:
    stmt = select(Unit).where(col(Unit.id) == unit_id, col(Unit.facility_id) == facility_id)
    return await first(session, stmt, for_update=for_update)


async def unit_by_id(
    session: AsyncSession, unit_id: uuid.UUID, *, for_update: bool = False
) -> Unit | None:
    return await first(session, select(Unit).where(col(Unit.id) == unit_id), for_update=for_update)
