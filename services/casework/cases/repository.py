"""Case queries: the only place that builds SQL for cases."""

from __future__ import annotations

import uuid
from typing import TypedDict, Unpack

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams, paginate
from kit.query import where_given
from services.casework.cases.domain import Status
from services.casework.cases.models import Case


def _visible(stmt: SelectOfScalar[Case], principal: Principal) -> SelectOfScalar[Case]:
    # domain.visible_to, as SQL
    if principal.is_coordinator:
        return stmt
    return stmt.where(Case.lead_organisation == principal.organisation)


async def get_visible(
    session: AsyncSession, case_id: uuid.UUID, principal: Principal
) -> Case | None:
    return (await session.exec(_visible(select(Case).where(Case.id == case_id), principal))).first()


class CaseFilter(TypedDict):
    """What a list of cases is narrowed to; a filter given as ``None`` is left out."""

    status: Status | None
    referral_id: uuid.UUID | None


async def list_visible(
    session: AsyncSession, principal: Principal, params: PageParams, **where: Unpack[CaseFilter]
) -> Page[Case]:
    stmt = where_given(
        _visible(select(Case), principal),
        (Case.status, where["status"]),
        (Case.referral_id, where["referral_id"]),
    )
    return await paginate(
        session, stmt, params, order_by=(Case.opened_at, Case.id), descending=True
    )


async def get_by_referral(session: AsyncSession, referral_id: uuid.UUID) -> Case | None:
    return (await session.exec(select(Case).where(Case.referral_id == referral_id))).first()
