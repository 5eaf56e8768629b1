"""The minors' track API contract, and what casework reads of intake's birth-date answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from kit.schemas import CalendarDate, ClosedModel, EmailAddress, Id, PublicModel, TrimmedText
from services.casework.minors.domain import (
    AssessmentMethod,
    AssessmentOutcome,
    AssessmentStatus,
    GuardianKind,
    PlacementKind,
    TrackRecord,
    TransitionArea,
    TransitionStatus,
)

Court = Annotated[StrictStr, TrimmedText(200)]
DecreeReference = Annotated[StrictStr, TrimmedText(100)]
NOT_FUTURE = "Not in the future"


class GuardianContact(ClosedModel):
    """How the team reaches the guardian: the guardian's own personal data, kept in casework
    only and shown to the case's team only."""

    name: Annotated[StrictStr, TrimmedText(200)]
    phone: Annotated[StrictStr, Field(pattern=r"^\+?[0-9][0-9 ()./-]{4,38}$")] | None = None
    email: EmailAddress | None = None


class GuardianIn(ClosedModel):
    """A guardian's appointment, as the juvenile court's decree states it."""

    kind: GuardianKind = GuardianKind.VOLUNTEER
    court: Court = Field(
        description="The court that appointed them (Tribunale per i minorenni di …)"
    )
    appointed_on: CalendarDate = Field(description=NOT_FUTURE)
    decree_reference: DecreeReference | None = None
    contact: GuardianContact | None = None
    ended_on: CalendarDate | None = Field(
        default=None, description="The appointment's end: not before it began, not in the future"
    )


class GuardianPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    kind: GuardianKind
    court: str
    appointed_on: date
    decree_reference: str | None
    ended_on: date | None
    active: bool
    contact: GuardianContact | None = Field(
        description="Shown to the case's team only (null for anyone else, or when not recorded)"
    )
    recorded_by: str
    created_at: datetime
    updated_at: datetime


class AgeAssessmentIn(ClosedModel):
    """The assessment as it stands. A request date once requested or in progress, a method
    once under way, an outcome and its date once completed or contested."""

    status: AssessmentStatus
    method: AssessmentMethod | None = None
    requested_on: CalendarDate | None = Field(default=None, description=NOT_FUTURE)
    outcome: AssessmentOutcome | None = None
    outcome_on: CalendarDate | None = Field(
        default=None, description="Not in the future, not before requested_on"
    )


class AgeAssessmentPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    status: AssessmentStatus
    method: AssessmentMethod | None
    requested_on: date | None
    outcome: AssessmentOutcome | None
    outcome_on: date | None
    presumed_minor: bool = Field(
        description="Minority is presumed until an assessment concludes adult (inconclusive "
        "counts as minor)"
    )
    recorded_by: str
    created_at: datetime
    updated_at: datetime


FacilityRef = Annotated[
    StrictStr,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$",
        description="The facility, by an identifier of the network's (housing's, later)",
    ),
]


class PlacementIn(ClosedModel):
    kind: PlacementKind
    facility_ref: FacilityRef
    starts_on: CalendarDate = Field(description=NOT_FUTURE)
    ends_on: CalendarDate | None = Field(
        default=None, description="Not before starts_on, not in the future"
    )


class PlacementPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    kind: PlacementKind
    facility_ref: str
    starts_on: date
    ends_on: date | None
    current: bool
    recorded_by: str
    created_at: datetime
    updated_at: datetime


class TransitionGoal(ClosedModel):
    area: TransitionArea
    description: Annotated[StrictStr, TrimmedText(1000)]
    target_date: CalendarDate | None = None
    achieved: StrictBool = False


class TransitionPlanIn(ClosedModel):
    """The transition plan as it is to be from now on."""

    status: TransitionStatus = TransitionStatus.OPEN
    goals: Annotated[list[TransitionGoal], Field(max_length=50)] = Field(default_factory=list)
    extension_requested: StrictBool = Field(
        default=False, description="The team asks the juvenile court to extend support to 21"
    )


class TransitionPlanPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    target_on: date | None = Field(
        description="The 18th birthday, as intake has the birth date now (follows rectifications)"
    )
    target_estimated: bool = Field(description="The birth date it comes from is estimated")
    opened_on: date
    status: TransitionStatus
    goals: list[TransitionGoal]
    extension_requested: bool
    closed_on: date | None
    updated_by: str | None = Field(description="None: as the transition job opened it")
    updated_at: datetime


class ExtensionIn(ClosedModel):
    """The juvenile court's decree extending support past 18 (prosieguo amministrativo)."""

    court: Court
    decree_on: CalendarDate = Field(description=NOT_FUTURE)
    decree_reference: DecreeReference | None = None
    support_ends_on: CalendarDate = Field(
        description="After the 18th birthday and not after the 21st"
    )


class ExtensionPublic(PublicModel):
    id: Id
    version: int
    case_id: Id
    court: str
    decree_on: date
    decree_reference: str | None
    support_ends_on: date
    recorded_by: str
    created_at: datetime
    updated_at: datetime


class ComingOfAgePublic(PublicModel):
    """What casework keeps of the minor's birth date from intake."""

    coming_of_age_on: date | None = Field(description="The 18th birthday; null until fetched")
    support_limit_on: date | None = Field(description="The 21st birthday")
    estimated: bool
    source_version: int | None = Field(description="The version of intake's person record")
    fetched_at: datetime | None
    pending: bool = Field(description="A newer version is to be fetched from intake")


class MinorTrackPublic(PublicModel):
    """The case's minors' track at a glance."""

    case_id: Id
    person_ref: Id
    coming_of_age: ComingOfAgePublic | None
    presumed_minor: bool
    guardian: GuardianPublic | None = Field(description="The appointment in force")
    age_assessment: AgeAssessmentPublic | None
    placement: PlacementPublic | None = Field(description="The placement in force")
    transition_plan: TransitionPlanPublic | None
    turned_adult_raised_on: date | None = Field(
        description="The day minor.turning_18 was raised for the case"
    )
    extension: ExtensionPublic | None


class TrackRecordVersionPublic(PublicModel):
    kind: TrackRecord
    record_id: Id
    version: int
    data: dict[str, Any] = Field(description="The record as this version made it")
    changed_by: str | None = Field(description="None: a job (the transition job, a re-read)")
    changed_at: datetime


class IntakeBirthDateIn(BaseModel):
    """Intake's answer to ``GET /v1/intake/persons/{id}/birth-date`` (a tolerant reader)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    person_ref: Id
    status: str
    merged_into: Id | None = None
    birth_date: date | None
    birth_date_estimated: bool
    version: int
