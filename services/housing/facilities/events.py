"""Events housing publishes about facilities and their units (topic ``lgnet.housing.facilities``).

A facility is not person data; its free-text name and address stay out of events all the same,
and so does a unit's label.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.housing.facilities"


class FacilityData(EventData):
    """Who a facility admits, as it is after the change."""

    facility_id: uuid.UUID
    kind: str
    operator_organisation: str
    municipio: int
    target_groups: list[str]
    sex_policy: str
    min_age: int
    max_age: int | None
    accessible: bool
    max_stay_days: int | None


class FacilityRegisteredData(FacilityData):
    registered_at: datetime


class FacilityChangedData(FacilityData):
    version: int
    changed_at: datetime


class UnitData(EventData):
    """A unit as it is after the change: its beds and how they are let."""

    facility_id: uuid.UUID
    unit_id: uuid.UUID
    version: int
    beds: int
    letting: str
    accessible: bool
    changed_at: datetime


FacilityRegistered = event_type(
    "lgnet.housing.facility.registered", topic=TOPIC, payload=FacilityRegisteredData, version=2
)
FacilityChanged = event_type(
    "lgnet.housing.facility.changed", topic=TOPIC, payload=FacilityChangedData
)
UnitAdded = event_type("lgnet.housing.unit.added", topic=TOPIC, payload=UnitData)
UnitChanged = event_type("lgnet.housing.unit.changed", topic=TOPIC, payload=UnitData)
