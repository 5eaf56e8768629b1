"""Events intake publishes about persons (topic ``lgnet.intake.persons``).

No direct identifiers: a person appears as ``person_ref`` (a random id that carries nothing
about them) with coarse attributes only: age band, sex, nationality.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from kit.events.types import EventData, event_type
from services.intake.persons.domain import ErasureGround

TOPIC = "lgnet.intake.persons"


class PersonProfileData(EventData):
    person_ref: uuid.UUID
    age_band: str
    sex: str | None
    nationality: str | None
    registered_by_organisation: str


class PersonRegisteredData(PersonProfileData):
    registered_at: datetime


class PersonUpdatedData(PersonProfileData):
    version: int
    changed: list[str]  # the names of the changed fields, never their values
    updated_at: datetime


class PersonMergedData(EventData):
    survivor_ref: uuid.UUID
    merged_ref: uuid.UUID
    merged_at: datetime


class PersonSplitData(EventData):
    survivor_ref: uuid.UUID
    restored_ref: uuid.UUID
    split_at: datetime


class PersonErasedData(EventData):
    """Every service erases what it holds about ``person_ref`` (and ``merged_refs``)."""

    person_ref: uuid.UUID
    merged_refs: list[uuid.UUID]
    ground: ErasureGround
    erased_at: datetime


class ConsentWithdrawnData(EventData):
    """Stop using what the consent covered: processing for ``purpose`` of ``person_ref``."""

    consent_id: uuid.UUID
    person_ref: uuid.UUID
    purpose: str
    legal_basis: str
    withdrawn_at: datetime


PersonRegistered = event_type(
    "lgnet.intake.person.registered", topic=TOPIC, payload=PersonRegisteredData
)
PersonUpdated = event_type("lgnet.intake.person.updated", topic=TOPIC, payload=PersonUpdatedData)
PersonMerged = event_type("lgnet.intake.person.merged", topic=TOPIC, payload=PersonMergedData)
PersonSplit = event_type("lgnet.intake.person.split", topic=TOPIC, payload=PersonSplitData)
PersonErased = event_type("lgnet.intake.person.erased", topic=TOPIC, payload=PersonErasedData)
ConsentWithdrawn = event_type(
    "lgnet.intake.consent.withdrawn", topic=TOPIC, payload=ConsentWithdrawnData
)
