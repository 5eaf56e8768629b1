"""Consent queries: the only place that builds SQL for consents."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake import links
from services.intake.persons.consents.models import Consent


async def of_person(session: AsyncSession, person_id: uuid.UUID) -> list[Consent]:
    """The person's consents, oldest first."""
    stmt = (
        select(Consent)
        .where(Consent.person_id == person_id)
        .order_by(col(Consent.recorded_at), col(Consent.id))
    )
    return list(await session.exec(stmt))


async def get(
    session: AsyncSession, person_id: uuid.UUID, consent_id: uuid.UUID, *, for_update: bool = False
) -> Consent | None:
    """The person's consent `consent_id` (locked for a change with `for_update`)."""
    stmt = select(Consent).where(Consent.id == consent_id, Consent.person_id == person_id)
    return (await session.exec(stmt.with_for_update() if for_update else stmt)).first()


async def of_persons(session: AsyncSession, person_ids: Collection[uuid.UUID]) -> list[Consent]:
    return list(await session.exec(select(Consent).where(col(Consent.person_id).in_(person_ids))))


move_links = links.LinkTable(Consent, "id").move
"""Re-point a person's consents from one person to another (merge and split)."""
