"""Events housing publishes about facilities (topic ``lgnet.housing.facilities``).

A facility is not person data; its free-text name stays out of events all the same.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.housing.facilities"


class FacilityRegisteredData(EventData):
    facility_id: uuid.UUID
    kind: str
    operator_organisation: str
    municipio: int
    capacity_beds: int
    target_groups: list[str]
    sex: str
    accessible: bool
    max_stay_days: int | None
    registered_at: datetime


FacilityRegistered = event_type(
    "lgnet.housing.facility.registered", topic=TOPIC, payload=FacilityRegisteredData
)
