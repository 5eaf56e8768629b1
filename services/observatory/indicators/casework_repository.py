"""Read-model queries of the casework indicators: cases and their first plan's approval,
reviews and their breaches, minors coming of age, caseloads. Every write is an insert a
redelivery or a replay in another order leaves as it was."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sql
from sqlalchemy import ColumnElement, case, exists, func
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.query import dialect_insert
from services.observatory.indicators.breakdowns import OPEN, Counts, month_of
from services.observatory.indicators.casework import (
    coming_of_age_level,
    plan_level,
    review_level,
)
from services.observatory.indicators.domain import Cohort
from services.observatory.indicators.housing import first_day
from services.observatory.indicators.models import (
    CaseFact,
    CaseStanding,
    ComingOfAgeFact,
    PlanApproval,
    ReviewBreach,
    ReviewFact,
)


def _within(column: Any, cohort: Cohort, *, by_day: bool = False) -> list[ColumnElement[bool]]:
    """``column`` (a time, or a city day) within the cohort's bounds."""
    bound = first_day if by_day else (lambda moment: moment)
    conditions: list[ColumnElement[bool]] = []
    if cohort.start is not None:
        conditions.append(column >= bound(cohort.start))
    if cohort.end is not None:
        conditions.append(column < bound(cohort.end))
    return conditions


def _counted(keys: Iterable[tuple[str, ...]]) -> Counts:
    counted: dict[tuple[str | int, ...], int] = {}
    for key in keys:
        counted[key] = counted.get(key, 0) + 1
    return counted


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
        .where(*_within(col(CaseFact.opened_at), cohort))
    )
    rows = await (await session.connection()).execute(query)
    return _counted(
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
        .where(*_within(col(ReviewFact.reviewed_at), cohort))
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
    ).where(*_within(col(ComingOfAgeFact.raised_on), cohort, by_day=True))
    rows = await (await session.connection()).execute(query)
    return _counted(
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
    await _execute(session, _insert_new, CaseFact, rows)


async def record_approvals(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the first plans' approvals; where a case has one, keep the earlier."""
    await _execute(session, _earliest_approval, PlanApproval, rows)


async def insert_reviews(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await _execute(session, _insert_new, ReviewFact, rows)


async def insert_breaches(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await _execute(session, _insert_new, ReviewBreach, rows)


async def insert_standings(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await _execute(session, _insert_new, CaseStanding, rows)


async def insert_coming_of_age(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await _execute(session, _insert_new, ComingOfAgeFact, rows)


async def _execute(
    session: AsyncSession, built: Any, model: Any, rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    connection = await session.connection()
    await connection.execute(built(connection.dialect.name, model.__table__), rows)


_standings = CaseStanding.__table__  # type: ignore[attr-defined]

# statements built once per dialect and table (see `repository`)


@functools.cache
def _insert_new(dialect: str, table: Any) -> Any:
    return dialect_insert(dialect, table).on_conflict_do_nothing()


@functools.cache
def _earliest_approval(dialect: str, table: Any) -> Any:
    statement = dialect_insert(dialect, table)
    excluded: ColumnElement[datetime] = statement.excluded.approved_at
    return statement.on_conflict_do_update(
        index_elements=[table.c.case_id],
        set_={"approved_at": excluded},
        where=excluded < table.c.approved_at,
    )
