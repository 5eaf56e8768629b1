"""Read-model queries of the casework indicators: cases and their first plan's approval,
reviews and their breaches, minors coming of age, caseloads. Every write is an insert a
redelivery or a replay in another order leaves as it was."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime
from typing import Any

import sqlalchemy as sql
from sqlalchemy import ColumnElement, Table, case, exists, func
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.query import dialect_insert, insert_new
from services.observatory.indicators.bounds import within
from services.observatory.indicators.breakdowns import OPEN, Counts, month_of
from services.observatory.indicators.casework import (
    coming_of_age_level,
    plan_level,
    review_level,
)
from services.observatory.indicators.domain import Cohort
from services.observatory.indicators.models import (
    CaseFact,
    CaseStanding,
    ComingOfAgeFact,
    PlanApproval,
    ReviewBreach,
    ReviewFact,
)


async def case_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The cases opened in the cohort, by whether their first plan was approved in time, by
    month opened, Municipio and target group."""
    query = (
        sql.select(
            col(CaseFact.opened_at),
            col(PlanApproval.approved_at),
            col(CaseFact.opened_month),
            col(CaseFact.municipio),
            col(CaseFact.target_group),
        )
        .outerjoin(PlanApproval, col(PlanApproval.case_id) == col(CaseFact.case_id))
        .where(*within(col(CaseFact.opened_at), cohort))
    )
    rows = await (await session.connection()).execute(query)
    return Counter(
        (plan_level(opened, approved), month or month_of(opened), str(municipio), group)
        for opened, approved, month, municipio, group in rows
    )


async def review_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The reviews recorded in the cohort, on time or late, by month recorded, Municipio and
    target group."""
    late = exists().where(
        col(ReviewBreach.case_id) == col(ReviewFact.case_id),
        col(ReviewBreach.cycle) == col(ReviewFact.cycle),
    )
    keys = (
        case((late, True), else_=False),
        col(ReviewFact.month),
        col(ReviewFact.municipio),
        col(ReviewFact.target_group),
    )
    query = (
        sql.select(*keys, func.count())
        .where(*within(col(ReviewFact.reviewed_at), cohort))
        .group_by(*keys)
    )
    rows = await (await session.connection()).execute(query)
    return {
        (review_level(bool(breached)), month, str(municipio), group): n
        for breached, month, municipio, group, n in rows
    }


async def coming_of_age_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The minors' cases reaching the month of 18 in the cohort, with a transition plan or
    not, by month, Municipio and target group."""
    query = sql.select(
        col(ComingOfAgeFact.with_plan),
        col(ComingOfAgeFact.raised_on),
        col(ComingOfAgeFact.municipio),
        col(ComingOfAgeFact.target_group),
    ).where(*within(col(ComingOfAgeFact.raised_on), cohort, by_day=True))
    rows = await (await session.connection()).execute(query)
    return Counter(
        (coming_of_age_level(with_plan), day.strftime("%Y-%m"), str(municipio), group)
        for with_plan, day, municipio, group in rows
    )


async def caseload_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The cases open at the cohort's end, by Municipio, target group and lead organisation
    then: each case as its latest standing before that moment says."""
    if cohort.end is None:
        raise ValueError("A caseload is counted at the cohort's end.")
    standing, later = _standings.alias("standing"), _standings.alias()
    superseded = exists().where(
        later.c.case_id == standing.c.case_id,
        later.c.since > standing.c.since,
        later.c.since < cohort.end,
    )
    keys = (standing.c.municipio, standing.c.target_group, standing.c.lead_organisation)
    query = (
        sql.select(*keys, func.count())
        .where(standing.c.since < cohort.end, standing.c.open.is_(True), ~superseded)
        .group_by(*keys)
    )
    rows = await (await session.connection()).execute(query)
    return {(OPEN, str(municipio), group, lead): n for municipio, group, lead, n in rows}


async def insert_cases(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the cases' fact rows; a case already there is left as it is."""
    await insert_new(session, _table(CaseFact), rows)


async def record_approvals(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the first plans' approvals; where a case has one, keep the earlier."""
    if rows:
        connection = await session.connection()
        await connection.execute(_earliest_approval(connection.dialect.name), rows)


async def insert_reviews(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await insert_new(session, _table(ReviewFact), rows)


async def insert_breaches(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await insert_new(session, _table(ReviewBreach), rows)


async def insert_standings(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await insert_new(session, _standings, rows)


async def insert_coming_of_age(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await insert_new(session, _table(ComingOfAgeFact), rows)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


_standings = _table(CaseStanding)


@functools.cache
def _earliest_approval(dialect: str) -> Any:
    # built once per dialect (see `repository`)
    table = _table(PlanApproval)
    statement = dialect_insert(dialect, table)
    excluded: ColumnElement[datetime] = statement.excluded.approved_at
    return statement.on_conflict_do_update(
        index_elements=[table.c.case_id],
        set_={"approved_at": excluded},
        where=excluded < table.c.approved_at,
    )
