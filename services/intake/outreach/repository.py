"""Offline sync queries: the only place that builds SQL for sync items and conflicts."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import TypedDict

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing
from services.intake.outreach.models import SyncConflict, SyncItem
from services.intake.visibility import visible_person_ids


async def stored_items(
    session: AsyncSession, owner: str, client_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, SyncItem]:
    if not client_ids:
        return {}
    stmt = select(SyncItem).where(
        SyncItem.owner == owner, col(SyncItem.client_id).in_(list(client_ids))
    )
    return {item.client_id: item for item in await session.exec(stmt)}


async def stored_item(session: AsyncSession, owner: str, client_id: uuid.UUID) -> SyncItem | None:
    found = await stored_items(session, owner, [client_id])
    return found.get(client_id)


def _visible(
    stmt: SelectOfScalar[SyncConflict], principal: Principal
) -> SelectOfScalar[SyncConflict]:
    """A conflict is seen by who sees its person (coordinators: all)."""
    visible = visible_person_ids(principal)
    if visible is None:
        return stmt
    return stmt.where(col(SyncConflict.person_id).in_(visible))


async def get_conflict(
    session: AsyncSession, conflict_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> SyncConflict | None:
    stmt = _visible(select(SyncConflict).where(SyncConflict.id == conflict_id), principal)
    if for_update:
        stmt = stmt.with_for_update(of=SyncConflict)
    return (await session.exec(stmt)).first()


async def conflicts_of(
    session: AsyncSession, person_ids: Collection[uuid.UUID]
) -> list[SyncConflict]:
    """Every conflict on these persons (subject access, erasure), oldest first."""
    if not person_ids:
        return []
    stmt = (
        select(SyncConflict)
        .where(col(SyncConflict.person_id).in_(list(person_ids)))
        .order_by(col(SyncConflict.created_at), col(SyncConflict.id))
    )
    return list(await session.exec(stmt))


class ConflictFilter(TypedDict, total=False):
    """What the conflict queue may be narrowed to (both optional, combined with AND)."""

    status: str | None
    person_id: uuid.UUID | None


_QUEUE = Listing(
    filters={"status": SyncConflict.status, "person_id": SyncConflict.person_id},
    order_by=(SyncConflict.created_at, SyncConflict.id),  # a queue: oldest first
)


async def list_conflicts(
    session: AsyncSession, principal: Principal, params: PageParams, *, where: ConflictFilter
) -> Page[SyncConflict]:
    return await _QUEUE.page(session, _visible(select(SyncConflict), principal), params, where)
