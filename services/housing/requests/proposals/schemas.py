"""The proposals API contract: a place offered, how it was answered."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from kit.schemas import ClosedModel, Id, PublicModel
from services.housing.requests.domain import DeclinedBy, DeclineReason, ProposalStatus


class ProposalDeclineIn(ClosedModel):
    reason: DeclineReason = Field(
        description="household_… reasons are the household's, provider_… the facility's"
    )


class ProposalPublic(PublicModel):
    id: Id
    version: int
    request_id: Id
    unit_id: Id
    facility_id: Id
    run_id: Id | None = Field(description="The matching run that made it")
    status: ProposalStatus
    beds: int = Field(description="The beds it holds while live")
    score: float
    expires_at: datetime
    declined_by: DeclinedBy | None
    decline_reason: DeclineReason | None
    decided_at: datetime | None
    created_at: datetime
