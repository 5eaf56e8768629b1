"""HTTP for proposals: read one or a request's, decline one, clear a declined pair."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from kit.routes import NOT_FOUND, NOT_FOUND_OR_CONFLICT
from services.housing.access import Answering, Matching, Reading
from services.housing.requests.proposals import service
from services.housing.requests.proposals.schemas import ProposalDeclineIn, ProposalPublic

router = APIRouter(prefix="/v1/housing/proposals", tags=["proposals"])
of_requests = APIRouter(prefix="/v1/housing/requests", tags=["proposals"])


@router.get("/{proposal_id}", responses=NOT_FOUND, summary="One proposal")
async def get_proposal(proposal_id: uuid.UUID, call: Reading) -> ProposalPublic:
    proposal = await service.get(**call.by, proposal_id=proposal_id)
    return call.etagged(proposal.version, ProposalPublic.model_validate(proposal))


@router.post(
    "/{proposal_id}/decline",
    responses=NOT_FOUND_OR_CONFLICT,
    summary="Decline a live proposal, for the household or the provider (frees the beds)",
)
async def decline(
    proposal_id: uuid.UUID, decline_in: ProposalDeclineIn, change: Answering
) -> ProposalPublic:
    proposal = await service.decline(**change.by, proposal_id=proposal_id, reason=decline_in.reason)
    return change.etagged(proposal.version, ProposalPublic.model_validate(proposal))


@of_requests.get(
    "/{request_id}/proposals", responses=NOT_FOUND, summary="A request's proposals, newest first"
)
async def proposals_of(request_id: uuid.UUID, call: Reading) -> list[ProposalPublic]:
    found = await service.of_request(**call.by, request_id=request_id)
    return [ProposalPublic.model_validate(proposal) for proposal in found]


@of_requests.delete(
    "/{request_id}/declined-units/{unit_id}",
    status_code=204,
    responses=NOT_FOUND,
    summary="Let a declined unit be proposed to the request again",
)
async def clear_declined(request_id: uuid.UUID, unit_id: uuid.UUID, call: Matching) -> Response:
    await service.clear_declined(**call.by, request_id=request_id, unit_id=unit_id)
    return Response(status_code=204)
