"""API types of transfers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictStr

from kit.schemas import ClosedModel, OrganisationAlias, PublicModel, TrimmedText
from services.casework.cases.schemas import Reach, Status, TeamRole, User
from services.casework.transfers.domain import Answer, TransferStatus

Reason = Annotated[StrictStr, TrimmedText(2000)]


class TransferIn(ClosedModel):
    to_organisation: OrganisationAlias = Field(description="The organisation asked to lead")
    reason: Reason = Field(description="Why (kept in casework, never in events)")


class NewCaseManager(ClosedModel):
    user: User
    role: TeamRole


class AnswerIn(ClosedModel):
    answer: Answer
    case_manager: NewCaseManager | None = Field(
        default=None,
        description="To accept: the receiving organisation's worker who manages the case",
    )
    former_lead_reach: Reach | None = Field(
        default=None,
        description="To accept: how much of the case the former lead keeps reading; "
        "left out, nothing",
    )
    reason: Reason | None = Field(default=None, description="To refuse: why")


class TransferPublic(PublicModel):
    id: uuid.UUID
    case_id: uuid.UUID
    status: TransferStatus
    from_organisation: str
    to_organisation: str
    resumes_status: Status
    request_reason: str
    requested_by: str
    requested_at: datetime
    answered_by: str | None
    answered_at: datetime | None
    refusal_reason: str | None
    former_lead_reach: Reach | None
