"""Placement queries: the only place that builds SQL for placements."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TypedDict, Unpack

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, or_, select
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
    over_stay: bool | None  # still there after stay_ends_on (true) or not (false)


def over_stay(today: date) -> ColumnElement[bool]:
    """SQL: `domain.over_stay` on `today`: not moved out, and past the end of a maximum stay."""
    return and_(
        col(Placement.moved_out_on).is_(None),
        col(Placement.stay_ends_on).is_not(None),
        col(Placement.stay_ends_on) < today,
    )


async def get(
    session: AsyncSession, principal: Principal, placement_id: uuid.UUID, *, for_update: bool
) -> Placement | None:
    stmt = select(Placement).where(col(Placement.id) == placement_id, visible_placements(principal))
    return await first(session, stmt, for_update=for_update)


async def list_placements(
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    *,
    today: date,
    **where: Unpack[PlacementFilter],
) -> Page[Placement]:
    stmt = where_given(
        select(Placement).where(visible_placements(principal)),
        (Placement.facility_id, where["facility_id"]),
        (Placement.request_id, where["request_id"]),
    )
    if where["current"] is not None:
        ended = col(Placement.moved_out_on).is_(None)
        stmt = stmt.where(ended if where["current"] else ~ended)
    if where["over_stay"] is not None:
        over = over_stay(today)
        stmt = stmt.where(over if where["over_stay"] else ~over)
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


async def unalerted_over_stays(session: AsyncSession, today: date, limit: int) -> list[Placement]:
    """Up to `limit` placements over stay on `today` whose alert was not raised, longest over
    first, locked; rows another transaction holds (a move-out, a concurrent check) are skipped."""
    stmt = (
        select(Placement)
        .where(over_stay(today), col(Placement.stay_alerted_at).is_(None))
        .order_by(col(Placement.stay_ends_on), col(Placement.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.exec(stmt))
