"""Consumers of intake's person events (topic ``lgnet.intake.persons``)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import consumed_event
from kit.service import Subscription
from services.casework.persons import service
from services.casework.persons.schemas import (
    ConsentWithdrawnIn,
    PersonErasedIn,
    PersonMergedIn,
    PersonSplitIn,
    PersonUpdatedIn,
)

_TOPIC = "lgnet.intake.persons"

UPDATED = consumed_event("lgnet.intake.person.updated", topic=_TOPIC, payload=PersonUpdatedIn)
MERGED = consumed_event("lgnet.intake.person.merged", topic=_TOPIC, payload=PersonMergedIn)
SPLIT = consumed_event("lgnet.intake.person.split", topic=_TOPIC, payload=PersonSplitIn)
ERASED = consumed_event("lgnet.intake.person.erased", topic=_TOPIC, payload=PersonErasedIn)
CONSENT_WITHDRAWN = consumed_event(
    "lgnet.intake.consent.withdrawn", topic=_TOPIC, payload=ConsentWithdrawnIn
)


async def on_updated(session: AsyncSession, event: CloudEvent) -> None:
    await service.updated(session, UPDATED.read(event))


async def on_merged(session: AsyncSession, event: CloudEvent) -> None:
    await service.merged(session, MERGED.read(event))


async def on_split(session: AsyncSession, event: CloudEvent) -> None:
    await service.split(session, SPLIT.read(event))


async def on_erased(session: AsyncSession, event: CloudEvent) -> None:
    await service.erased(session, ERASED.read(event))


async def on_consent_withdrawn(session: AsyncSession, event: CloudEvent) -> None:
    await service.consent_withdrawn(session, CONSENT_WITHDRAWN.read(event))


persons = Subscription(
    "persons",
    {
        UPDATED: on_updated,
        MERGED: on_merged,
        SPLIT: on_split,
        ERASED: on_erased,
        CONSENT_WITHDRAWN: on_consent_withdrawn,
    },
)
