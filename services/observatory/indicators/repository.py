"""Read-model queries: the only place that builds SQL for indicators."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sql
from sqlalchemy import ColumnElement, case, exists, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.observatory.indicators.breakdowns import Counts, Level
from services.observatory.indicators.domain import Cohort
from services.observatory.indicators.models import CaseFact, ReferralFact
from services.observatory.indicators.timeliness import Step, Timing, hours_between


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


def _done_at(step: Step) -> ColumnElement[datetime]:
    """When a referral reached ``step`` (a hand-over is the first reach when no first contact
    was recorded); null while it has not."""
    handed_over: ColumnElement[datetime] = _referrals.c.handed_over_at
    if step is Step.HAND_OVER:
        return handed_over
    return func.coalesce(_referrals.c.first_contacted_at, handed_over)


async def cohort_timings(session: AsyncSession, cohort: Cohort, step: Step) -> list[Timing]:
    """How long each referral of the cohort that reached ``step`` took, with its values of
    the dimensions (month received, Municipio, target group)."""
    referral = ReferralFact
    done_at = _done_at(step)
    query = sql.select(
        col(referral.received_month),
        col(referral.municipio),
        col(referral.target_group),
        col(referral.received_at),
        done_at,
    ).where(*_in_cohort(col(referral.received_at), cohort), done_at.is_not(None))
    rows = await (await session.connection()).execute(query)
    return [
        Timing(
            ("unknown" if month is None else month, str(municipio), group),
            hours_between(received_at, done),
        )
        for month, municipio, group, received_at, done in rows
    ]


async def upsert_referrals(
    session: AsyncSession,
    rows: list[dict[str, Any]],
    *,
    keep: tuple[str, ...],
    fill: tuple[str, ...] = (),
) -> None:
    """Insert the referrals' fact rows, one per referral; where a row exists, set only the
    ``keep`` columns from the new one (the facts the event carries that change), and the
    ``fill`` columns where they are still empty (facts another event knows better)."""
    connection = await session.connection()
    await connection.execute(_upsert_referrals(connection.dialect.name, keep, fill), rows)


async def insert_cases(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the cases' fact rows; a case already there is left as it is."""
    connection = await session.connection()
    await connection.execute(_insert_cases(connection.dialect.name), rows)


# Statements built once per dialect (their construction, `excluded` above all, cost more than
# running them in a replay's batches); the rows are the execution's parameters.


def _insert(dialect: str, table: Any) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@functools.cache
def _upsert_referrals(dialect: str, keep: tuple[str, ...], fill: tuple[str, ...]) -> Any:
    statement = _insert(dialect, _referrals)
    filled = {name: func.coalesce(_referrals.c[name], statement.excluded[name]) for name in fill}
    return statement.on_conflict_do_update(
        index_elements=[_referrals.c.referral_id],
        set_={**{name: statement.excluded[name] for name in keep}, **filled},
    )


@functools.cache
def _insert_cases(dialect: str) -> Any:
    return _insert(dialect, _cases).on_conflict_do_nothing()


_referrals = ReferralFact.__table__  # type: ignore[attr-defined]
_cases = CaseFact.__table__  # type: ignore[attr-defined]
