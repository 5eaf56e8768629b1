"""The referrals API contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kit.db import utcnow
from kit.schemas import (
    ClosedModel,
    Id,
    Municipio,
    OrganisationAlias,
    PublicModel,
    StrictFloat,
    StrictMunicipio,
    StrictStr,
    Timestamp,
)
from services.intake.persons.schemas import DATE_IN_FUTURE, PersonCreate
from services.intake.referrals.domain import Channel as Channel  # part of the contract (outreach)
from services.intake.referrals.domain import Flag, Need, TargetGroup, Urgency
from services.intake.referrals.lifecycle import ReferralStatus, ScreeningOutcome
from services.intake.referrals.sla import BreachKind
from services.intake.referrals.triage import Assessment, Indicator, OperatorUrgency


class PlaceIn(ClosedModel):
    municipio: StrictMunicipio
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    # StrictFloat takes a JSON integer too (not "45" nor true): one number type, so the
    # schema carries the bounds (on a union of two types pydantic drops them from it)
    latitude: Annotated[StrictFloat, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[StrictFloat, Field(ge=-180, le=180)] | None = None


class ReferralPersonIn(ClosedModel):
    """A person concerned: an existing one (``person_id``) or a new one (``person``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
                for name in ("person_id", "person")
            ]
        }
    )

    person_id: uuid.UUID | None = None
    person: PersonCreate | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.person_id is None) == (self.person is None):
            raise ValueError("give either person_id (an existing person) or person (a new one)")
        return self


class ReferralFields(ClosedModel):
    """What is recorded of a referral when it is received (shared with offline contacts)."""

    channel: Channel
    received_at: Timestamp
    place: PlaceIn
    urgency: Urgency
    target_group: TargetGroup
    needs: Annotated[list[Need], Field(default_factory=list, max_length=len(Need))]
    flags: Annotated[
        list[Flag],
        Field(
            default_factory=list,
            max_length=len(Flag),
            description="What the first responder must know at once",
        ),
    ]
    reporting_unit: Annotated[StrictStr, Field(min_length=1, max_length=100)] | None = None


class ReferralCreate(ReferralFields):
    persons: Annotated[
        list[ReferralPersonIn],
        Field(
            default_factory=list,
            max_length=20,
            description="The persons concerned; new ones are registered (and checked for "
            "duplicates, which go to the review queue)",
        ),
    ]


class HandOverIn(ClosedModel):
    lead_organisation: OrganisationAlias


class FirstContactIn(ClosedModel):
    contacted_at: Timestamp = Field(
        description="When the person was first reached; not in the future, not before receipt "
        "(JSON Schema can state neither: refused 422 and 409)"
    )

    @field_validator("contacted_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime) -> datetime:
        if value > utcnow():
            raise PydanticCustomError(DATE_IN_FUTURE, "contacted_at cannot be in the future")
        return value


class PlacePublic(PublicModel):
    municipio: Municipio
    name: str
    latitude: float | None
    longitude: float | None


class ReferralPublic(PublicModel):
    id: Id
    version: int
    status: ReferralStatus
    channel: Channel
    received_at: datetime
    place: PlacePublic
    urgency: Urgency
    target_group: TargetGroup
    needs: list[Need]
    flags: list[Flag]
    reporting_organisation: str
    reporting_unit: str | None
    lead_organisation: str | None
    person_ids: list[Id]
    handed_over_at: datetime | None
    first_contact_at: datetime | None
    first_contact_due_at: datetime = Field(description="First contact due by (SLA)")
    hand_over_due_at: datetime = Field(description="Hand-over due by (SLA)")
    overdue: list[BreachKind] = Field(
        description="The SLA steps whose deadline has passed and that are still not done"
    )
    created_at: datetime
    updated_at: datetime


class ScreeningIn(ClosedModel):
    indicators: Annotated[list[Indicator], Field(default_factory=list, max_length=len(Indicator))]
    outcome: ScreeningOutcome
    operator_urgency: OperatorUrgency | None = Field(
        default=None,
        description="An operator's explicit urgency, with the reason; it may lower the scored "
        "urgency, never below what a rule requires.",
    )


class ScreeningPublic(PublicModel):
    referral: ReferralPublic
    assessment: Assessment
    policy_version: int | None = Field(description="null: the built-in default rule")
