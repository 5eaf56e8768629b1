"""Referral queries: the only place that builds SQL for referrals."""

from __future__ import annotations

import uuid

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams, paginate
from services.intake.referrals.models import Referral


def _visible(stmt: SelectOfScalar[Referral], principal: Principal) -> SelectOfScalar[Referral]:
    if principal.is_coordinator:
        return stmt
    org = principal.organisation
    return stmt.where(
        or_(Referral.reporting_organisation == org, Referral.lead_organisation == org)  # type: ignore[arg-type]
    )


async def get_visible(
    session: AsyncSession, referral_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> Referral | None:
    stmt = _visible(select(Referral).where(Referral.id == referral_id), principal)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, *, status: str | None
) -> Page[Referral]:
    stmt = _visible(select(Referral), principal)
    if status is not None:
        stmt = stmt.where(Referral.status == status)
    return await paginate(
        session, stmt, params, order_by=(Referral.created_at, Referral.id), descending=True
    )
