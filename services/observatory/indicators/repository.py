"""Read-model queries: the only place that builds SQL for indicators."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sql
from sqlalchemy import ColumnElement, case, exists, func
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from services.observatory.indicators.breakdowns import Counts, Level
from services.observatory.indicators.domain import Cohort, Indicator
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


def _per_municipio(indicator: Indicator, cohort: Cohort) -> Select[int, int]:
    conditions: list[ColumnElement[bool]]
    match indicator:
        case Indicator.REFERRALS_RECEIVED:
            municipio, received_at = col(ReferralFact.municipio), col(ReferralFact.received_at)
            conditions = []
        case Indicator.REFERRALS_HANDED_OVER:
            municipio, received_at = col(ReferralFact.municipio), col(ReferralFact.received_at)
            conditions = [col(ReferralFact.handed_over_at).is_not(None)]
        case Indicator.CASES_OPEN:  # no case ends yet: closures will narrow this
            municipio, received_at = col(CaseFact.municipio), col(CaseFact.referral_received_at)
            conditions = []
    conditions += _in_cohort(received_at, cohort)
    return select(municipio, func.count()).where(*conditions).group_by(municipio)


async def counts_by_municipio(
    session: AsyncSession, indicator: Indicator, cohort: Cohort
) -> dict[int, int]:
    """The indicator's count in each Municipio that has any, over the cohort's referrals."""
    rows = await session.exec(_per_municipio(indicator, cohort))
    return {municipio: count for municipio, count in rows}


async def cohort_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The cohort's referrals by where they stand (taken in charge, handed over only, received
    only), month received, Municipio and target group: one grouped query."""
    referral = ReferralFact
    taken = exists().where(col(CaseFact.referral_id) == col(referral.referral_id))
    level = case(
        (taken, Level.TAKEN_IN_CHARGE.value),
        (col(referral.handed_over_at).is_not(None), Level.HANDED_OVER.value),
        else_=Level.RECEIVED.value,
    )
    conditions = _in_cohort(col(referral.received_at), cohort)
    month, municipio, group = (
        col(referral.received_month),
        col(referral.municipio),
        col(referral.target_group),
    )
    keys = (level, month, municipio, group)
    query = sql.select(*keys, func.count()).where(*conditions).group_by(*keys)
    rows = await (await session.connection()).execute(query)  # five columns: Core
    return {(row[0], row[1] or "", row[2], row[3]): row[4] for row in rows}
