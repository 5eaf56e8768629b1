"""Initiative queries: the only place that builds SQL for initiatives.

Initiatives are public activities, not person data: every caller allowed to read them sees all
of them, whatever their organisation.
"""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.query import where_given
from services.events.initiatives.domain import InitiativeKind
from services.events.initiatives.models import Initiative


async def get(session: AsyncSession, initiative_id: uuid.UUID) -> Initiative | None:
    return await session.get(Initiative, initiative_id)


async def list_initiatives(
    session: AsyncSession,
    params: PageParams,
    *,
    kind: InitiativeKind | None,
    municipio: int | None,
    organiser: str | None,
) -> Page[Initiative]:
    stmt = where_given(
        select(Initiative),
        (Initiative.kind, kind),
        (Initiative.municipio, municipio),
        (Initiative.organiser_organisation, organiser),
    )
    return await paginate(
        session, stmt, params, order_by=(Initiative.created_at, Initiative.id), descending=True
    )
