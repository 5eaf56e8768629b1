"""Initiative queries: the only place that builds SQL for initiatives.

Initiatives are public activities, not person data: every caller allowed to read them sees all
of them, whatever their organisation.
"""

from __future__ import annotations

import uuid
from typing import Any, TypedDict, Unpack

from sqlalchemy import Text, cast
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.query import first, where_given
from services.events.initiatives.domain import Audience, InitiativeKind, InitiativeStatus
from services.events.initiatives.models import Initiative


class InitiativeFilter(TypedDict):
    """What a list of initiatives is narrowed to; a filter given as ``None`` is left out."""

    kind: InitiativeKind | None
    municipio: int | None
    organiser: str | None
    status: InitiativeStatus | None
    audience: Audience | None
    topic: str | None
    partner: str | None


def _holds(column: Any, value: str) -> Any:
    """Whether the JSON list in `column` holds `value`, on SQLite and PostgreSQL alike: its
    text holds ``"value"``, which is exact for topics and aliases (no quote, backslash or
    wildcard can be in them)."""
    return cast(column, Text).contains(f'"{value}"', autoescape=True)


async def get(
    session: AsyncSession, initiative_id: uuid.UUID, *, for_update: bool = False
) -> Initiative | None:
    stmt = select(Initiative).where(Initiative.id == initiative_id)
    return await first(session, stmt, for_update=for_update)


async def list_initiatives(
    session: AsyncSession, page: PageParams, **where: Unpack[InitiativeFilter]
) -> Page[Initiative]:
    stmt = where_given(
        select(Initiative),
        (Initiative.kind, where["kind"]),
        (Initiative.municipio, where["municipio"]),
        (Initiative.organiser_organisation, where["organiser"]),
        (Initiative.status, where["status"]),
        (Initiative.audience, where["audience"]),
        (col(Initiative.topics), where["topic"], _holds),
        (col(Initiative.partner_organisations), where["partner"], _holds),
    )
    return await paginate(
        session, stmt, page, order_by=(Initiative.created_at, Initiative.id), descending=True
    )
