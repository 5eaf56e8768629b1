"""The housing-requests API contract: a household, its needs and preferences, the request's
status and how long it has waited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from kit.schemas import (
    KEPT,
    CalendarDate,
    ClosedModel,
    Id,
    PublicModel,
    StrictBool,
    StrictInt,
    StrictMunicipio,
    TargetGroup,
)
from services.housing.facilities.schemas import MAX_AGE
from services.housing.requests.domain import MAX_HOUSEHOLD, WithdrawalReason

# matching and placements read these
from services.housing.requests.domain import RequestStatus as RequestStatus  # isort: skip
from services.housing.requests.domain import HousingUrgency as HousingUrgency  # isort: skip
from services.housing.requests.domain import MemberSex as MemberSex  # isort: skip


class MemberIn(ClosedModel):
    """One person of the household: no name, no birth date."""

    sex: MemberSex
    age: Annotated[StrictInt, Field(ge=0, le=MAX_AGE, description="Age in completed years")]


Members = Annotated[
    list[MemberIn],
    Field(
        min_length=1,
        max_length=MAX_HOUSEHOLD,
        description="Everyone to be housed together: a household is never split",
    ),
]
Preferred = Annotated[
    list[StrictMunicipio],
    Field(max_length=9, description="Municipi the household would rather live in"),
    AfterValidator(lambda municipi: sorted(set(municipi))),
]
NeedsAccessible = Annotated[StrictBool, Field(description="Someone needs step-free access")]


class RequestCreate(ClosedModel):
    """A request for a case the caller's organisation leads or has a member on the team of
    (404 otherwise); one open request per case (409 ``request-open-already``). Its target group
    and vulnerability are the case's, as casework's events tell housing."""

    case_id: Id
    members: Members
    needs_accessible: NeedsAccessible = False
    preferred_municipi: Preferred = Field(default_factory=list)
    urgency: HousingUrgency = HousingUrgency.NORMAL
    requested_on: CalendarDate | None = Field(
        default=None,
        description="When the household asked (a request moved from paper); not in the "
        "future; today when left out",
    )


class RequestPatch(ClosedModel):
    """Only the fields given change, while the request is open (409 ``request-not-open``)."""

    members: Members = KEPT
    needs_accessible: NeedsAccessible = KEPT
    preferred_municipi: Preferred = KEPT
    urgency: HousingUrgency = KEPT


class WithdrawalIn(ClosedModel):
    reason: WithdrawalReason = Field(
        description="no_longer_needed, housed_elsewhere or filed_in_error (the other reasons "
        "are the platform's own)"
    )


class MemberPublic(PublicModel):
    sex: MemberSex
    age: int


class RequestPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    status: RequestStatus
    target_group: TargetGroup
    members: list[MemberPublic]
    household_size: int
    adults: int
    minors: int
    needs_accessible: bool
    preferred_municipi: list[int]
    urgency: HousingUrgency
    vulnerability: int = Field(description="0–3, from the case (target group, intake urgency)")
    requested_on: date
    waiting_days: int = Field(description="Days since requested_on")
    organisation: str = Field(description="The organisation that filed it")
    withdrawal_reason: WithdrawalReason | None
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime
