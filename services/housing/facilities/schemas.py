"""The facilities API contract."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from kit.schemas import (
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
from services.housing.facilities.domain import (
    FacilityKind,
    SexAdmitted,
    canonical_target_groups,
)

# Upper bounds keep numbers inside a database integer and catch typos (a 50,000-bed facility).
MAX_CAPACITY_BEDS = 2000
MAX_STAY_DAYS = 3660  # ten years


class FacilityCreate(ClosedModel):
    name: Annotated[StrictStr, TrimmedText(200)]
    kind: FacilityKind
    municipio: StrictMunicipio
    capacity_beds: Annotated[StrictInt, Field(ge=1, le=MAX_CAPACITY_BEDS)]
    target_groups: Annotated[
        list[TargetGroup],
        Field(min_length=1, max_length=len(TargetGroup)),
        AfterValidator(canonical_target_groups),
    ]
    sex: Annotated[SexAdmitted, Field(description="Who may be housed: any, male or female")]
    accessible: Annotated[StrictBool, Field(description="Step-free access for wheelchairs")]
    max_stay_days: (
        Annotated[
            StrictInt,
            Field(ge=1, le=MAX_STAY_DAYS, description="Longest stay allowed; null if none"),
        ]
        | None
    ) = None


class FacilityPublic(PublicModel):
    id: Id
    version: int
    name: str
    kind: FacilityKind
    operator_organisation: str
    municipio: int
    capacity_beds: int
    target_groups: list[TargetGroup]
    sex: SexAdmitted
    accessible: bool
    max_stay_days: int | None
    created_at: datetime
    updated_at: datetime
