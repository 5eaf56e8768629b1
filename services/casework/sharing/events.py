"""Events casework publishes about what a case shares (topic ``lgnet.casework.cases``, key the
case id). The grounding reference of a legal basis (free text) stays in casework."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class AccessGrantData(EventData):
    case_id: uuid.UUID
    lead_organisation: str
    organisation: str
    reach: str | None  # None: revoked
    changed_at: datetime


class LegalBasisData(EventData):
    case_id: uuid.UUID
    lead_organisation: str
    purpose: str
    basis: str | None  # None: removed, consent alone covers the purpose again
    changed_at: datetime


AccessGrantChanged = event_type(
    "lgnet.casework.access.grant_changed", topic=TOPIC, payload=AccessGrantData
)
LegalBasisChanged = event_type(
    "lgnet.casework.legal_basis.changed", topic=TOPIC, payload=LegalBasisData
)
