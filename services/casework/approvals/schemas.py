"""The approvals API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictStr

from kit.schemas import ClosedModel, Id, PublicModel, TrimmedText
from services.casework.approvals.domain import ApprovalStatus, Decision, Subject
from services.casework.cases.schemas import Outcome

Reason = Annotated[StrictStr, TrimmedText(2000)]


class ClosureRequestIn(ClosedModel):
    """A case worker asks to close the case; a supervisor of the lead organisation decides."""

    outcome: Outcome
    reason: Reason = Field(description="Why the case ends (kept in casework, never in events)")


class DecisionIn(ClosedModel):
    decision: Decision
    reason: Reason | None = Field(
        default=None, description="Required to send back: what is to be done first"
    )


class ApprovalPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    subject: Subject
    status: ApprovalStatus
    lead_organisation: str
    plan_version: int | None = Field(description="The plan version to approve (first_plan)")
    closure_outcome: Outcome | None
    closure_reason: str | None
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    updated_at: datetime
