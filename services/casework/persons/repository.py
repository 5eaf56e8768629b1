"""Queries on what casework keeps of intake's persons."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.persons.models import PersonRestriction


async def restrictions_of(session: AsyncSession, person_ref: uuid.UUID) -> list[PersonRestriction]:
    stmt = select(PersonRestriction).where(col(PersonRestriction.person_ref) == person_ref)
    return list(await session.exec(stmt.order_by(col(PersonRestriction.purpose))))
