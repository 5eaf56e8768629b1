"""Events casework publishes about cases (topic ``lgnet.casework.cases``).

No direct identifiers: the case and referral ids are pseudonymous references, place is the
Municipio, persons never appear.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class CaseOpenedData(EventData):
    case_id: uuid.UUID
    referral_id: uuid.UUID
    lead_organisation: str
    target_group: str
    municipio: int
    urgency: str
    opened_at: datetime
    referral_received_at: datetime


CaseOpened = event_type("lgnet.casework.case.opened", topic=TOPIC, payload=CaseOpenedData)
