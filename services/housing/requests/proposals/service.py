"""Proposal use cases: propose a place (a run does, for each request it houses), decline it
with a reason from the catalogue, let it expire, clear a declined pair, and mark it accepted
(a placement does). One live proposal per request; it holds the household's beds. Never
commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.auth import Principal
from kit.db import utcnow
from kit.errors import NotFound, require_found
from kit.etag import require_if_match
from kit.events.types import EventType
from kit.outbox import Pending, record_events
from services.housing.cases import service as cases
from services.housing.requests import repository
from services.housing.requests import service as requests
from services.housing.requests.domain import (
    DeclineReason,
    ProposalStatus,
    RequestStatus,
    require_live,
)
from services.housing.requests.models import DeclinedPair, HousingRequest, Proposal
from services.housing.requests.proposals.events import (
    ProposalAccepted,
    ProposalData,
    ProposalDeclined,
    ProposalExpired,
    ProposalMade,
)


class ProposalNotFound(NotFound):
    slug = "proposal-not-found"
    title = "Proposal not found"


@dataclass(frozen=True)
class Offer:
    """A place to propose: a unit of a facility for a request, at a score."""

    request_id: uuid.UUID
    unit_id: uuid.UUID
    facility_id: uuid.UUID
    score: float


async def propose(
    session: AsyncSession,
    principal: Principal,
    offers: Sequence[Offer],
    chosen: Sequence[requests.Waiting],
    *,
    hold: timedelta,
    run_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """A live proposal for each offer (`chosen`: its request, as the run read it), holding
    the household's beds for `hold`; the requests are proposed. A request no longer waiting
    (withdrawn meanwhile) is skipped. In bulk: a run makes thousands. The proposals' ids."""
    now = utcnow()
    proposed = {w.id: w for w in await requests.propose_all(session, chosen, now)}
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "version": 1,
            "request_id": offer.request_id,
            "unit_id": offer.unit_id,
            "facility_id": offer.facility_id,
            "run_id": run_id,
            "status": ProposalStatus.LIVE,
            "beds": proposed[offer.request_id].household_size,
            "score": offer.score,
            "expires_at": now + hold,
            "declined_by": None,
            "decline_reason": None,
            "decided_at": None,
            "created_by": principal.subject,
            "created_at": now,
            "updated_at": now,
        }
        for offer in offers
        if offer.request_id in proposed
    ]
    await repository.add_proposals(session, rows)
    told = [name for name in ProposalMade.payload.names() if name in rows[0]] if rows else []
    await record_events(
        session,
        [
            Pending(
                ProposalMade,
                ProposalMade.payload.model_validate(
                    {name: row[name] for name in told}
                    | {"proposal_id": row["id"], "decline": None, "changed_at": now}
                ),
                str(row["request_id"]),
                proposed[row["request_id"]].organisation,
            )
            for row in rows
        ],
    )
    return [row["id"] for row in rows]


async def get(*, session: AsyncSession, principal: Principal, proposal_id: uuid.UUID) -> Proposal:
    """A proposal, if `principal` sees its request (404 otherwise)."""
    proposal = await _proposal(session, proposal_id)
    await requests.visible_row(session, principal, proposal.request_id)
    return proposal


async def of_request(
    *, session: AsyncSession, principal: Principal, request_id: uuid.UUID
) -> list[Proposal]:
    await requests.visible_row(session, principal, request_id)
    return await repository.proposals_of(session, request_id)


async def decline(
    *,
    session: AsyncSession,
    principal: Principal,
    proposal_id: uuid.UUID,
    if_match: str | None,
    reason: DeclineReason,
) -> Proposal:
    """The household or the provider declines: the beds are free, the request waits again,
    and this unit is not proposed to it again until a coordinator clears the pair."""
    proposal = await _proposal(session, proposal_id, for_update=True)
    await requests.visible_row(session, principal, proposal.request_id)
    require_if_match(if_match, proposal.version)
    now = utcnow()
    require_live(ProposalStatus(proposal.status), proposal.expires_at, now)
    proposal.status = ProposalStatus.DECLINED
    proposal.decline_reason = reason
    proposal.declined_by = reason.declined_by
    _decided(proposal, now)
    if await session.get(DeclinedPair, (proposal.request_id, proposal.unit_id)) is None:
        session.add(
            DeclinedPair(
                request_id=proposal.request_id,
                unit_id=proposal.unit_id,
                proposal_id=proposal.id,
                declined_at=now,
            )
        )
    request = await requests.moved(session, proposal.request_id, RequestStatus.WAITING)
    await _publish(session, ProposalDeclined, proposal, request)
    return proposal


async def clear_declined(
    *, session: AsyncSession, principal: Principal, request_id: uuid.UUID, unit_id: uuid.UUID
) -> None:
    """The pair may be proposed again (a coordinator's decision, e.g. the repairs are done)."""
    await requests.visible_row(session, principal, request_id)
    pair = await session.get(DeclinedPair, (request_id, unit_id))
    if pair is None:
        raise ProposalNotFound(f"Unit {unit_id} was not declined for request {request_id}.")
    await session.delete(pair)
    await session.flush()


async def accepted(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID, if_match: str | None
) -> tuple[Proposal, HousingRequest]:
    """The live proposal, locked, marked accepted (a placement takes its beds next, in the
    same transaction); the request is placed. 409 if it is not live any more."""
    proposal = await _proposal(session, proposal_id, for_update=True)
    request = await requests.visible_row(session, principal, proposal.request_id)
    require_if_match(if_match, proposal.version)
    now = utcnow()
    require_live(ProposalStatus(proposal.status), proposal.expires_at, now)
    case = await cases.cases(session, [request.case_id])
    if request.case_id in case:
        case[request.case_id].require_taken_in_charge()
    proposal.status = ProposalStatus.ACCEPTED
    _decided(proposal, now)
    request = await requests.moved(session, proposal.request_id, RequestStatus.PLACED)
    await _publish(session, ProposalAccepted, proposal, request)
    return proposal, request


async def expire(session: AsyncSession, *, now: datetime, limit: int) -> list[uuid.UUID]:
    """Live proposals past their time end: the beds are free, the requests wait again (no
    pair is declined: nobody said no)."""
    ended = await repository.expired_proposals(session, now, limit)
    for proposal in ended:
        proposal.status = ProposalStatus.EXPIRED
        _decided(proposal, now)
        request = await requests.moved(session, proposal.request_id, RequestStatus.WAITING)
        await _publish(session, ProposalExpired, proposal, request)
    return [proposal.id for proposal in ended]


async def declined_pairs(session: AsyncSession) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Every (request, unit) pair declined and not cleared: a run proposes none of them."""
    return await repository.declined_pairs(session)


async def _proposal(
    session: AsyncSession, proposal_id: uuid.UUID, *, for_update: bool = False
) -> Proposal:
    found = await repository.proposal(session, proposal_id, for_update=for_update)
    return require_found(found, ProposalNotFound(f"No proposal {proposal_id}."))


def _decided(proposal: Proposal, now: datetime) -> None:
    proposal.version += 1
    proposal.decided_at = proposal.updated_at = now


async def _publish(
    session: AsyncSession,
    event: EventType[ProposalData],
    proposal: Proposal,
    request: HousingRequest,
) -> None:
    await record_events(session, [_pending(event, proposal, request)])


def _pending(
    event: EventType[ProposalData], proposal: Proposal, request: HousingRequest
) -> Pending:
    data = event.payload.of(
        proposal,
        proposal_id=proposal.id,
        decline=proposal.decline_reason,
        changed_at=proposal.updated_at,
    )
    return Pending(event, data, str(request.id), request.organisation)
