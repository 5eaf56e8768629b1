"""Session queries: the only place that builds SQL for sessions."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.query import where_given
from services.events.sessions.models import InitiativeSession


async def get(
    session: AsyncSession,
    initiative_id: uuid.UUID,
    session_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> InitiativeSession | None:
    stmt = select(InitiativeSession).where(
        col(InitiativeSession.id) == session_id,
        col(InitiativeSession.initiative_id) == initiative_id,
    )
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def of_initiative(
    session: AsyncSession, initiative_id: uuid.UUID, page: PageParams, status: str | None
) -> Page[InitiativeSession]:
    stmt = where_given(
        select(InitiativeSession).where(col(InitiativeSession.initiative_id) == initiative_id),
        (InitiativeSession.status, status),
    )
    return await paginate(
        session, stmt, page, order_by=(InitiativeSession.starts_at, InitiativeSession.id)
    )
