"""Events intake publishes about households (topic ``lgnet.intake.households``).

Members appear as pseudonymous person references with their relation only.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.intake.households"


class HouseholdMemberData(EventData):
    person_ref: uuid.UUID
    relation: str


class HouseholdChangedData(EventData):
    household_id: uuid.UUID
    version: int
    members: list[HouseholdMemberData]
    registered_by_organisation: str
    changed_at: datetime


HouseholdRegistered = event_type(
    "lgnet.intake.household.registered", topic=TOPIC, payload=HouseholdChangedData
)
HouseholdChanged = event_type(
    "lgnet.intake.household.changed", topic=TOPIC, payload=HouseholdChangedData
)
