"""Events the events service publishes about sessions (topic ``lgnet.events.initiatives``,
key the initiative id: an initiative's sessions stay in order with it). No venue name or
address: the place is the Municipio."""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type
from services.events.initiatives.service import TOPIC


class SessionData(EventData):
    """A session as it is after the change."""

    session_id: uuid.UUID
    initiative_id: uuid.UUID
    version: int
    status: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    venue_municipio: int
    venue_accessible: bool
    capacity: int
    languages: list[str]
    cultural_mediator: bool
    interpreter: bool
    changed_at: datetime


class SessionRescheduledData(SessionData):
    """The times it had before, for registrants to be told."""

    previous_starts_at: datetime
    previous_ends_at: datetime


SessionScheduled = event_type("lgnet.events.session.scheduled", topic=TOPIC, payload=SessionData)
SessionChanged = event_type("lgnet.events.session.changed", topic=TOPIC, payload=SessionData)
SessionRescheduled = event_type(
    "lgnet.events.session.rescheduled", topic=TOPIC, payload=SessionRescheduledData
)
SessionCancelled = event_type("lgnet.events.session.cancelled", topic=TOPIC, payload=SessionData)
