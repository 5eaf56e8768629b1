"""Grant and legal-basis queries: the only place that builds SQL for them."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.sharing.models import AccessGrant, LegalBasis


async def grants_of(session: AsyncSession, case_id: uuid.UUID) -> list[AccessGrant]:
    stmt = select(AccessGrant).where(col(AccessGrant.case_id) == case_id)
    return list(await session.exec(stmt.order_by(col(AccessGrant.granted_at))))


async def bases_of(session: AsyncSession, case_id: uuid.UUID) -> list[LegalBasis]:
    stmt = select(LegalBasis).where(col(LegalBasis.case_id) == case_id)
    return list(await session.exec(stmt.order_by(col(LegalBasis.purpose))))
