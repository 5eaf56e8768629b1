"""Housing-request queries: the only place that builds SQL for requests, and the one place
that applies who sees which (`visible`)."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import func, update
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from kit.auth import Principal
from kit.db import utcnow
from kit.pagination import Page, PageParams
from kit.query import Listing, among, first
from kit.rows import Record, fetch, insert_many
from services.housing.requests.domain import OPEN, ProposalStatus, RequestStatus
from services.housing.requests.models import DeclinedPair, HousingRequest, Proposal
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


_TABLE = HousingRequest.__table__  # type: ignore[attr-defined]
WAITING_COLUMNS = (
    "id", "version", "case_id", "target_group", "members", "household_size", "minors",
    "needs_accessible", "preferred_municipi", "urgency", "requested_on", "organisation",
    "vulnerability",
)  # fmt: skip
"""What a run reads of a waiting request (`service.Waiting`)."""


async def waiting_rows(
    session: AsyncSession, *, ids: Collection[uuid.UUID] | None = None
) -> list[Record]:
    """Every waiting request as a row, longest waiting first (with `ids`, those among them)."""
    stmt = (
        sql_select(*(_TABLE.c[name] for name in WAITING_COLUMNS))
        .where(col(HousingRequest.status) == RequestStatus.WAITING)
        .order_by(col(HousingRequest.requested_on), col(HousingRequest.id))
    )
    if ids is not None:
        stmt = stmt.where(await among(session, col(HousingRequest.id), ids))
    return await fetch(session, stmt)


async def waiting_stamp(session: AsyncSession) -> tuple[int, datetime | None, int]:
    """How many requests wait, the latest change to one, and the sum of their versions: a
    change to the waiting list moves one of the three (a request joins it at a new
    `updated_at`; any other change adds to a version, or takes one out)."""
    stmt = sql_select(
        func.count(),
        func.max(col(HousingRequest.updated_at)),
        func.coalesce(func.sum(col(HousingRequest.version)), 0),
    ).where(col(HousingRequest.status) == RequestStatus.WAITING)
    count, latest, versions = (await (await session.connection()).execute(stmt)).one()
    return int(count), latest, int(versions)


async def waiting_versions(session: AsyncSession) -> dict[uuid.UUID, int]:
    """The version of every waiting request: what tells which a list read before has seen
    (every change to a request moves its version)."""
    stmt = sql_select(_TABLE.c.id, _TABLE.c.version).where(
        col(HousingRequest.status) == RequestStatus.WAITING
    )
    return {row["id"]: row["version"] for row in await fetch(session, stmt)}


async def mark_proposed(
    session: AsyncSession, request_ids: Sequence[uuid.UUID], now: datetime
) -> set[uuid.UUID]:
    """The requests among `request_ids` still waiting, now proposed (one statement)."""
    if not request_ids:
        return set()
    stmt = (
        update(HousingRequest)
        .where(
            await among(session, col(HousingRequest.id), request_ids),
            col(HousingRequest.status) == RequestStatus.WAITING,
        )
        .values(
            status=RequestStatus.PROPOSED,
            version=col(HousingRequest.version) + 1,
            updated_at=now,
        )
        .returning(col(HousingRequest.id))
    )
    return {row[0] for row in await (await session.connection()).execute(stmt)}


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


async def locked_many(
    session: AsyncSession, request_ids: Collection[uuid.UUID]
) -> list[HousingRequest]:
    stmt = (
        select(HousingRequest)
        .where(col(HousingRequest.id).in_(list(request_ids)))
        .with_for_update()
    )
    return list(await session.exec(stmt))


async def end_live_proposal(session: AsyncSession, request_id: uuid.UUID) -> None:
    """The request's live proposal, if any, ends as withdrawn (with the request)."""
    stmt = select(Proposal).where(
        col(Proposal.request_id) == request_id, col(Proposal.status) == ProposalStatus.LIVE
    )
    for proposal in await session.exec(stmt.with_for_update()):
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.version += 1
        proposal.decided_at = proposal.updated_at = utcnow()
    await session.flush()


async def proposal(
    session: AsyncSession, proposal_id: uuid.UUID, *, for_update: bool = False
) -> Proposal | None:
    stmt = select(Proposal).where(col(Proposal.id) == proposal_id)
    return await first(session, stmt, for_update=for_update)


async def proposals_of(session: AsyncSession, request_id: uuid.UUID) -> list[Proposal]:
    stmt = (
        select(Proposal)
        .where(col(Proposal.request_id) == request_id)
        .order_by(col(Proposal.created_at).desc(), col(Proposal.id))
    )
    return list(await session.exec(stmt))


async def expired_proposals(session: AsyncSession, now: datetime, limit: int) -> list[Proposal]:
    stmt = (
        select(Proposal)
        .where(col(Proposal.status) == ProposalStatus.LIVE, col(Proposal.expires_at) <= now)
        .order_by(col(Proposal.expires_at), col(Proposal.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.exec(stmt))


async def declined_pairs(
    session: AsyncSession, request_ids: Collection[uuid.UUID] | None = None
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """The (request, unit) pairs declined and not cleared (of `request_ids`, or all)."""
    stmt = select(DeclinedPair.request_id, DeclinedPair.unit_id)
    if request_ids is not None:
        stmt = stmt.where(col(DeclinedPair.request_id).in_(list(request_ids)))
    return {(r, u) for r, u in await session.exec(stmt)}


async def add_proposals(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Proposals as rows, copied in (a run makes thousands)."""
    await insert_many(session, Proposal, rows)


async def set_vulnerability(
    session: AsyncSession, case_id: uuid.UUID, level: int, now: datetime
) -> None:
    """Every request of the case, the case's vulnerability (one statement): a new version,
    as the request reads differently (no event: it is the case's fact, which casework's own
    event told)."""
    stmt = (
        update(HousingRequest)
        .where(col(HousingRequest.case_id) == case_id, col(HousingRequest.vulnerability) != level)
        .values(vulnerability=level, version=col(HousingRequest.version) + 1, updated_at=now)
    )
    await (await session.connection()).execute(stmt)
