"""Referral queries: the only place that builds SQL for referrals, and who sees one."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import TypedDict

from sqlalchemy import ColumnElement, exists, not_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first, insert_once
from services.casework.referrals.domain import Direction, ReferralStatus
from services.casework.referrals.models import ReferralOverdueRaised, ServiceReferral
from services.casework.visibility import visible_case_ids

R = ServiceReferral


def visible_clause(principal: Principal, *, receiving: bool) -> ColumnElement[bool] | None:
    """Who sees a referral: whoever sees its case, and (`receiving`: a case worker or
    supervisor) the organisation that answers it. None: no restriction (a coordinator)."""
    cases = visible_case_ids(principal)
    if cases is None:
        return None
    seen_with_case = col(R.case_id).in_(cases)
    if not receiving:
        return seen_with_case
    return or_(col(R.receiving_organisation) == principal.organisation, seen_with_case)


async def get_visible(
    session: AsyncSession,
    referral_id: uuid.UUID,
    principal: Principal,
    *,
    receiving: bool,
    for_update: bool = False,
) -> ServiceReferral | None:
    stmt = select(R).where(col(R.id) == referral_id)
    clause = visible_clause(principal, receiving=receiving)
    if clause is not None:
        stmt = stmt.where(clause)
    return await first(session, stmt, for_update=for_update)


class ReferralFilter(TypedDict, total=False):
    status: ReferralStatus | None
    case_id: uuid.UUID | None
    receiving_organisation: str | None
    referring_organisation: str | None


_REFERRALS = Listing(
    filters={
        "status": R.status,
        "case_id": R.case_id,
        "receiving_organisation": R.receiving_organisation,
        "referring_organisation": R.referring_organisation,
    },
    order_by=(R.referred_at, R.id),
    descending=True,
)


def direction_filter(direction: Direction | None, organisation: str) -> ReferralFilter:
    if direction is Direction.INCOMING:
        return {"receiving_organisation": organisation}
    if direction is Direction.OUTGOING:
        return {"referring_organisation": organisation}
    return {}


async def list_visible(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    where: ReferralFilter,
    *,
    receiving: bool,
) -> Page[ServiceReferral]:
    stmt = select(R)
    clause = visible_clause(principal, receiving=receiving)
    if clause is not None:
        stmt = stmt.where(clause)
    return await _REFERRALS.page(session, stmt, params, where)


async def list_of_case(
    session: AsyncSession, case_id: uuid.UUID, params: PageParams
) -> Page[ServiceReferral]:
    return await _REFERRALS.page(session, select(R), params, {"case_id": case_id})


async def of_case(session: AsyncSession, case_id: uuid.UUID) -> list[ServiceReferral]:
    stmt = select(R).where(col(R.case_id) == case_id).order_by(col(R.referred_at), col(R.id))
    return list(await session.exec(stmt))


async def blank_texts(session: AsyncSession, case_ids: Collection[uuid.UUID], text: str) -> int:
    """Replace the request texts and decline reasons of the referrals of `case_ids` by `text`;
    how many referrals held one."""
    if not case_ids:
        return 0
    holding = or_(col(R.request_text).is_not(None), col(R.decline_reason).is_not(None))
    found = list(await session.exec(select(R).where(col(R.case_id).in_(list(case_ids)), holding)))
    for referral in found:
        referral.request_text = text if referral.request_text is not None else None
        referral.decline_reason = text if referral.decline_reason is not None else None
    await session.flush()
    return len(found)


async def unraised_overdue(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[ServiceReferral]:
    """Pending referrals whose answer was due before `now` and not raised yet, oldest first."""
    raised = exists().where(col(ReferralOverdueRaised.referral_id) == col(R.id))
    stmt = (
        select(R)
        .where(col(R.status) == ReferralStatus.PENDING, col(R.answer_due_at) < now, not_(raised))
        .order_by(col(R.answer_due_at), col(R.id))
        .limit(limit)
    )
    return list(await session.exec(stmt))


async def claim_breach(
    session: AsyncSession, referral_id: uuid.UUID, due: datetime, now: datetime
) -> bool:
    """Claim the late answer of `referral_id` for this run: False if raised already."""
    return await insert_once(
        session,
        ReferralOverdueRaised.__table__,  # type: ignore[attr-defined]
        referral_id=referral_id,
        answer_due_at=due,
        raised_at=now,
    )
