"""Consumers of intake's person events (topic ``lgnet.intake.persons``). Idempotent: erasing
what is already erased changes nothing."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import consumed_event
from kit.service import Subscription
from services.events.erasure import service as erasure
from services.events.persons.schemas import PersonErasedIn

ERASED = consumed_event(
    "lgnet.intake.person.erased", topic="lgnet.intake.persons", payload=PersonErasedIn
)


async def on_erased(session: AsyncSession, event: CloudEvent) -> None:
    """A beneficiary erased in intake: what they said in feedback goes (the scores stay)."""
    erased = ERASED.read(event)
    await erasure.person_erased(session, [erased.person_ref, *erased.merged_refs])


persons = Subscription("persons", {ERASED: on_erased})
