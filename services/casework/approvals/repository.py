"""Approval queries: the only place that builds SQL for approvals."""

from __future__ import annotations

import uuid
from typing import TypedDict

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first
from services.casework.approvals.domain import ApprovalStatus, Subject
from services.casework.approvals.models import Approval
from services.casework.cases.schemas import Reach
from services.casework.visibility import visible_case_ids


def _visible(stmt: SelectOfScalar[Approval], principal: Principal) -> SelectOfScalar[Approval]:
    # an approval is seen by those who see its case
    cases = visible_case_ids(principal, Reach.PLAN)
    return stmt if cases is None else stmt.where(col(Approval.case_id).in_(cases))


async def get_visible(
    session: AsyncSession, approval_id: uuid.UUID, principal: Principal, *, for_update: bool
) -> Approval | None:
    stmt = _visible(select(Approval).where(col(Approval.id) == approval_id), principal)
    return await first(session, stmt, for_update=for_update)


class ApprovalFilter(TypedDict, total=False):
    status: ApprovalStatus | None
    subject: Subject | None
    case_id: uuid.UUID | None
    organisation: str | None  # the lead organisation
    not_requested_by: str | None  # a user: what others asked


_APPROVALS = Listing(
    filters={
        "status": Approval.status,
        "subject": Approval.subject,
        "case_id": Approval.case_id,
        "organisation": Approval.lead_organisation,
        "not_requested_by": (col(Approval.requested_by), lambda c, v: c != v),
    },
    order_by=(Approval.requested_at, Approval.id),
)


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, where: ApprovalFilter
) -> Page[Approval]:
    """Oldest request first: what has waited longest is decided first."""
    return await _APPROVALS.page(session, _visible(select(Approval), principal), params, where)


async def pending_of(session: AsyncSession, case_id: uuid.UUID) -> list[Approval]:
    stmt = select(Approval).where(
        col(Approval.case_id) == case_id, col(Approval.status) == ApprovalStatus.PENDING
    )
    return list(await session.exec(stmt))


async def of_case(session: AsyncSession, case_id: uuid.UUID) -> list[Approval]:
    stmt = select(Approval).where(col(Approval.case_id) == case_id)
    return list(await session.exec(stmt.order_by(col(Approval.requested_at), col(Approval.id))))
