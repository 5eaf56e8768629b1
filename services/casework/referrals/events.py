"""Events casework publishes about service referrals (on the cases' topic, key the case id).

Ids, organisations, the service, dates and statuses only: the team's request and a decline's
reason stay in casework, and no user appears.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.casework.cases"


class ReferralEventData(EventData):
    """What every referral event carries."""

    case_id: uuid.UUID
    referral_id: uuid.UUID
    service_id: uuid.UUID
    directory_organization_id: uuid.UUID
    lead_organisation: str
    referring_organisation: str
    receiving_organisation: str
    target_group: str
    municipio: int
    status: str
    referred_at: datetime
    answer_due_at: datetime


class ReferralMadeData(ReferralEventData):
    team_role: str


class ReferralAnsweredData(ReferralEventData):
    answered_at: datetime


class ReferralWithdrawnData(ReferralEventData):
    withdrawn_at: datetime


ReferralMade = event_type("lgnet.casework.referral.made", topic=TOPIC, payload=ReferralMadeData)
ReferralAccepted = event_type(
    "lgnet.casework.referral.accepted", topic=TOPIC, payload=ReferralAnsweredData
)
ReferralDeclined = event_type(
    "lgnet.casework.referral.declined", topic=TOPIC, payload=ReferralAnsweredData
)
ReferralWithdrawn = event_type(
    "lgnet.casework.referral.withdrawn", topic=TOPIC, payload=ReferralWithdrawnData
)
ReferralOverdue = event_type(
    "lgnet.casework.referral.overdue", topic=TOPIC, payload=ReferralEventData
)
