"""Events intake publishes about referrals (topic ``lgnet.intake.referrals``).

No direct identifiers: place is coarsened to the Municipio, persons never appear.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.intake.referrals"


class ReferralReceivedData(EventData):
    referral_id: uuid.UUID
    channel: str
    urgency: str
    target_group: str
    municipio: int
    reporting_organisation: str
    received_at: datetime


class ReferralHandedOverData(EventData):
    referral_id: uuid.UUID
    lead_organisation: str
    reporting_organisation: str
    urgency: str
    target_group: str
    municipio: int
    received_at: datetime
    handed_over_at: datetime


class ReferralScreenedData(EventData):
    referral_id: uuid.UUID
    outcome: str
    urgency: str
    target_group: str
    municipio: int
    reporting_organisation: str
    received_at: datetime
    screened_at: datetime


ReferralReceived = event_type(
    "lgnet.intake.referral.received", topic=TOPIC, payload=ReferralReceivedData
)
ReferralHandedOver = event_type(
    "lgnet.intake.referral.handed_over", topic=TOPIC, payload=ReferralHandedOverData
)
ReferralScreened = event_type(
    "lgnet.intake.referral.screened", topic=TOPIC, payload=ReferralScreenedData
)
