"""Events housing publishes about housing requests (topic ``lgnet.housing.requests``, key the
request id).

No direct identifiers: the household is its size, adults, minors and age bands — never ages —;
the case is its pseudonymous id; who filed it is their organisation.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.housing.requests"


class RequestData(EventData):
    """A request as it is after the change."""

    request_id: uuid.UUID
    case_id: uuid.UUID
    version: int
    status: str
    target_group: str
    household_size: int
    adults: int
    minors: int
    age_bands: dict[str, int]
    needs_accessible: bool
    preferred_municipi: list[int]
    urgency: str
    requested_on: date
    organisation: str


class RequestFiledData(RequestData):
    filed_at: datetime


class RequestChangedData(RequestData):
    changed: list[str]  # the names of the fields changed
    changed_at: datetime


class RequestWithdrawnData(RequestData):
    withdrawal: str  # why, a code of the catalogue (never free text)
    withdrawn_at: datetime


RequestFiled = event_type("lgnet.housing.request.filed", topic=TOPIC, payload=RequestFiledData)
RequestChanged = event_type(
    "lgnet.housing.request.changed", topic=TOPIC, payload=RequestChangedData
)
RequestWithdrawn = event_type(
    "lgnet.housing.request.withdrawn", topic=TOPIC, payload=RequestWithdrawnData
)
