"""Placement queries: the only place that builds SQL for placements."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TypedDict, Unpack

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.pagination import Page, PageParams, paginate
from kit.query import first, where_given
from services.housing.placements.models import Placement
from services.housing.visibility import visible_placements


class PlacementFilter(TypedDict):
    facility_id: uuid.UUID | None
    request_id: uuid.UUID | None
    current: bool | None  # not moved out (true) or moved out (false)


async def get(
    session: AsyncSession, principal: Principal, placement_id: uuid.UUID, *, for_update: bool
) -> Placement | None:
    stmt = select(Placement).where(col(Placement.id) == placement_id, visible_placements(principal))
    return await first(session, stmt, for_update=for_update)


async def list_placements(
    session: AsyncSession, principal: Principal, page: PageParams, **where: Unpack[PlacementFilter]
) -> Page[Placement]:
    stmt = where_given(
        select(Placement).where(visible_placements(principal)),
        (Placement.facility_id, where["facility_id"]),
        (Placement.request_id, where["request_id"]),
    )
    if where["current"] is not None:
        ended = col(Placement.moved_out_on).is_(None)
        stmt = stmt.where(ended if where["current"] else ~ended)
    return await paginate(
        session, stmt, page, order_by=(Placement.moved_in_on, Placement.id), descending=True
    )


async def of_facility_between(
    session: AsyncSession, facility_id: uuid.UUID, first_day: date, last_day: date
) -> list[Placement]:
    """The facility's placements that overlap the days."""
    stmt = select(Placement).where(
        col(Placement.facility_id) == facility_id,
        col(Placement.moved_in_on) <= last_day,
        or_(col(Placement.moved_out_on).is_(None), col(Placement.moved_out_on) > first_day),
    )
    return list(await session.exec(stmt))
