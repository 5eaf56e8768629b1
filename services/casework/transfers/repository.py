"""Transfer queries: the only place that builds SQL for transfers."""

from __future__ import annotations

import uuid
from typing import TypedDict

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first
from services.casework.transfers.domain import TransferStatus
from services.casework.transfers.models import CaseTransfer
from services.casework.visibility import visible_case_ids


def _visible(
    stmt: SelectOfScalar[CaseTransfer], principal: Principal
) -> SelectOfScalar[CaseTransfer]:
    """A transfer is seen by the two organisations it is between, and by who sees its case."""
    cases = visible_case_ids(principal)
    if cases is None:
        return stmt
    return stmt.where(
        or_(
            col(CaseTransfer.from_organisation) == principal.organisation,
            col(CaseTransfer.to_organisation) == principal.organisation,
            col(CaseTransfer.case_id).in_(cases),
        )
    )


async def get_visible(
    session: AsyncSession, transfer_id: uuid.UUID, principal: Principal, *, for_update: bool
) -> CaseTransfer | None:
    stmt = _visible(select(CaseTransfer).where(col(CaseTransfer.id) == transfer_id), principal)
    return await first(session, stmt, for_update=for_update)


class TransferFilter(TypedDict, total=False):
    status: TransferStatus | None
    case_id: uuid.UUID | None
    to_organisation: str | None
    from_organisation: str | None


_TRANSFERS = Listing(
    filters={
        "status": CaseTransfer.status,
        "case_id": CaseTransfer.case_id,
        "to_organisation": CaseTransfer.to_organisation,
        "from_organisation": CaseTransfer.from_organisation,
    },
    order_by=(CaseTransfer.requested_at, CaseTransfer.id),
)


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, where: TransferFilter
) -> Page[CaseTransfer]:
    """Oldest request first: what has waited longest is answered first."""
    return await _TRANSFERS.page(session, _visible(select(CaseTransfer), principal), params, where)


async def of_case(session: AsyncSession, case_id: uuid.UUID) -> list[CaseTransfer]:
    stmt = select(CaseTransfer).where(col(CaseTransfer.case_id) == case_id)
    return list(await session.exec(stmt.order_by(col(CaseTransfer.requested_at))))
