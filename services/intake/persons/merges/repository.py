"""Merge queries: the only place that builds SQL for person merges."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.query import first
from services.intake.persons.merges.models import PersonMerge


async def get(
    session: AsyncSession, merge_id: uuid.UUID, *, for_update: bool = False
) -> PersonMerge | None:
    stmt = select(PersonMerge).where(PersonMerge.id == merge_id)
    return await first(session, stmt, for_update=for_update)


async def into(session: AsyncSession, survivor_ids: Collection[uuid.UUID]) -> list[PersonMerge]:
    """The merges into any of these persons."""
    stmt = select(PersonMerge).where(col(PersonMerge.survivor_id).in_(survivor_ids))
    return list(await session.exec(stmt))
