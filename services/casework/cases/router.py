"""HTTP for cases and their teams: parse, authorise, call the use case, shape the response."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.db import utcnow
from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep, creates, location_in
from kit.schemas import Municipio, OrganisationAlias, Timestamp
from services.casework.access import MANAGED_CHANGE, Changing, Creating, Reading
from services.casework.cases import reviewing, service
from services.casework.cases.domain import Status, TargetGroup
from services.casework.cases.models import Case, CaseStatusChange, TeamMember
from services.casework.cases.schemas import (
    CaseCreate,
    CaseManagerIn,
    CasePublic,
    LeavingIn,
    MemberCreate,
    MemberPublic,
    ReopeningIn,
    ReviewIn,
    ReviewPublic,
    ReviewRecordedPublic,
    StatusChangeIn,
    StatusChangePublic,
    User,
)

router = APIRouter(prefix="/v1/casework/cases", tags=["cases"])


def public(
    case: Mapping[str, Any], person_refs: list[uuid.UUID], now: datetime | None = None
) -> CasePublic:
    """A case's columns (a listed `kit.rows.Record`, a `Case` dumped) as its public schema."""
    due = case["next_review_due_at"]
    overdue = due is not None and due < (now or utcnow())
    return CasePublic.model_validate(
        {**case, "person_refs": person_refs, "review_overdue": overdue}
    )


async def present(session: AsyncSession, case: Case) -> CasePublic:
    return public(case.model_dump(), (await service.persons_of(session, [case.id]))[case.id])


def member_public(case: Case, member: TeamMember) -> MemberPublic:
    return MemberPublic.model_validate(
        {
            **member.model_dump(),
            "case_manager": member.id == case.case_manager_id,
            "active": member.left_on is None,
        }
    )


@dataclass
class CaseQuery:
    """Which cases a list shows (query parameters)."""

    status: Status | None = None
    organisation: Annotated[
        OrganisationAlias | None, Query(description="The lead organisation")
    ] = None
    target_group: TargetGroup | None = None
    municipio: Municipio | None = None
    opened_from: Annotated[Timestamp | None, Query(description="Inclusive")] = None
    opened_to: Annotated[Timestamp | None, Query(description="Exclusive")] = None
    referral_id: Annotated[
        uuid.UUID | None, Query(description="The case opened for this referral, if any.")
    ] = None
    person_ref: Annotated[
        uuid.UUID | None, Query(description="Cases concerning this person (intake's id)")
    ] = None
    case_manager: Annotated[User | None, Query(description="Managed by this user")] = None
    team_member: Annotated[
        User | None, Query(description="This user is an active member of the team")
    ] = None
    review_overdue: Annotated[
        bool | None,
        Query(description="true: the next review's due time has passed; false: it has not"),
    ] = None


@router.get("", summary="List the cases visible to you, newest first")
async def list_cases(
    call: Reading, query: QueryDep[CaseQuery], page: PageParamsDep
) -> Page[CasePublic]:
    now = utcnow()
    where = cast(service.CaseFilter, {**vars(query), "now": now})
    found = await service.list_visible(**call.by, page=page, where=where)
    persons = await service.persons_of(call.session, [c.id for c in found.items])
    return found.map(lambda case: public(case, persons[case.id], now))


@router.post("", **creates(CasePublic, 409), summary="Open a case (you manage it)")
async def open_case(case_in: CaseCreate, creation: Creating) -> Response:
    async def open_it() -> CasePublic:
        case = await service.open_manually(**creation.by, case_in=case_in)
        return await present(creation.session, case)

    return await creation.created(open_it, location=location_in(router))


@router.get("/{case_id}", responses=NOT_FOUND, summary="One case")
async def get_case(case_id: uuid.UUID, call: Reading) -> CasePublic:
    case = await service.get(**call.by, case_id=case_id)
    return call.etagged(case.version, await present(call.session, case))


@dataclass
class CaseChange:
    """What every change of one case takes: which one, by whom, from which version; its
    answer carries the new ETag."""

    case_id: uuid.UUID
    call: Changing

    async def answer(self, case: Case) -> CasePublic:
        return self.call.etagged(case.version, await present(self.call.session, case))


ChangeDep = Annotated[CaseChange, Depends()]


@router.post(
    "/{case_id}/status", responses=MANAGED_CHANGE, summary="Move the case to its next status"
)
async def change_status(status_in: StatusChangeIn, change: ChangeDep) -> CasePublic:
    case = await service.change_status(
        **change.call.by, case_id=change.case_id, status_in=status_in
    )
    return await change.answer(case)


@router.post(
    "/{case_id}/reopening",
    responses=MANAGED_CHANGE,
    summary="Re-open a closed case (within the policy's window)",
)
async def reopen_case(reopening_in: ReopeningIn, change: ChangeDep) -> CasePublic:
    case = await service.reopen(**change.call.by, case_id=change.case_id, reopening_in=reopening_in)
    return await change.answer(case)


@router.get("/{case_id}/history", responses=NOT_FOUND, summary="Every status the case took")
async def case_history(case_id: uuid.UUID, call: Reading) -> list[StatusChangePublic]:
    steps: list[CaseStatusChange] = await service.history(**call.by, case_id=case_id)
    return [StatusChangePublic.model_validate(step) for step in steps]


@router.post(
    "/{case_id}/reviews",
    responses=MANAGED_CHANGE,
    summary="Record a periodic review of the plan (the next one falls due a cadence later)",
)
async def record_review(review_in: ReviewIn, change: ChangeDep) -> ReviewRecordedPublic:
    case, review = await reviewing.record(
        **change.call.by, case_id=change.case_id, review_in=review_in
    )
    return ReviewRecordedPublic(
        review=ReviewPublic.model_validate(review), case=await change.answer(case)
    )


@router.get("/{case_id}/reviews", responses=NOT_FOUND, summary="The case's reviews, first first")
async def list_reviews(case_id: uuid.UUID, call: Reading) -> list[ReviewPublic]:
    found = await reviewing.reviews_of(**call.by, case_id=case_id)
    return [ReviewPublic.model_validate(review) for review in found]


# --- team -------------------------------------------------------------------------------


@router.get("/{case_id}/team", responses=NOT_FOUND, summary="The case's team, past members too")
async def get_team(case_id: uuid.UUID, call: Reading) -> list[MemberPublic]:
    case, members = await service.team_of(**call.by, case_id=case_id)
    return [member_public(case, member) for member in members]


@router.post(
    "/{case_id}/team",
    **creates(MemberPublic, 403, 404, 409),
    summary="Add a member to the team (they see the case from now on)",
)
async def add_member(case_id: uuid.UUID, member_in: MemberCreate, creation: Creating) -> Response:
    async def add() -> MemberPublic:
        case, member = await service.add_member(**creation.by, case_id=case_id, member_in=member_in)
        return member_public(case, member)

    return await creation.created(add, location=lambda m: f"{router.prefix}/{case_id}/team/{m.id}")


@router.get("/{case_id}/team/{member_id}", responses=NOT_FOUND, summary="One team member")
async def get_member(case_id: uuid.UUID, member_id: uuid.UUID, call: Reading) -> MemberPublic:
    case, member = await service.member(**call.by, case_id=case_id, member_id=member_id)
    return call.etagged(member.version, member_public(case, member))


@router.post(
    "/{case_id}/team/{member_id}/leaving",
    responses=MANAGED_CHANGE,
    summary="The member leaves the team: their access ends at once",
)
async def leave_team(
    case_id: uuid.UUID, member_id: uuid.UUID, leaving_in: LeavingIn, change: Changing
) -> MemberPublic:
    case, member = await service.leave(
        **change.by, case_id=case_id, member_id=member_id, leaving_in=leaving_in
    )
    return change.etagged(member.version, member_public(case, member))


@router.post(
    "/{case_id}/case-manager", responses=MANAGED_CHANGE, summary="Make a member the case manager"
)
async def designate_manager(manager_in: CaseManagerIn, change: ChangeDep) -> CasePublic:
    case = await service.designate_manager(
        **change.call.by, case_id=change.case_id, manager_in=manager_in
    )
    return await change.answer(case)
