"""Approval use cases: ask, decide, withdraw; an approved closure closes its case."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.audit import AuditAction
from kit.auth import Principal, Role
from kit.db import utcnow
from kit.errors import NotFound
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import record_event
from kit.pagination import Page, PageParams
from services.casework.approvals import domain, repository
from services.casework.approvals.domain import ApprovalStatus, Decision, Subject
from services.casework.approvals.events import (
    ApprovalData,
    ApprovalDecided,
    ApprovalRequested,
)
from services.casework.approvals.models import Approval
from services.casework.approvals.repository import ApprovalFilter as ApprovalFilter
from services.casework.approvals.schemas import ClosureRequestIn, DecisionIn
from services.casework.cases import service as cases
from services.casework.cases.schemas import Outcome
from services.casework.minors import service as minors
from services.casework.plans import service as plans

E = TypeVar("E", bound=ApprovalData)


class ApprovalNotFound(NotFound, slug="approval-not-found", title="Approval not found"): ...


async def request_closure(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID, request_in: ClosureRequestIn
) -> Approval:
    """Ask a supervisor to close the case: one closure request waits at a time."""
    case = await cases.managed(session, principal, case_id)
    cases.require_closable(case)
    if request_in.outcome is Outcome.TURNED_ADULT_NO_EXTENSION:
        await minors.require_turned_adult_without_extension(session, case)
    return await _request(
        session,
        principal,
        case.id,
        case.lead_organisation,
        Subject.CLOSURE,
        closure_outcome=request_in.outcome,
        closure_reason=request_in.reason,
    )


async def request_first_plan(
    *, session: AsyncSession, principal: Principal, case_id: uuid.UUID
) -> Approval:
    """Ask a supervisor to approve the case's plan, as its latest version stands."""
    case = await cases.managed(session, principal, case_id)
    cases.require_running(case, "given a plan")
    version = domain.first_plan_to_approve(
        latest_version=await plans.latest_version_number(session, case.id),
        approved_version=case.plan_approved_version,
    )
    return await _request(
        session,
        principal,
        case.id,
        case.lead_organisation,
        Subject.FIRST_PLAN,
        plan_version=version,
    )


async def _request(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    lead_organisation: str,
    subject: Subject,
    **asked: Any,
) -> Approval:
    pending = await repository.pending_of(session, case_id)
    domain.may_request(frozenset(Subject(a.subject) for a in pending), subject)
    now = utcnow()
    approval = Approval(
        case_id=case_id,
        subject=subject,
        status=ApprovalStatus.PENDING,
        lead_organisation=lead_organisation,
        requested_by=principal.subject,
        requested_at=now,
        updated_at=now,
        **asked,
    )
    session.add(approval)
    await session.flush()  # a concurrent request of the same kind fails here (unique index)
    await cases.CASES.record(session, principal, AuditAction.UPDATE, case_id)
    await _publish(session, ApprovalRequested, approval)
    return approval


async def get(*, session: AsyncSession, principal: Principal, approval_id: uuid.UUID) -> Approval:
    approval = await _visible(session, principal, approval_id, for_update=False)
    await cases.CASES.record(session, principal, AuditAction.READ, approval.case_id)
    return approval


async def list_visible(
    *, session: AsyncSession, principal: Principal, page: PageParams, where: ApprovalFilter
) -> Page[Approval]:
    found = await repository.list_visible(session, principal, page, where)
    case_ids = dict.fromkeys(a.case_id for a in found.items)
    await cases.CASES.record(session, principal, AuditAction.LIST, *case_ids)
    return found


def awaiting(principal: Principal) -> ApprovalFilter:
    """What waits for `principal`'s decision: pending requests of cases their organisation
    leads that someone else asked (none if they are not a supervisor)."""
    return ApprovalFilter(
        status=ApprovalStatus.PENDING,
        organisation=principal.organisation,
        not_requested_by=principal.subject,
    )


async def decide(
    *,
    session: AsyncSession,
    principal: Principal,
    approval_id: uuid.UUID,
    if_match: str | None,
    decision_in: DecisionIn,
) -> Approval:
    """Approve, or send back with a reason; an approved closure closes the case (409 if the
    case can no longer be closed: the approval then stays pending)."""
    approval = await _for_change(session, principal, approval_id, if_match)
    approval.status = domain.decide(
        ApprovalStatus(approval.status),
        decision_in.decision,
        requested_by=approval.requested_by,
        lead_organisation=approval.lead_organisation,
        decider=domain.Decider(
            user=principal.subject,
            organisation=principal.organisation,
            supervisor=principal.has_role(Role.CASE_SUPERVISOR),
        ),
        reason=decision_in.reason,
    )
    now = utcnow()
    approval.decided_by, approval.decided_at = principal.subject, now
    approval.decision_reason = decision_in.reason
    if decision_in.decision is Decision.APPROVE:
        await _carry_out(session, principal, approval)
    await _save(session, approval, now)
    await _publish(session, ApprovalDecided, approval, decided_at=now)
    return approval


async def _carry_out(session: AsyncSession, principal: Principal, approval: Approval) -> None:
    """What an approval approves: the first plan becomes the case's, a closure closes it."""
    case = await cases.visible(session, principal, approval.case_id, for_update=True)
    if approval.subject == Subject.FIRST_PLAN and approval.plan_version is not None:
        domain.still_the_plan(
            asked_version=approval.plan_version,
            latest_version=await plans.latest_version_number(session, case.id),
        )
        await cases.approve_first_plan(session, principal, case, plan_version=approval.plan_version)
    elif approval.subject == Subject.CLOSURE:
        await cases.close(
            session,
            principal,
            case,
            outcome=Outcome(approval.closure_outcome or Outcome.OTHER),
            reason=approval.closure_reason or "",
            approval_id=approval.id,
        )


async def withdraw(
    *, session: AsyncSession, principal: Principal, approval_id: uuid.UUID, if_match: str | None
) -> Approval:
    """The one who asked takes the request back."""
    approval = await _for_change(session, principal, approval_id, if_match)
    approval.status = domain.withdraw(
        ApprovalStatus(approval.status), requested_by=approval.requested_by, user=principal.subject
    )
    now = utcnow()
    approval.decided_by, approval.decided_at = principal.subject, now
    await _save(session, approval, now)
    await _publish(session, ApprovalDecided, approval, decided_at=now)
    return approval


async def _visible(
    session: AsyncSession, principal: Principal, approval_id: uuid.UUID, *, for_update: bool
) -> Approval:
    found = await repository.get_visible(session, approval_id, principal, for_update=for_update)
    if found is None:
        raise ApprovalNotFound(f"No approval {approval_id} visible to you.")
    return found


async def _for_change(
    session: AsyncSession, principal: Principal, approval_id: uuid.UUID, if_match: str | None
) -> Approval:
    approval = await _visible(session, principal, approval_id, for_update=True)
    require_if_match(if_match, approval.version)
    return approval


async def _save(session: AsyncSession, approval: Approval, now: datetime) -> None:
    approval.version += 1
    approval.updated_at = now
    await session.flush()


async def _publish(
    session: AsyncSession, event: EventType[E], approval: Approval, **fields: Any
) -> None:
    data = event.payload.of(approval, approval_id=approval.id, **fields)
    await record_event(
        session, event, data, subject=str(approval.case_id), organisation=approval.lead_organisation
    )


async def held_on_case(session: AsyncSession, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every approval asked for the case, as JSON values (subject access)."""
    return [a.model_dump(mode="json") for a in await repository.of_case(session, case_id)]


async def anonymise_case(session: AsyncSession, case_id: uuid.UUID) -> None:
    """Retention: approvals keep who decided what and when, not the reasons given."""
    for approval in await repository.of_case(session, case_id):
        approval.closure_reason = approval.decision_reason = None
    await session.flush()
