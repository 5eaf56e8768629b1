"""Consumers of intake's person events (topic ``lgnet.intake.persons``). Idempotent: a
redelivered event finds nothing open to withdraw."""

from __future__ import annotations

from typing import Final

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import consumed_event
from kit.service import Subscription
from services.housing.cases import service as cases
from services.housing.persons.schemas import ConsentWithdrawnIn, PersonErasedIn
from services.housing.requests import service as requests

_TOPIC = "lgnet.intake.persons"
HOUSING_SUPPORT: Final = "housing_support"  # intake's purpose of the consent housing acts on

ERASED = consumed_event("lgnet.intake.person.erased", topic=_TOPIC, payload=PersonErasedIn)
CONSENT_WITHDRAWN = consumed_event(
    "lgnet.intake.consent.withdrawn", topic=_TOPIC, payload=ConsentWithdrawnIn
)


async def on_erased(session: AsyncSession, event: CloudEvent) -> None:
    """The person's cases' requests are withdrawn and forget their households."""
    erased = ERASED.read(event)
    case_ids = await cases.cases_of_persons(session, [erased.person_ref, *erased.merged_refs])
    await requests.person_erased(session, case_ids)


async def on_consent_withdrawn(session: AsyncSession, event: CloudEvent) -> None:
    """Housing support given on consent ends with it: the person's cases' open requests are
    withdrawn. (Support on another legal basis goes on.)"""
    withdrawal = CONSENT_WITHDRAWN.read(event)
    if withdrawal.purpose == HOUSING_SUPPORT and withdrawal.legal_basis == "consent":
        case_ids = await cases.cases_of_persons(session, [withdrawal.person_ref])
        await requests.consent_withdrawn(session, case_ids)


persons = Subscription("persons", {ERASED: on_erased, CONSENT_WITHDRAWN: on_consent_withdrawn})
