"""Events housing publishes about placements (topic ``lgnet.housing.placements``, key the
placement id): ids, the household's size, dates and the outcome code; no household member.
``placement.over_stay`` is raised once per placement, by the stay check that first finds the
household still there after the facility's maximum stay (`jobs.check_stays`)."""

from __future__ import annotations

import uuid
from datetime import date

from kit.events.types import EventData, event_type

TOPIC = "lgnet.housing.placements"


class PlacementData(EventData):
    placement_id: uuid.UUID
    request_id: uuid.UUID
    case_id: uuid.UUID
    unit_id: uuid.UUID
    facility_id: uuid.UUID
    proposal_id: uuid.UUID | None
    household_size: int
    moved_in_on: date
    stay_ends_on: date | None
    moved_out_on: date | None
    outcome: str | None


PlacementStarted = event_type("lgnet.housing.placement.started", topic=TOPIC, payload=PlacementData)
PlacementEnded = event_type("lgnet.housing.placement.ended", topic=TOPIC, payload=PlacementData)


class PlacementOverStayData(EventData):
    placement_id: uuid.UUID
    request_id: uuid.UUID
    unit_id: uuid.UUID
    facility_id: uuid.UUID
    household_size: int
    moved_in_on: date
    stay_ends_on: date
    days_over: int  # days past stay_ends_on on the day it was raised


PlacementOverStay = event_type(
    "lgnet.housing.placement.over_stay", topic=TOPIC, payload=PlacementOverStayData
)
