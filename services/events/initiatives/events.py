"""Events the events service publishes about initiatives (topic ``lgnet.events.initiatives``).

No free text: the title and the neighbourhood's name stay out; the place is the Municipio.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.events.initiatives"


class InitiativeCreatedData(EventData):
    initiative_id: uuid.UUID
    kind: str
    organiser_organisation: str
    audience: str
    municipio: int
    starts_on: date
    ends_on: date
    created_at: datetime


InitiativeCreated = event_type(
    "lgnet.events.initiative.created", topic=TOPIC, payload=InitiativeCreatedData
)
