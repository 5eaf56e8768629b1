"""Rows linking a person to something (a referral, a household, a consent), re-pointed from one
person to another when duplicates are merged, and back when the merge is split.

Each feature's repository moves its own link table with `move_links`; the subject-rights module
(services.intake.subject_rights) asks every feature to do so.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def move_links(
    session: AsyncSession,
    link: Any,
    key: str,
    *,
    from_person: uuid.UUID,
    to_person: uuid.UUID,
    only: Collection[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """Re-point ``link`` rows (a table with ``person_id`` and a ``key`` column) from one person
    to another, except where the target already has a row with that key; returns the keys moved.
    ``only``: move just these keys (a split moving back what a merge moved)."""
    person_col, key_col = link.person_id, getattr(link, key)
    taken = select(key_col).where(person_col == to_person)
    stmt = select(key_col).where(person_col == from_person, key_col.not_in(taken))
    if only is not None:
        stmt = stmt.where(key_col.in_(list(only)))
    keys = sorted(await session.exec(stmt), key=str)
    if keys:
        await session.exec(
            update(link)
            .where(person_col == from_person, key_col.in_(keys))
            .values(person_id=to_person)
        )
    return list(keys)
