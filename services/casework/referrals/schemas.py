"""The service referrals API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictStr

from kit.schemas import ClosedModel, Id, PublicModel, TrimmedText
from services.casework.cases.schemas import TeamRole
from services.casework.referrals.domain import Decision, ReferralStatus

Text = Annotated[StrictStr, TrimmedText(2000)]


class ReferralCreate(ClosedModel):
    """A referral of the case to a directory service: active, and run by a network
    organisation, which answers it (422 ``service-not-taking-referrals`` otherwise; 422
    ``unknown-directory-entry`` for a service the directory does not hold)."""

    service_id: Id
    team_role: TeamRole = Field(
        description="The role in which the receiving organisation's worker joins the team on "
        "accepting: they see the case as a member in that role does"
    )
    request_text: Text | None = Field(
        default=None, description="What the team asks of the service (stays in casework)"
    )


class AcceptIn(ClosedModel):
    """The receiving organisation takes the case up: the caller joins its team."""

    decision: Literal[Decision.ACCEPT]


class DeclineIn(ClosedModel):
    """The receiving organisation declines, and says why (the reason stays in casework)."""

    decision: Literal[Decision.DECLINE]
    reason: Text


AnswerIn = Annotated[AcceptIn | DeclineIn, Field(discriminator="decision")]


class WithdrawalIn(ClosedModel):
    """The team withdraws a referral not answered yet."""


class ReferralPublic(PublicModel):
    """A referral as the case's team and the receiving organisation read it: never the case
    itself."""

    id: Id
    version: int
    case_id: Id
    service_id: Id
    directory_organization_id: Id
    lead_organisation: str
    target_group: str
    municipio: int
    referring_organisation: str
    referred_by: str
    receiving_organisation: str
    team_role: TeamRole
    request_text: str | None
    status: ReferralStatus
    referred_at: datetime
    answer_due_at: datetime
    answer_overdue: bool
    answered_at: datetime | None
    answered_by: str | None
    decline_reason: str | None
    member_id: Id | None = Field(description="The team membership an accept made")
    withdrawn_at: datetime | None
