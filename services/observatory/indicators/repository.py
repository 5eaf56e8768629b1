"""Read-model queries: the only place that builds SQL for indicators."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sql
from sqlalchemy import ColumnElement, case, exists, func
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.observatory.indicators.breakdowns import Counts, Level
from services.observatory.indicators.domain import Cohort
from services.observatory.indicators.models import CaseFact, ReferralFact


async def get_referral(session: AsyncSession, referral_id: uuid.UUID) -> ReferralFact | None:
    return await session.get(ReferralFact, referral_id)


async def get_case(session: AsyncSession, case_id: uuid.UUID) -> CaseFact | None:
    return await session.get(CaseFact, case_id)


def _in_cohort(received_at: Mapped[datetime], cohort: Cohort) -> list[ColumnElement[bool]]:
    """Received within the cohort's bounds (an open end does not bound)."""
    conditions: list[ColumnElement[bool]] = []
    if cohort.received_from is not None:
        conditions.append(received_at >= cohort.received_from)
    if cohort.received_to is not None:
        conditions.append(received_at < cohort.received_to)
    return conditions


async def cohort_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The cohort's referrals by where they stand (taken in charge, handed over only, received
    only) and by each dimension (month received, Municipio, target group): one
    grouped query."""
    referral = ReferralFact
    taken = exists().where(col(CaseFact.referral_id) == col(referral.referral_id))
    level = case(
        (taken, Level.TAKEN_IN_CHARGE.value),
        (col(referral.handed_over_at).is_not(None), Level.HANDED_OVER.value),
        else_=Level.RECEIVED.value,
    )
    conditions = _in_cohort(col(referral.received_at), cohort)
    keys = (
        level,
        col(referral.received_month),
        col(referral.municipio),
        col(referral.target_group),
    )
    query = sql.select(*keys, func.count()).where(*conditions).group_by(*keys)
    rows = await (await session.connection()).execute(query)  # five columns: Core
    # a referral consumed before its month was kept has none (migration 2026-12-03-0937)
    return {tuple("unknown" if v is None else str(v) for v in row[:-1]): row[-1] for row in rows}
