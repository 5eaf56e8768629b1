"""The placements API contract: move-in, stay, move-out with its outcome; occupancy."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from kit.schemas import CalendarDate, ClosedModel, Id, PublicModel
from services.housing.placements.domain import MoveOutOutcome


class AcceptanceIn(ClosedModel):
    moved_in_on: CalendarDate | None = Field(
        default=None, description="Not in the future; today when left out"
    )


class PlacementCreate(ClosedModel):
    """A waiting request placed straight in a unit (an emergency, no run): the unit must admit
    the household and have room for it (409 otherwise)."""

    request_id: Id
    unit_id: Id
    moved_in_on: CalendarDate | None = Field(
        default=None, description="Not in the future; today when left out"
    )


class MoveOutIn(ClosedModel):
    outcome: MoveOutOutcome
    moved_out_on: CalendarDate | None = Field(
        default=None, description="Not before the move-in, not in the future; today if left out"
    )


class HousingPlacementPublic(PublicModel):
    id: Id
    version: int
    request_id: Id
    case_id: Id
    unit_id: Id
    facility_id: Id
    proposal_id: Id | None
    household_size: int
    moved_in_on: date
    stay_ends_on: date | None = Field(description="The facility's maximum stay; null if none")
    over_stay: bool = Field(description="Still there after stay_ends_on")
    moved_out_on: date | None
    outcome: MoveOutOutcome | None
    created_at: datetime
    updated_at: datetime


class OccupancyDay(PublicModel):
    day: date
    capacity_beds: int
    placed_beds: int
    households: int


class OccupancyPublic(PublicModel):
    facility_id: Id
    days: list[OccupancyDay]
