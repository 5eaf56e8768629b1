"""Events intake publishes about referrals (topic ``lgnet.intake.referrals``).

No direct identifiers: place is coarsened to the Municipio; persons appear only as
``person_refs``, their pseudonymous references (``lgnet.intake.persons`` says more of them).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from kit.events.types import EventData, event_type

TOPIC = "lgnet.intake.referrals"


class ReferralEventData(EventData):
    """What every referral event says of its referral."""

    referral_id: uuid.UUID
    urgency: str
    target_group: str
    municipio: int
    reporting_organisation: str
    received_at: datetime


class ReferralReceivedData(ReferralEventData):
    """A referral was received (from any channel)."""

    person_refs: list[uuid.UUID] = Field(default_factory=list)
    channel: str


class ReferralHandedOverData(ReferralEventData):
    """The referral was handed over to a lead organisation (casework opens the case)."""

    person_refs: list[uuid.UUID] = Field(default_factory=list)
    lead_organisation: str
    handed_over_at: datetime
    # the SLA deadlines in force at the hand-over (absent from events before 3 December 2026):
    # a hand-over with no first contact recorded is the first reach of the person
    due_at: datetime | None = None  # the hand-over deadline
    reach_due_at: datetime | None = None  # the first-contact deadline


class ReferralScreenedData(ReferralEventData):
    """The referral was screened: its outcome and re-scored urgency."""

    outcome: str
    screened_at: datetime


class ReferralFirstContactedData(ReferralEventData):
    """The person of a referral was reached for the first time."""

    # field names avoid "contact", which event schemas keep for contact details (never sent)
    due_at: datetime  # the first-contact deadline
    reached_at: datetime  # when the person was first reached


class ReferralOverdueData(ReferralEventData):
    """A rapid-response deadline missed (escalation); raised once per referral and kind."""

    kind: str  # first_contact | hand_over
    deadline: datetime


ReferralReceived = event_type(
    "lgnet.intake.referral.received", topic=TOPIC, payload=ReferralReceivedData
)
ReferralHandedOver = event_type(
    "lgnet.intake.referral.handed_over", topic=TOPIC, payload=ReferralHandedOverData
)
ReferralScreened = event_type(
    "lgnet.intake.referral.screened", topic=TOPIC, payload=ReferralScreenedData
)
ReferralFirstContacted = event_type(
    "lgnet.intake.referral.first_contacted", topic=TOPIC, payload=ReferralFirstContactedData
)
ReferralOverdue = event_type(
    "lgnet.intake.referral.overdue", topic=TOPIC, payload=ReferralOverdueData
)
