"""The cases API contract, and what casework reads from the events it consumes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from kit.schemas import (
    CalendarDate,
    ClosedModel,
    Id,
    OrganisationAlias,
    PublicModel,
    StrictMunicipio,
    Timestamp,
    TrimmedText,
)
from services.casework.cases.domain import Origin, TargetGroup, Urgency
from services.casework.cases.domain import Outcome as Outcome  # approvals name it too
from services.casework.cases.domain import Reach as Reach  # plans, notes, sharing read by it
from services.casework.cases.domain import Status as Status  # transfers resume it
from services.casework.cases.reviews import ReviewOutcome
from services.casework.cases.team import TeamRole as TeamRole  # transfers, referrals name it

PersonRefs = Annotated[
    list[Id],
    Field(
        min_length=1,
        max_length=20,
        description="Intake's person ids of the persons the case concerns (no names here)",
    ),
]

User = Annotated[
    StrictStr,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$",
        description="A network user: the subject (`sub`) of their Keycloak account",
    ),
]


class CasePublic(PublicModel):
    id: Id
    version: int
    status: Status
    origin: Origin
    referral_id: Id | None = Field(description="The referral it was opened from, if any")
    lead_organisation: str
    reporting_organisation: str
    urgency: str
    target_group: TargetGroup
    municipio: int
    person_refs: list[Id]
    case_manager_id: Id | None = Field(description="The team member who manages the case")
    plan_approved_version: int | None = Field(
        description="The plan version a supervisor approved as the first plan"
    )
    referral_received_at: datetime | None
    handed_over_at: datetime | None
    opened_at: datetime
    closure_outcome: Outcome | None
    closure_reason: str | None
    closed_at: datetime | None
    reopened_at: datetime | None
    anonymise_due_at: datetime | None = Field(
        description="When the closed case is anonymised (the closure policy's period)"
    )
    anonymised_at: datetime | None
    reviews_done: int
    last_review_at: datetime | None
    next_review_due_at: datetime | None = Field(description="None for a case no longer running")
    review_overdue: bool
    updated_at: datetime


class CaseFacts(PublicModel):
    """What the other features of casework read of a case (its row stays the cases')."""

    id: Id
    status: Status
    lead_organisation: str
    target_group: TargetGroup
    municipio: int
    plan_approved_version: int | None


class CaseCreate(ClosedModel):
    """A case a case worker opens for persons the network knows (intake's person ids): their
    organisation leads it, and they join its team as its case manager."""

    target_group: TargetGroup
    municipio: StrictMunicipio
    urgency: Urgency = Urgency.NORMAL
    person_refs: PersonRefs
    role: TeamRole = Field(
        default=TeamRole.SOCIAL_WORKER, description="The opener's role on the team"
    )


class StatusChangeIn(ClosedModel):
    status: Status = Field(
        description="assessment (from open), monitoring (from plan_active), plan_active (from "
        "monitoring; from assessment once the first plan is approved). Closure and transfer "
        "have their own requests."
    )


class ReopeningIn(ClosedModel):
    reason: Annotated[StrictStr, TrimmedText(2000)] = Field(
        description="Why the case is taken up again (kept in casework, never in events)"
    )


class MemberCreate(ClosedModel):
    user: User
    organisation: OrganisationAlias = Field(description="The organisation the member acts for")
    role: TeamRole
    joined_on: CalendarDate | None = Field(
        default=None, description="Not in the future; today when left out"
    )
    case_manager: StrictBool = Field(
        default=False, description="Make the new member the case manager"
    )


class LeavingIn(ClosedModel):
    left_on: CalendarDate | None = Field(
        default=None,
        description="Not in the future nor before joining; today when left out",
    )


class CaseManagerIn(ClosedModel):
    member_id: Id


class MemberPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    user: str
    organisation: str
    role: TeamRole
    joined_on: date
    left_on: date | None
    case_manager: bool
    active: bool
    created_at: datetime
    updated_at: datetime


class HandedOverReferralIn(BaseModel):
    """The part of intake's ``lgnet.intake.referral.handed_over`` that opens a case.

    A tolerant reader: fields casework does not need are ignored, so intake may add some
    without breaking casework (the committed JSON Schema has already been checked by the
    consumer). Urgency is intake's vocabulary, kept as given; the target group becomes
    casework's (`domain.target_group_of_referral`); the event's ``received_at`` is the case's
    ``referral_received_at``.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    referral_id: Id
    referral_received_at: datetime = Field(alias="received_at")
    handed_over_at: datetime
    reporting_organisation: str
    lead_organisation: str
    urgency: str
    target_group: str
    municipio: int
    person_refs: list[uuid.UUID] = []


class StatusChangePublic(PublicModel):
    status: Status
    from_status: Status | None = Field(description="None: the opening")
    changed_by: str | None = Field(description="None: opened by intake's hand-over")
    changed_at: datetime
    reason: str | None
    approval_id: Id | None = Field(description="The approval a closure followed")


class ReviewIn(ClosedModel):
    outcome: ReviewOutcome
    summary: Annotated[StrictStr, TrimmedText(4000)] = Field(
        description="What the team found (kept in casework, never in events)"
    )
    reviewed_at: Timestamp | None = Field(
        default=None, description="When the review took place; now when left out"
    )


class ReviewPublic(PublicModel):
    id: Id
    case_id: Id
    cycle: int
    reviewed_at: datetime
    outcome: ReviewOutcome
    summary: str
    reviewed_by: str
    recorded_at: datetime


class ReviewRecordedPublic(PublicModel):
    review: ReviewPublic
    case: CasePublic
