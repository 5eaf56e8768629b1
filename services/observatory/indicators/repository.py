"""Read-model queries: with `casework_repository` (the cases'), the only places that build
SQL for indicators."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sql
from sqlalchemy import ColumnElement, case, exists, func
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.query import dialect_insert, insert_new
from services.observatory.indicators import casework_repository
from services.observatory.indicators.bounds import within
from services.observatory.indicators.breakdowns import (
    ATTENDANCES,
    ATTENDED,
    CASELOAD,
    CASES,
    COMING_OF_AGE,
    ELSEWHERE,
    EXITS,
    FEEDBACK,
    HELD,
    HELPFUL,
    NOT_HELPFUL,
    PARTICIPANTS,
    PLACED,
    PLACEMENTS,
    REFERRALS,
    REVIEWS,
    SESSIONS,
    TO_AUTONOMY,
    Counts,
    Scheme,
    referral_levels,
)
from services.observatory.indicators.domain import Cohort
from services.observatory.indicators.housing import (
    AUTONOMOUS_HOUSING,
    Measure,
    days,
)
from services.observatory.indicators.models import (
    CaseFact,
    FacilityFact,
    FeedbackFact,
    HousingRequestFact,
    InitiativeFact,
    Participation,
    PlacementFact,
    ReferralFact,
    SessionAttendance,
    SessionFact,
)
from services.observatory.indicators.reach import Attended, participant_counts
from services.observatory.indicators.timeliness import Step, Timing, hours_between


async def cohort_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The cohort's referrals by where they stand (taken in charge, handed over only, received
    only) and by each dimension (month received, Municipio, target group).

    Two grouped queries over the cohort's rows: every referral by whether it was handed
    over, and those of them a case was opened from (looked up among the cases of the same
    cohort: a case keeps its referral's reception time, as casework had it from intake's
    hand-over); where each stands is their difference (`referral_levels`). One query
    grouping by a level worked out per row took twice as long at 145,000 referrals a year:
    the planner could not tell how few levels there are, so it sorted every row."""
    referral = ReferralFact
    handed = col(referral.handed_over_at).is_not(None)
    keys = (
        handed,
        col(referral.received_month),
        col(referral.municipio),
        col(referral.target_group),
    )
    conditions = within(col(referral.received_at), cohort)
    taken = exists().where(
        col(CaseFact.referral_id) == col(referral.referral_id),
        *within(col(CaseFact.referral_received_at), cohort),
    )
    connection = await session.connection()  # five columns: Core
    every = await connection.execute(
        sql.select(*keys, func.count()).where(*conditions).group_by(*keys)
    )
    of_them = await connection.execute(
        sql.select(*keys, func.count()).where(*conditions, taken).group_by(*keys)
    )
    return referral_levels(every, of_them)


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
    ).where(*within(col(referral.received_at), cohort), done_at.is_not(None))
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


TAKING_PLACE = ("published", "completed")
"""The statuses of an initiative whose sessions count (not a draft, not cancelled)."""


def _held(cohort: Cohort) -> list[ColumnElement[bool]]:
    """Sessions of the cohort (starting in it), not cancelled, of an initiative that took or
    takes place."""
    taking_place = exists().where(
        col(InitiativeFact.initiative_id) == col(SessionFact.initiative_id),
        col(InitiativeFact.status).in_(TAKING_PLACE),
    )
    return [
        *within(col(SessionFact.starts_at), cohort),
        col(SessionFact.cancelled).is_(False),
        taking_place,
    ]


async def session_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The cohort's sessions held by month and Municipio."""
    keys = (col(SessionFact.month), col(SessionFact.municipio))
    query = sql.select(*keys, func.count()).where(*_held(cohort)).group_by(*keys)
    rows = await (await session.connection()).execute(query)
    return {(HELD, month, str(municipio)): n for month, municipio, n in rows}


async def attendance_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The attendances (checked in and walk-ins) at the cohort's sessions, by month and
    Municipio."""
    keys = (col(SessionFact.month), col(SessionFact.municipio))
    attended = func.sum(col(SessionAttendance.checked_in) + col(SessionAttendance.walk_ins))
    query = (
        sql.select(*keys, attended)
        .join(SessionAttendance, col(SessionAttendance.session_id) == col(SessionFact.session_id))
        .where(*_held(cohort))
        .group_by(*keys)
    )
    rows = await (await session.connection()).execute(query)
    return {(ATTENDED, month, str(municipio)): int(n) for month, municipio, n in rows}


async def participation_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The cohort's participants, each once, by repeat or not, month and Municipio."""
    query = (
        sql.select(
            col(Participation.participant),
            col(SessionFact.session_id),
            col(SessionFact.starts_at),
            col(SessionFact.month),
            col(SessionFact.municipio),
        )
        .join(SessionFact, col(SessionFact.session_id) == col(Participation.session_id))
        .where(*_held(cohort))
    )
    rows = await (await session.connection()).execute(query)
    return participant_counts(Attended(*row) for row in rows)


def _placements(day: Any, cohort: Cohort) -> Any:
    """Placements with their facility's Municipio and their request's target group (a
    placement whose facility or request is not known yet is not counted), whose ``day``
    begins in the cohort."""
    placement = PlacementFact
    query = sql.select().join(
        FacilityFact, col(FacilityFact.facility_id) == col(placement.facility_id)
    )
    query = query.join(
        HousingRequestFact, col(HousingRequestFact.request_id) == col(placement.request_id)
    )
    return query.where(*within(day, cohort, by_day=True), day.is_not(None))


_WHERE = (col(FacilityFact.municipio), col(HousingRequestFact.target_group))


async def placement_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """Households placed (moving in) in the cohort, by month, Municipio, target group."""
    query = _placements(col(PlacementFact.moved_in_on), cohort).add_columns(
        col(PlacementFact.moved_in_on), *_WHERE
    )
    rows = await (await session.connection()).execute(query)
    return _by_month((PLACED, moved_in, municipio, group) for moved_in, municipio, group in rows)


async def exit_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """Households moving out in the cohort, to a home of their own or elsewhere, by month,
    Municipio, target group."""
    query = _placements(col(PlacementFact.moved_out_on), cohort).add_columns(
        col(PlacementFact.moved_out_on), col(PlacementFact.outcome), *_WHERE
    )
    rows = await (await session.connection()).execute(query)
    return _by_month(
        (TO_AUTONOMY if outcome == AUTONOMOUS_HOUSING else ELSEWHERE, out, municipio, group)
        for out, outcome, municipio, group in rows
    )


def _by_month(units: Any) -> Counts:
    counted: dict[tuple[str | int, ...], int] = {}
    for level, day, municipio, group in units:
        key = (level, day.strftime("%Y-%m"), str(municipio), group)
        counted[key] = counted.get(key, 0) + 1
    return counted


async def housing_durations(
    session: AsyncSession, cohort: Cohort, measure: Measure
) -> list[Timing]:
    """Each placement's days of waiting (placed in the cohort) or of stay (moved out in it),
    with its month, Municipio and target group."""
    placements = _placements_table.c
    if measure is Measure.WAIT:
        day, since = placements.moved_in_on, _requests.c.requested_on
    else:
        day, since = placements.moved_out_on, placements.moved_in_on
    query = _placements(day, cohort).add_columns(day, since, *_WHERE)
    rows = await (await session.connection()).execute(query)
    return [
        Timing((until.strftime("%Y-%m"), str(municipio), group), float(days(start, until)))
        for until, start, municipio, group in rows
    ]


HELPFUL_FROM = 4
"""The least score of an answer that found a session helpful (4 or 5 of 5, as the events
service sums its feedback)."""


async def feedback_counts(session: AsyncSession, cohort: Cohort) -> Counts:
    """The answers on the cohort's sessions, helpful or not, by month and Municipio."""
    helpful = case((col(FeedbackFact.usefulness) >= HELPFUL_FROM, HELPFUL), else_=NOT_HELPFUL)
    keys = (helpful, col(SessionFact.month), col(SessionFact.municipio))
    query = (
        sql.select(*keys, func.count())
        .join(SessionFact, col(SessionFact.session_id) == col(FeedbackFact.session_id))
        .where(*_held(cohort))
        .group_by(*keys)
    )
    rows = await (await session.connection()).execute(query)
    return {(level, month, str(municipio)): n for level, month, municipio, n in rows}


COUNTS = {
    REFERRALS.name: cohort_counts,
    SESSIONS.name: session_counts,
    ATTENDANCES.name: attendance_counts,
    PARTICIPANTS.name: participation_counts,
    FEEDBACK.name: feedback_counts,
    PLACEMENTS.name: placement_counts,
    EXITS.name: exit_counts,
    CASES.name: casework_repository.case_counts,
    REVIEWS.name: casework_repository.review_counts,
    COMING_OF_AGE.name: casework_repository.coming_of_age_counts,
    CASELOAD.name: casework_repository.caseload_counts,
}


async def family_counts(session: AsyncSession, scheme: Scheme, cohort: Cohort) -> Counts:
    """The counts of ``scheme``'s family over the cohort."""
    return await COUNTS[scheme.name](session, cohort)


async def insert_feedback(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the answers; one already there (a redelivered event) is left as it is."""
    await insert_new(session, _feedback, rows)


async def upsert_facilities(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the facilities' rows; where one exists, replace it by a later version only."""
    connection = await session.connection()
    await connection.execute(_upsert_versioned(connection.dialect.name, "facilities"), rows)


async def upsert_housing_requests(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the requests' rows; where one exists, replace it by a later version only."""
    connection = await session.connection()
    await connection.execute(_upsert_versioned(connection.dialect.name, "requests"), rows)


async def upsert_placements(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the placements' rows; where one exists, set its move-out where a row has one
    (a start, applied after its end, does not undo it)."""
    connection = await session.connection()
    await connection.execute(_upsert_placements(connection.dialect.name), rows)


async def upsert_initiatives(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the initiatives' rows; where one exists, replace it by a later version only."""
    connection = await session.connection()
    await connection.execute(_upsert_versioned(connection.dialect.name, "initiatives"), rows)


async def upsert_sessions(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the sessions' rows; where one exists, replace it by a later version only."""
    connection = await session.connection()
    await connection.execute(_upsert_versioned(connection.dialect.name, "sessions"), rows)


async def upsert_attendance(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the sessions' attendance totals; where some exist, keep the later ones."""
    connection = await session.connection()
    await connection.execute(_upsert_attendance(connection.dialect.name), rows)


async def insert_participations(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the participants of sessions; one already there is left as it is."""
    await insert_new(session, _participations, rows)


# Statements built once per dialect (their construction, `excluded` above all, cost more than
# running them in a replay's batches); the rows are the execution's parameters.


_insert = dialect_insert


@functools.cache
def _upsert_referrals(dialect: str, keep: tuple[str, ...], fill: tuple[str, ...]) -> Any:
    statement = _insert(dialect, _referrals)
    filled = {name: func.coalesce(_referrals.c[name], statement.excluded[name]) for name in fill}
    return statement.on_conflict_do_update(
        index_elements=[_referrals.c.referral_id],
        set_={**{name: statement.excluded[name] for name in keep}, **filled},
    )


@functools.cache
def _upsert_versioned(dialect: str, name: str) -> Any:
    table = {
        "initiatives": _initiatives,
        "sessions": _sessions,
        "facilities": _facilities,
        "requests": _requests,
    }[name]
    statement = _insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=[c for c in table.c if c.primary_key],
        set_={c.name: statement.excluded[c.name] for c in table.c if not c.primary_key},
        where=statement.excluded.version > table.c.version,
    )


@functools.cache
def _upsert_attendance(dialect: str) -> Any:
    statement = _insert(dialect, _attendance)
    return statement.on_conflict_do_update(
        index_elements=[_attendance.c.session_id],
        set_={c.name: statement.excluded[c.name] for c in _attendance.c if not c.primary_key},
        where=statement.excluded.recorded_at > _attendance.c.recorded_at,
    )


@functools.cache
def _upsert_placements(dialect: str) -> Any:
    statement = _insert(dialect, _placements_table)
    out = ("moved_out_on", "outcome")
    return statement.on_conflict_do_update(
        index_elements=[_placements_table.c.placement_id],
        set_={n: func.coalesce(statement.excluded[n], _placements_table.c[n]) for n in out},
    )


_referrals = ReferralFact.__table__  # type: ignore[attr-defined]
_initiatives = InitiativeFact.__table__  # type: ignore[attr-defined]
_sessions = SessionFact.__table__  # type: ignore[attr-defined]
_attendance = SessionAttendance.__table__  # type: ignore[attr-defined]
_participations = Participation.__table__  # type: ignore[attr-defined]
_facilities = FacilityFact.__table__  # type: ignore[attr-defined]
_feedback = FeedbackFact.__table__  # type: ignore[attr-defined]
_requests = HousingRequestFact.__table__  # type: ignore[attr-defined]
_placements_table = PlacementFact.__table__  # type: ignore[attr-defined]
