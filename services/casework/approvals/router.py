"""HTTP for approvals: closure requests, the supervisors' queue, decisions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import APIRouter, Query, Response

from kit.pagination import Page, PageParamsDep
from kit.routes import NOT_FOUND, QueryDep, creates
from services.casework.access import MANAGED_CHANGE, Changing, Creating, Reading
from services.casework.approvals import service
from services.casework.approvals.domain import ApprovalStatus, Subject
from services.casework.approvals.schemas import ApprovalPublic, ClosureRequestIn, DecisionIn

router = APIRouter(prefix="/v1/casework", tags=["approvals"])
APPROVALS = f"{router.prefix}/approvals"


def _location(approval: ApprovalPublic) -> str:
    return f"{APPROVALS}/{approval.id}"


@router.post(
    "/cases/{case_id}/closure-requests",
    **creates(ApprovalPublic, 403, 404, 409),
    summary="Ask a supervisor of the lead organisation to close the case",
)
async def request_closure(
    case_id: uuid.UUID, request_in: ClosureRequestIn, creation: Creating
) -> Response:
    async def ask() -> ApprovalPublic:
        approval = await service.request_closure(
            **creation.by, case_id=case_id, request_in=request_in
        )
        return ApprovalPublic.model_validate(approval)

    return await creation.created(ask, location=_location)


@router.post(
    "/cases/{case_id}/plan/approval-requests",
    **creates(ApprovalPublic, 403, 404, 409),
    summary="Ask a supervisor of the lead organisation to approve the case's first plan",
)
async def request_plan_approval(case_id: uuid.UUID, creation: Creating) -> Response:
    async def ask() -> ApprovalPublic:
        approval = await service.request_first_plan(**creation.by, case_id=case_id)
        return ApprovalPublic.model_validate(approval)

    return await creation.created(ask, location=_location)


@dataclass
class ApprovalQuery:
    """Which approvals a list shows (query parameters)."""

    status: ApprovalStatus | None = None
    subject: Subject | None = None
    case_id: uuid.UUID | None = None
    awaiting_me: Annotated[
        bool,
        Query(
            description="Only what waits for your decision: pending, of cases your organisation "
            "leads, asked by someone else"
        ),
    ] = False


@router.get("/approvals", summary="List approvals of cases visible to you, oldest request first")
async def list_approvals(
    call: Reading, query: QueryDep[ApprovalQuery], page: PageParamsDep
) -> Page[ApprovalPublic]:
    where = service.ApprovalFilter(
        status=query.status, subject=query.subject, case_id=query.case_id
    )
    if query.awaiting_me:
        where = cast(service.ApprovalFilter, {**where, **service.awaiting(call.principal)})
    found = await service.list_visible(**call.by, page=page, where=where)
    return found.map(ApprovalPublic.model_validate)


@router.get("/approvals/{approval_id}", responses=NOT_FOUND, summary="One approval")
async def get_approval(approval_id: uuid.UUID, call: Reading) -> ApprovalPublic:
    approval = await service.get(**call.by, approval_id=approval_id)
    return call.etagged(approval.version, ApprovalPublic.model_validate(approval))


@router.post(
    "/approvals/{approval_id}/decision",
    responses=MANAGED_CHANGE,
    summary="Approve, or send back with a reason (a supervisor of the lead organisation)",
)
async def decide(
    approval_id: uuid.UUID, decision_in: DecisionIn, change: Changing
) -> ApprovalPublic:
    approval = await service.decide(**change.by, approval_id=approval_id, decision_in=decision_in)
    return change.etagged(approval.version, ApprovalPublic.model_validate(approval))


@router.post(
    "/approvals/{approval_id}/withdrawal",
    responses=MANAGED_CHANGE,
    summary="Take your request back while it is pending",
)
async def withdraw(approval_id: uuid.UUID, change: Changing) -> ApprovalPublic:
    approval = await service.withdraw(**change.by, approval_id=approval_id)
    return change.etagged(approval.version, ApprovalPublic.model_validate(approval))
