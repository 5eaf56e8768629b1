"""Events the events service publishes about initiatives (topic ``lgnet.events.initiatives``,
key the initiative id).

No free text: the title, the description, their translations and the neighbourhood's name stay
out; the place is the Municipio, the text only the languages it is in.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from kit.events.types import EventData, event_type

TOPIC = "lgnet.events.initiatives"


class InitiativeData(EventData):
    """An initiative as it is after the change."""

    initiative_id: uuid.UUID
    version: int
    kind: str
    status: str
    organiser_organisation: str
    partner_organisations: list[str]
    audience: str
    topics: list[str]
    languages: list[str]  # ISO 639-1 codes of the languages it has text in, Italian included
    municipio: int
    starts_on: date
    ends_on: date


class InitiativeCreatedData(InitiativeData):
    created_at: datetime


class InitiativeChangedData(InitiativeData):
    changed: list[str]  # the names of the changed fields, never their values
    changed_at: datetime


class InitiativePublishedData(InitiativeData):
    published_at: datetime


class InitiativeEndedData(InitiativeData):
    """A completed or cancelled initiative (published_at null if it never was)."""

    published_at: datetime | None
    ended_at: datetime


# v2: the status, partners, topics, languages and version came in with the lifecycle
InitiativeCreated = event_type(
    "lgnet.events.initiative.created", topic=TOPIC, payload=InitiativeCreatedData, version=2
)
InitiativeChanged = event_type(
    "lgnet.events.initiative.changed", topic=TOPIC, payload=InitiativeChangedData
)
InitiativePublished = event_type(
    "lgnet.events.initiative.published", topic=TOPIC, payload=InitiativePublishedData
)
InitiativeCompleted = event_type(
    "lgnet.events.initiative.completed", topic=TOPIC, payload=InitiativeEndedData
)
InitiativeCancelled = event_type(
    "lgnet.events.initiative.cancelled", topic=TOPIC, payload=InitiativeEndedData
)
