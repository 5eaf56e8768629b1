"""Case and team queries: the only place that builds SQL for cases."""

from __future__ import annotations

import operator
import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, Subquery, exists, func, not_, or_
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first, insert_once
from kit.rows import Record, fetch
from services.casework.cases.domain import RUNNING, Reach, Status, TargetGroup
from services.casework.cases.models import (
    Case,
    CasePerson,
    CaseReview,
    CaseStatusChange,
    ReviewBreachRaised,
    TeamMember,
)
from services.casework.visibility import sharing_allowed, visible_clause

ANONYMISED = "[anonymised]"
"""What stands where free text was, once a case is anonymised."""


def _visible(
    stmt: SelectOfScalar[Case], principal: Principal, reach: Reach = Reach.CASE
) -> SelectOfScalar[Case]:
    clause = visible_clause(principal, reach)
    return stmt if clause is None else stmt.where(clause)


async def get_visible(
    session: AsyncSession,
    case_id: uuid.UUID,
    principal: Principal,
    *,
    for_update: bool = False,
    reach: Reach = Reach.CASE,
) -> Case | None:
    stmt = _visible(select(Case).where(col(Case.id) == case_id), principal, reach)
    return await first(session, stmt, for_update=for_update)


async def shareable(session: AsyncSession, case_id: uuid.UUID) -> bool:
    """Whether the case may be shared beyond its lead (`visibility.sharing_allowed`)."""
    stmt = select(Case.id).where(col(Case.id) == case_id, sharing_allowed())
    return (await session.exec(stmt)).first() is not None


async def get(
    session: AsyncSession, case_id: uuid.UUID, *, for_update: bool = False
) -> Case | None:
    """A case whoever asks (for a rule that grants access, as an accepted referral does)."""
    return await first(session, select(Case).where(col(Case.id) == case_id), for_update=for_update)


class CaseFilter(TypedDict, total=False):
    """What a list of cases is narrowed to; a filter given as ``None`` is left out."""

    status: Status | None
    organisation: str | None  # the lead organisation
    target_group: TargetGroup | None
    municipio: int | None
    opened_from: datetime | None
    opened_to: datetime | None
    referral_id: uuid.UUID | None
    person_ref: uuid.UUID | None
    case_manager: str | None  # a user
    team_member: str | None  # a user, an active member
    review_overdue: bool | None
    now: datetime  # what review_overdue is judged at


_CASES = Listing(
    filters={
        "status": Case.status,
        "organisation": Case.lead_organisation,
        "target_group": Case.target_group,
        "municipio": Case.municipio,
        "opened_from": (col(Case.opened_at), operator.ge),
        "opened_to": (col(Case.opened_at), operator.lt),
        "referral_id": Case.referral_id,
    },
    order_by=(Case.opened_at, Case.id),
    descending=True,
)


def _member(user: str, *, managing: bool) -> ColumnElement[bool]:
    """Whether `user` is an active member of the `Case` row's team (`managing`: its manager)."""
    conditions = [
        col(TeamMember.case_id) == col(Case.id),
        col(TeamMember.user) == user,
        col(TeamMember.left_on).is_(None),
    ]
    if managing:
        conditions.append(col(TeamMember.id) == col(Case.case_manager_id))
    return exists(select(TeamMember.id).where(*conditions))


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, where: CaseFilter
) -> Page[Record]:
    """One page of the cases `principal` sees, as records of `Case`'s columns."""
    stmt = _visible(select(Case), principal)
    if (person_ref := where.get("person_ref")) is not None:
        stmt = stmt.where(
            exists(
                select(CasePerson.case_id).where(
                    col(CasePerson.case_id) == col(Case.id),
                    col(CasePerson.person_ref) == person_ref,
                )
            )
        )
    if (manager := where.get("case_manager")) is not None:
        stmt = stmt.where(_member(manager, managing=True))
    if (member := where.get("team_member")) is not None:
        stmt = stmt.where(_member(member, managing=False))
    if (late := where.get("review_overdue")) is not None:
        now = where["now"]
        on_time = or_(col(Case.next_review_due_at).is_(None), col(Case.next_review_due_at) >= now)
        stmt = stmt.where(review_overdue(now) if late else on_time)
    return await _CASES.records(session, stmt, params, where)


async def referrals_opened(
    session: AsyncSession, referral_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of `referral_ids` whose case is open already."""
    stmt = select(Case.referral_id).where(col(Case.referral_id).in_(referral_ids))
    return {r for r in await session.exec(stmt) if r is not None}


def link_persons(
    session: AsyncSession, case_id: uuid.UUID, person_refs: Collection[uuid.UUID]
) -> None:
    for ref in dict.fromkeys(person_refs):
        session.add(CasePerson(case_id=case_id, person_ref=ref))


async def persons_of(
    session: AsyncSession, case_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The persons each case concerns, in a stable order."""
    found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if not case_ids:
        return found
    rows = await fetch(
        session,
        sql_select(col(CasePerson.case_id), col(CasePerson.person_ref))
        .where(col(CasePerson.case_id).in_(list(case_ids)))
        .order_by(col(CasePerson.case_id), col(CasePerson.person_ref)),
    )
    for row in rows:
        found[row.case_id].append(row.person_ref)
    return found


# --- teams ------------------------------------------------------------------------------


async def team_of(session: AsyncSession, case_id: uuid.UUID) -> list[TeamMember]:
    """Every membership of the case, active and past, in the order they joined."""
    stmt = (
        select(TeamMember)
        .where(col(TeamMember.case_id) == case_id)
        .order_by(col(TeamMember.joined_on), col(TeamMember.created_at), col(TeamMember.id))
    )
    return list(await session.exec(stmt))


async def get_member(
    session: AsyncSession, case_id: uuid.UUID, member_id: uuid.UUID, *, for_update: bool = False
) -> TeamMember | None:
    stmt = select(TeamMember).where(
        col(TeamMember.case_id) == case_id, col(TeamMember.id) == member_id
    )
    return await first(session, stmt, for_update=for_update)


async def active_membership(
    session: AsyncSession, case_id: uuid.UUID, user: str, organisation: str
) -> TeamMember | None:
    stmt = select(TeamMember).where(
        col(TeamMember.case_id) == case_id,
        col(TeamMember.user) == user,
        col(TeamMember.organisation) == organisation,
        col(TeamMember.left_on).is_(None),
    )
    return await first(session, stmt)


async def history_of(session: AsyncSession, case_id: uuid.UUID) -> list[CaseStatusChange]:
    """Every status the case took, oldest first."""
    stmt = (
        select(CaseStatusChange)
        .where(col(CaseStatusChange.case_id) == case_id)
        .order_by(col(CaseStatusChange.changed_at), col(CaseStatusChange.id))
    )
    return list(await session.exec(stmt))


# --- reviews ----------------------------------------------------------------------------


async def reviews_of(session: AsyncSession, case_id: uuid.UUID) -> list[CaseReview]:
    stmt = (
        select(CaseReview).where(col(CaseReview.case_id) == case_id).order_by(col(CaseReview.cycle))
    )
    return list(await session.exec(stmt))


def review_overdue(now: datetime) -> ColumnElement[bool]:
    """Whether the `Case` row's next review was due before `now` (running cases only have
    one due)."""
    return col(Case.next_review_due_at) < now


async def unraised_overdue(session: AsyncSession, now: datetime, *, limit: int) -> list[Case]:
    """Cases whose review is overdue at `now` and not raised yet, oldest due first."""
    raised = exists().where(
        col(ReviewBreachRaised.case_id) == col(Case.id),
        col(ReviewBreachRaised.cycle) == col(Case.reviews_done) + 1,
    )
    stmt = (
        select(Case)
        .where(review_overdue(now), not_(raised))
        .order_by(col(Case.next_review_due_at), col(Case.id))
        .limit(limit)
    )
    return list(await session.exec(stmt))


async def claim_review_breach(
    session: AsyncSession, case_id: uuid.UUID, cycle: int, due_at: datetime, now: datetime
) -> bool:
    """Record the missed review as raised; False if it already was."""
    table = ReviewBreachRaised.__table__  # type: ignore[attr-defined]
    return await insert_once(
        session, table, case_id=case_id, cycle=cycle, due_at=due_at, raised_at=now
    )


# --- persons (intake's merges and splits) -----------------------------------------------


async def cases_of_person(session: AsyncSession, person_ref: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.exec(
        select(CasePerson.case_id).where(col(CasePerson.person_ref) == person_ref)
    )
    return list(rows)


async def unlink_person(session: AsyncSession, case_id: uuid.UUID, person_ref: uuid.UUID) -> None:
    row = await session.get(CasePerson, (case_id, person_ref))
    if row is not None:
        await session.delete(row)


async def visible_of_person(
    session: AsyncSession, principal: Principal, person_ref: uuid.UUID
) -> list[Case]:
    """Every case concerning the person that `principal` sees whole, oldest first."""
    concerning = select(CasePerson.case_id).where(col(CasePerson.person_ref) == person_ref)
    stmt = _visible(select(Case).where(col(Case.id).in_(concerning)), principal, Reach.NOTES)
    return list(await session.exec(stmt.order_by(col(Case.opened_at), col(Case.id))))


# --- the minors' track --------------------------------------------------------------------


def running_minors() -> Subquery:
    """The running cases of an unaccompanied minor, who is their one person: ``case_id``,
    ``person_ref`` and the facts events carry (``lead_organisation``, ``target_group``,
    ``municipio``), as a subquery the minors' track joins its own tables with."""
    one_person = (
        select(CasePerson.case_id).group_by(col(CasePerson.case_id)).having(func.count() == 1)
    )
    stmt: Any = (
        sql_select(
            col(Case.id).label("case_id"),
            col(CasePerson.person_ref).label("person_ref"),
            col(Case.lead_organisation).label("lead_organisation"),
            col(Case.target_group).label("target_group"),
            col(Case.municipio).label("municipio"),
        )
        .join(CasePerson, col(CasePerson.case_id) == col(Case.id))
        .where(
            col(Case.target_group) == TargetGroup.UNACCOMPANIED_MINOR,
            col(Case.status).in_([status.value for status in RUNNING]),
            col(Case.id).in_(one_person),
        )
    )
    subquery: Subquery = stmt.subquery("running_minors")
    return subquery


# --- retention --------------------------------------------------------------------------


async def due_for_anonymisation(session: AsyncSession, now: datetime, *, limit: int) -> list[Case]:
    stmt = (
        select(Case)
        .where(col(Case.anonymise_due_at) <= now, col(Case.anonymised_at).is_(None))
        .order_by(col(Case.anonymise_due_at), col(Case.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.exec(stmt))


async def anonymise(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Cut the case's link to its persons and blank the free text of its history."""
    for person in await session.exec(select(CasePerson).where(col(CasePerson.case_id) == case_id)):
        await session.delete(person)
    for step in await session.exec(
        select(CaseStatusChange).where(col(CaseStatusChange.case_id) == case_id)
    ):
        step.reason = None
    for review in await session.exec(select(CaseReview).where(col(CaseReview.case_id) == case_id)):
        review.summary = ANONYMISED
    await session.flush()
