"""Events the events service publishes about registrations (topic ``lgnet.events.initiatives``,
key the initiative id). A beneficiary appears by intake's ``person_ref``; a member of the
public never appears as a person: no name, contact, token, nor registration id — their
changes are told as the session's seat counts (``session.seats_changed``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type
from services.events.initiatives.service import TOPIC


class SeatCounts(EventData):
    capacity: int
    registered: int
    offered: int
    waitlisted: int


class RegistrationData(EventData):
    """A beneficiary's registration as it is after the change, and the session's seats."""

    initiative_id: uuid.UUID
    session_id: uuid.UUID
    registration_id: uuid.UUID
    registrant: str  # beneficiary
    person_ref: uuid.UUID
    status: str
    position: int | None
    offer_expires_at: datetime | None
    organisation: str | None
    seats: SeatCounts
    changed_at: datetime


class SeatsChangedData(EventData):
    """A public registrant's change, as counts only: what it became (``status``)."""

    initiative_id: uuid.UUID
    session_id: uuid.UUID
    registrant: str  # public
    status: str
    seats: SeatCounts
    changed_at: datetime


def _registration(event: str) -> str:
    return f"lgnet.events.registration.{event}"


BeneficiaryRegistered = event_type(
    _registration("registered"), topic=TOPIC, payload=RegistrationData
)
BeneficiaryWaitlisted = event_type(
    _registration("waitlisted"), topic=TOPIC, payload=RegistrationData
)
BeneficiaryOffered = event_type(_registration("offered"), topic=TOPIC, payload=RegistrationData)
BeneficiaryConfirmed = event_type(_registration("confirmed"), topic=TOPIC, payload=RegistrationData)
BeneficiaryCancelled = event_type(_registration("cancelled"), topic=TOPIC, payload=RegistrationData)
OfferExpired = event_type(_registration("offer_expired"), topic=TOPIC, payload=RegistrationData)
SeatsChanged = event_type(
    "lgnet.events.session.seats_changed", topic=TOPIC, payload=SeatsChangedData
)
