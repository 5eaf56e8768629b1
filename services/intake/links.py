"""Rows linking a person to something (a referral, a household, a consent), re-pointed from one
person to another when duplicates are merged, and back when the merge is split.

Each feature's repository declares its link table once (``move_links = LinkTable(...).move``)
and its service offers that as ``move_links``; the subject-rights module
(services.intake.subject_rights) asks every feature to move what it holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class LinkTable:
    """A table with a ``person_id`` column and a ``key`` column naming what it links to."""

    table: Any
    key: str

    async def move(
        self,
        session: AsyncSession,
        *,
        from_person: uuid.UUID,
        to_person: uuid.UUID,
        only: Collection[uuid.UUID] | None = None,
    ) -> list[uuid.UUID]:
        """Re-point the rows from one person to another, except where the target already has a
        row with that key; returns the keys moved. ``only``: move just these keys (a split
        moving back what a merge moved)."""
        person_col, key_col = self.table.person_id, getattr(self.table, self.key)
        taken = select(key_col).where(person_col == to_person)
        stmt = select(key_col).where(person_col == from_person, key_col.not_in(taken))
        if only is not None:
            stmt = stmt.where(key_col.in_(list(only)))
        keys = sorted(await session.exec(stmt), key=str)
        if keys:
            await session.exec(
                update(self.table)
                .where(person_col == from_person, key_col.in_(keys))
                .values(person_id=to_person)
            )
        return list(keys)
