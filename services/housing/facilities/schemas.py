"""The facilities API contract: facilities, their units, and the beds counted from them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from kit.schemas import (
    KEPT,
    ClosedModel,
    Id,
    PublicModel,
    StrictBool,
    StrictInt,
    StrictMunicipio,
    StrictStr,
    TargetGroup,
    TrimmedText,
)
from services.housing.facilities.domain import MAX_AGE as MAX_AGE  # matching reads them
from services.housing.facilities.domain import FacilityKind as FacilityKind
from services.housing.facilities.domain import Letting as Letting
from services.housing.facilities.domain import SexPolicy as SexPolicy
from services.housing.facilities.domain import canonical_target_groups

# Upper bounds keep numbers inside a database integer and catch typos (a 500-bed room).
MAX_UNIT_BEDS = 50
MAX_STAY_DAYS = 3660  # ten years

Name = Annotated[StrictStr, TrimmedText(200)]
Address = Annotated[StrictStr, TrimmedText(300), Field(description="The facility's street address")]
TargetGroups = Annotated[
    list[TargetGroup],
    Field(min_length=1, max_length=len(TargetGroup)),
    AfterValidator(canonical_target_groups),
]
Sexes = Annotated[
    SexPolicy,
    Field(description="Whom it houses: men, women, anyone, or families (never housed apart)"),
]
Age = Annotated[StrictInt, Field(ge=0, le=MAX_AGE)]
MaxAge = Annotated[Age | None, Field(description="The oldest it admits; null if no bound")]
Accessible = Annotated[StrictBool, Field(description="Step-free access for wheelchairs")]
MaxStay = Annotated[
    StrictInt | None,
    Field(ge=1, le=MAX_STAY_DAYS, description="Longest stay allowed, in days; null if none"),
]
Label = Annotated[StrictStr, TrimmedText(100), Field(description="The room or flat, e.g. 2B")]
Beds = Annotated[StrictInt, Field(ge=1, le=MAX_UNIT_BEDS)]
Let = Annotated[Letting, Field(description="whole: to one household; by_bed: one bed per person")]


class FacilityCreate(ClosedModel):
    """A facility run by the caller's organisation; its beds come with its units. ``max_age``
    is not below ``min_age`` (422 ``invalid-age-range``)."""

    name: Name
    kind: FacilityKind
    municipio: StrictMunicipio
    address: Address
    target_groups: TargetGroups
    sex_policy: Sexes
    min_age: Age = 0
    max_age: MaxAge = None
    accessible: Accessible
    max_stay_days: MaxStay = None


class FacilityPatch(ClosedModel):
    """Only the fields given change; null clears ``max_age`` or ``max_stay_days`` (422
    ``invalid-age-range`` if the ages left are out of order). A facility's kind and
    Municipio do not change."""

    name: Name = KEPT
    address: Address = KEPT
    target_groups: TargetGroups = KEPT
    sex_policy: Sexes = KEPT
    min_age: Age = KEPT
    max_age: MaxAge = None
    accessible: Accessible = KEPT
    max_stay_days: MaxStay = None


class FacilityPublic(PublicModel):
    id: Id
    version: int
    name: str
    kind: FacilityKind
    operator_organisation: str
    municipio: int
    address: str
    target_groups: list[TargetGroup]
    sex_policy: SexPolicy
    min_age: int
    max_age: int | None
    accessible: bool
    max_stay_days: int | None
    units: int = Field(description="How many units it has")
    capacity_beds: int = Field(description="Its units' beds")
    free_beds: int = Field(description="Beds neither placed nor held by a proposal")
    created_at: datetime
    updated_at: datetime


class UnitCreate(ClosedModel):
    label: Label
    beds: Beds
    letting: Let
    accessible: Accessible


class UnitPatch(ClosedModel):
    """Only the fields given change; a unit keeps at least the beds taken in it."""

    label: Label = KEPT
    beds: Beds = KEPT
    letting: Let = KEPT
    accessible: Accessible = KEPT


class UnitPublic(PublicModel):
    id: Id
    version: int
    facility_id: Id
    label: str
    beds: int
    letting: Letting
    accessible: bool
    free_beds: int = Field(description="Beds neither placed nor held by a proposal")
    created_at: datetime
    updated_at: datetime
