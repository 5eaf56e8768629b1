"""Referral queries: the only place that builds SQL for referrals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class ReferralFilter:
    """What a list of referrals may be narrowed to (all optional, combined with AND)."""

    status: str | None = None
    channel: str | None = None
    urgency: str | None = None
    organisation: str | None = None  # reporting or lead organisation
    municipio: int | None = None
    received_from: datetime | None = None  # inclusive
    received_to: datetime | None = None  # exclusive


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, *, where: ReferralFilter
) -> Page[Referral]:
    stmt = _visible(select(Referral), principal)
    if where.status is not None:
        stmt = stmt.where(Referral.status == where.status)
    if where.channel is not None:
        stmt = stmt.where(Referral.channel == where.channel)
    if where.urgency is not None:
        stmt = stmt.where(Referral.urgency == where.urgency)
    if where.organisation is not None:
        stmt = stmt.where(
            or_(
                Referral.reporting_organisation == where.organisation,  # type: ignore[arg-type]
                Referral.lead_organisation == where.organisation,  # type: ignore[arg-type]
            )
        )
    if where.municipio is not None:
        stmt = stmt.where(Referral.municipio == where.municipio)
    if where.received_from is not None:
        stmt = stmt.where(Referral.received_at >= where.received_from)
    if where.received_to is not None:
        stmt = stmt.where(Referral.received_at < where.received_to)
    return await paginate(
        session, stmt, params, order_by=(Referral.created_at, Referral.id), descending=True
    )
