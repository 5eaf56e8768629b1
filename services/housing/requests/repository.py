"""Housing-request queries: the only place that builds SQL for requests, and the one place
that applies who sees which (`visible`)."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Collection
from datetime import date
from typing import TypedDict, Unpack

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.pagination import Page, PageParams
from kit.query import Listing, first
from services.housing.requests.domain import OPEN
from services.housing.requests.models import HousingRequest
from services.housing.visibility import visible_requests


class RequestFilter(TypedDict):
    """What a list of requests is narrowed to; a filter given as ``None`` is left out."""

    status: str | None
    case_id: uuid.UUID | None
    target_group: str | None
    urgency: str | None
    requested_from: date | None
    requested_to: date | None


_REQUESTS = Listing(
    filters={
        "status": HousingRequest.status,
        "case_id": HousingRequest.case_id,
        "target_group": HousingRequest.target_group,
        "urgency": HousingRequest.urgency,
        "requested_from": (col(HousingRequest.requested_on), operator.ge),
        "requested_to": (col(HousingRequest.requested_on), operator.lt),
    },
    order_by=(HousingRequest.requested_on, HousingRequest.id),
)


async def get(
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> HousingRequest | None:
    stmt = select(HousingRequest).where(
        col(HousingRequest.id) == request_id, visible_requests(principal)
    )
    return await first(session, stmt, for_update=for_update)


async def list_requests(
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    **where: Unpack[RequestFilter],
) -> Page[HousingRequest]:
    """Longest waiting first."""
    stmt = select(HousingRequest).where(visible_requests(principal))
    return await _REQUESTS.page(session, stmt, page, where)


async def open_of_case(session: AsyncSession, case_id: uuid.UUID) -> HousingRequest | None:
    stmt = select(HousingRequest).where(
        col(HousingRequest.case_id) == case_id, col(HousingRequest.status).in_(list(OPEN))
    )
    return await first(session, stmt, for_update=True)


async def open_of_cases(
    session: AsyncSession, case_ids: Collection[uuid.UUID]
) -> list[HousingRequest]:
    if not case_ids:
        return []
    stmt: SelectOfScalar[HousingRequest] = (
        select(HousingRequest)
        .where(
            col(HousingRequest.case_id).in_(list(case_ids)),
            col(HousingRequest.status).in_(list(OPEN)),
        )
        .order_by(col(HousingRequest.id))
        .with_for_update()
    )
    return list(await session.exec(stmt))
