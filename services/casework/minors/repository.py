"""Minors' track queries: the only place that builds SQL for the track and its birth dates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Row, Subquery, delete, exists, not_, or_
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.pagination import Page, PageParams, paginate
from kit.query import first, insert_once
from services.casework.minors.domain import AssessmentOutcome, AssessmentStatus
from services.casework.minors.models import (
    AgeAssessment,
    BirthDateCopy,
    Guardian,
    Placement,
    SupportExtension,
    TrackRecordVersion,
    TransitionPlan,
    TurnedAdultRaised,
)

R = TypeVar("R", AgeAssessment, TransitionPlan, SupportExtension)


async def one_of_case(
    session: AsyncSession, model: type[R], case_id: uuid.UUID, *, for_update: bool = False
) -> R | None:
    """The case's one record of `model` (an assessment, a transition plan, an extension)."""
    stmt = select(model).where(col(model.case_id) == case_id)
    return await first(session, stmt, for_update=for_update)


async def guardians_of(session: AsyncSession, case_id: uuid.UUID) -> list[Guardian]:
    """Every appointment, latest first."""
    stmt = select(Guardian).where(col(Guardian.case_id) == case_id)
    order = (col(Guardian.appointed_on).desc(), col(Guardian.created_at).desc())
    return list(await session.exec(stmt.order_by(*order)))


async def guardian(
    session: AsyncSession, case_id: uuid.UUID, guardian_id: uuid.UUID, *, for_update: bool = False
) -> Guardian | None:
    stmt = select(Guardian).where(col(Guardian.case_id) == case_id, col(Guardian.id) == guardian_id)
    return await first(session, stmt, for_update=for_update)


async def placements_of(session: AsyncSession, case_id: uuid.UUID) -> list[Placement]:
    """Every placement, latest first."""
    stmt = select(Placement).where(col(Placement.case_id) == case_id)
    order = (col(Placement.starts_on).desc(), col(Placement.created_at).desc())
    return list(await session.exec(stmt.order_by(*order)))


async def placement(
    session: AsyncSession, case_id: uuid.UUID, placement_id: uuid.UUID, *, for_update: bool = False
) -> Placement | None:
    stmt = select(Placement).where(
        col(Placement.case_id) == case_id, col(Placement.id) == placement_id
    )
    return await first(session, stmt, for_update=for_update)


async def history_of(
    session: AsyncSession, case_id: uuid.UUID, kind: str | None, params: PageParams
) -> Page[TrackRecordVersion]:
    stmt = select(TrackRecordVersion).where(col(TrackRecordVersion.case_id) == case_id)
    if kind is not None:
        stmt = stmt.where(col(TrackRecordVersion.kind) == kind)
    order = (
        TrackRecordVersion.changed_at,
        TrackRecordVersion.record_id,
        TrackRecordVersion.version,
    )
    return await paginate(session, stmt, params, order_by=order)


async def all_history_of(session: AsyncSession, case_id: uuid.UUID) -> list[TrackRecordVersion]:
    stmt = select(TrackRecordVersion).where(col(TrackRecordVersion.case_id) == case_id)
    order = (col(TrackRecordVersion.changed_at), col(TrackRecordVersion.version))
    return list(await session.exec(stmt.order_by(*order)))


async def versions_of_records(
    session: AsyncSession, record_ids: list[uuid.UUID]
) -> list[TrackRecordVersion]:
    if not record_ids:
        return []
    stmt = select(TrackRecordVersion).where(col(TrackRecordVersion.record_id).in_(record_ids))
    return list(await session.exec(stmt))


async def turned_adult(session: AsyncSession, case_id: uuid.UUID) -> TurnedAdultRaised | None:
    return await session.get(TurnedAdultRaised, case_id)


# --- birth dates ------------------------------------------------------------------------


async def birth_date(
    session: AsyncSession, person_ref: uuid.UUID, *, for_update: bool = False
) -> BirthDateCopy | None:
    return await session.get(BirthDateCopy, person_ref, with_for_update=for_update)


async def unfollowed_minors(
    session: AsyncSession, minors: Subquery, *, limit: int
) -> list[uuid.UUID]:
    """The persons of the running minors' cases whose birth date casework does not keep yet."""
    kept = exists().where(col(BirthDateCopy.person_ref) == minors.c.person_ref)
    stmt = select(minors.c.person_ref).where(not_(kept)).distinct().limit(limit)
    return list((await session.exec(stmt)).all())


async def follow(session: AsyncSession, person_ref: uuid.UUID) -> bool:
    """Start keeping the person's birth date (to be fetched); False if it is kept already."""
    table = BirthDateCopy.__table__  # type: ignore[attr-defined]
    return await insert_once(
        session, table, person_ref=person_ref, wanted_version=0, estimated=False, attempts=0
    )


async def stale_birth_dates(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[BirthDateCopy]:
    """Birth dates to fetch at `now`: never fetched or behind intake, and not backing off."""
    behind = or_(
        col(BirthDateCopy.source_version).is_(None),
        col(BirthDateCopy.source_version) < col(BirthDateCopy.wanted_version),
    )
    due = or_(
        col(BirthDateCopy.next_attempt_at).is_(None), col(BirthDateCopy.next_attempt_at) <= now
    )
    stmt = (
        select(BirthDateCopy)
        .where(behind, due)
        .order_by(col(BirthDateCopy.next_attempt_at).nulls_first(), col(BirthDateCopy.person_ref))
        .limit(limit)
    )
    return list(await session.exec(stmt))


async def forget_unneeded(session: AsyncSession, minors: Subquery) -> int:
    """Delete the birth dates of persons no running minors' case concerns any more."""
    needed = select(minors.c.person_ref)
    statement = delete(BirthDateCopy).where(col(BirthDateCopy.person_ref).not_in(needed))
    result: Any = await session.exec(statement)
    return int(result.rowcount or 0)


async def forget(session: AsyncSession, person_refs: list[uuid.UUID]) -> None:
    statement = delete(BirthDateCopy).where(col(BirthDateCopy.person_ref).in_(person_refs))
    await session.exec(statement)


# --- the transition job -----------------------------------------------------------------


def _not_assessed_adult(minors: Subquery) -> Any:
    adult = exists().where(
        col(AgeAssessment.case_id) == minors.c.case_id,
        col(AgeAssessment.status) == AssessmentStatus.COMPLETED,
        col(AgeAssessment.outcome) == AssessmentOutcome.ADULT,
    )
    return not_(adult)


async def transitions_due(
    session: AsyncSession, minors: Subquery, horizon: date, *, limit: int
) -> list[Row[Any]]:
    """Minors' cases whose 18th birthday falls by `horizon` and that have no transition plan
    yet (a completed assessment that found an adult excluded): the subquery's columns, with
    ``coming_of_age_on`` and ``estimated``."""
    planned = exists().where(col(TransitionPlan.case_id) == minors.c.case_id)
    stmt = (
        sql_select(minors, col(BirthDateCopy.coming_of_age_on), col(BirthDateCopy.estimated))
        .join(BirthDateCopy, col(BirthDateCopy.person_ref) == minors.c.person_ref)
        .where(
            col(BirthDateCopy.coming_of_age_on) <= horizon,
            not_(planned),
            _not_assessed_adult(minors),
        )
        .order_by(col(BirthDateCopy.coming_of_age_on), minors.c.case_id)
        .limit(limit)
    )
    return list((await session.exec(stmt)).all())  # type: ignore[call-overload]


async def turning_adult(
    session: AsyncSession, minors: Subquery, today: date, *, limit: int
) -> list[Row[Any]]:
    """Minors' cases whose person turned 18 by `today`, not raised yet."""
    raised = exists().where(col(TurnedAdultRaised.case_id) == minors.c.case_id)
    stmt = (
        sql_select(minors, col(BirthDateCopy.coming_of_age_on))
        .join(BirthDateCopy, col(BirthDateCopy.person_ref) == minors.c.person_ref)
        .where(
            col(BirthDateCopy.coming_of_age_on) <= today,
            not_(raised),
            _not_assessed_adult(minors),
        )
        .order_by(col(BirthDateCopy.coming_of_age_on), minors.c.case_id)
        .limit(limit)
    )
    return list((await session.exec(stmt)).all())  # type: ignore[call-overload]


async def claim_transition_plan(session: AsyncSession, **values: Any) -> bool:
    """Insert the case's transition plan unless it has one (its unique case id decides)."""
    table = TransitionPlan.__table__  # type: ignore[attr-defined]
    return await insert_once(session, table, **values)


async def claim_turned_adult(
    session: AsyncSession, case_id: uuid.UUID, today: date, now: datetime
) -> bool:
    table = TurnedAdultRaised.__table__  # type: ignore[attr-defined]
    return await insert_once(session, table, case_id=case_id, raised_on=today, raised_at=now)


async def plans_of_cases(
    session: AsyncSession, case_ids: list[uuid.UUID], *, for_update: bool = False
) -> list[TransitionPlan]:
    if not case_ids:
        return []
    stmt = select(TransitionPlan).where(col(TransitionPlan.case_id).in_(case_ids))
    if for_update:
        stmt = stmt.with_for_update()
    return list(await session.exec(stmt))


async def guardians_of_cases(session: AsyncSession, case_ids: list[uuid.UUID]) -> list[Guardian]:
    if not case_ids:
        return []
    return list(await session.exec(select(Guardian).where(col(Guardian.case_id).in_(case_ids))))
