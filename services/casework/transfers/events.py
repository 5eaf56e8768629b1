"""Events casework publishes about transfers (topic ``lgnet.casework.cases``, key the case id).
Reasons (free text) stay in casework."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class TransferData(EventData):
    transfer_id: uuid.UUID
    case_id: uuid.UUID
    from_organisation: str
    to_organisation: str
    status: str
    requested_at: datetime


class TransferAnsweredData(TransferData):
    answered_at: datetime
    former_lead_reach: str | None


TransferRequested = event_type(
    "lgnet.casework.transfer.requested", topic=TOPIC, payload=TransferData
)
TransferAnswered = event_type(
    "lgnet.casework.transfer.answered", topic=TOPIC, payload=TransferAnsweredData
)
