"""Plan queries: the only place that builds SQL for plans."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.query import first
from services.casework.plans.models import Plan, PlanVersion


async def plan_of(
    session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False
) -> Plan | None:
    return await first(
        session, select(Plan).where(col(Plan.case_id) == case_id), for_update=for_update
    )


async def version_of(session: AsyncSession, plan_id: uuid.UUID, version: int) -> PlanVersion | None:
    return await session.get(PlanVersion, (plan_id, version))


async def versions_of(
    session: AsyncSession, plan_id: uuid.UUID, params: PageParams
) -> Page[PlanVersion]:
    stmt = select(PlanVersion).where(col(PlanVersion.plan_id) == plan_id)
    return await paginate(session, stmt, params, order_by=(PlanVersion.version,))


async def all_versions_of(session: AsyncSession, plan_id: uuid.UUID) -> list[PlanVersion]:
    stmt = select(PlanVersion).where(col(PlanVersion.plan_id) == plan_id)
    return list(await session.exec(stmt.order_by(col(PlanVersion.version))))
