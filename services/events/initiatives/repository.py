"""Initiative queries: the only place that builds SQL for initiatives.

Initiatives are public activities, not person data: every caller allowed to read them sees all
of them, whatever their organisation.
"""

from __future__ import annotations

import uuid
from typing import TypedDict, Unpack

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.query import where_given
from services.events.initiatives.domain import InitiativeKind
from services.events.initiatives.models import Initiative


class InitiativeFilter(TypedDict):
    """What a list of initiatives is narrowed to; a filter given as ``None`` is left out."""

    kind: InitiativeKind | None
    municipio: int | None
    organiser: str | None


async def get(session: AsyncSession, initiative_id: uuid.UUID) -> Initiative | None:
    return await session.get(Initiative, initiative_id)


async def list_initiatives(
    session: AsyncSession, page: PageParams, **where: Unpack[InitiativeFilter]
) -> Page[Initiative]:
    stmt = where_given(
        select(Initiative),
        (Initiative.kind, where["kind"]),
        (Initiative.municipio, where["municipio"]),
        (Initiative.organiser_organisation, where["organiser"]),
    )
    return await paginate(
        session, stmt, page, order_by=(Initiative.created_at, Initiative.id), descending=True
    )
