"""Consumers of casework's case events (topic ``lgnet.casework.cases``): the case facts follow
them, and a case's closing withdraws its open housing request."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import consumed_event
from kit.service import Subscription
from services.housing.cases import service
from services.housing.cases.schemas import (
    CaseAnonymisedIn,
    CaseClosedIn,
    CaseOpenedIn,
    CaseReopenedIn,
    CaseStatusChangedIn,
    TeamMemberIn,
    TransferAnsweredIn,
)
from services.housing.requests import service as requests

_TOPIC = "lgnet.casework.cases"

OPENED = consumed_event("lgnet.casework.case.opened", topic=_TOPIC, payload=CaseOpenedIn, version=2)
STATUS_CHANGED = consumed_event(
    "lgnet.casework.case.status_changed", topic=_TOPIC, payload=CaseStatusChangedIn
)
CLOSED = consumed_event("lgnet.casework.case.closed", topic=_TOPIC, payload=CaseClosedIn)
REOPENED = consumed_event("lgnet.casework.case.reopened", topic=_TOPIC, payload=CaseReopenedIn)
JOINED = consumed_event("lgnet.casework.team.member_joined", topic=_TOPIC, payload=TeamMemberIn)
LEFT = consumed_event("lgnet.casework.team.member_left", topic=_TOPIC, payload=TeamMemberIn)
ANONYMISED = consumed_event(
    "lgnet.casework.case.anonymised", topic=_TOPIC, payload=CaseAnonymisedIn
)
TRANSFER_ANSWERED = consumed_event(
    "lgnet.casework.transfer.answered", topic=_TOPIC, payload=TransferAnsweredIn
)


async def on_opened(session: AsyncSession, event: CloudEvent) -> None:
    opened = OPENED.read(event)
    await service.opened(session, opened)
    await requests.case_changed(session, opened.case_id)


async def on_status_changed(session: AsyncSession, event: CloudEvent) -> None:
    changed = STATUS_CHANGED.read(event)
    await service.status_changed(session, changed)
    await requests.case_changed(session, changed.case_id)  # the target group may change too


async def on_closed(session: AsyncSession, event: CloudEvent) -> None:
    closed = CLOSED.read(event)
    await service.closed(session, closed)
    await requests.case_closed(session, [closed.case_id])


async def on_reopened(session: AsyncSession, event: CloudEvent) -> None:
    await service.reopened(session, REOPENED.read(event))


async def on_joined(session: AsyncSession, event: CloudEvent) -> None:
    await service.member_changed(session, JOINED.read(event))


async def on_left(session: AsyncSession, event: CloudEvent) -> None:
    await service.member_changed(session, LEFT.read(event))


async def on_anonymised(session: AsyncSession, event: CloudEvent) -> None:
    anonymised = ANONYMISED.read(event)
    await service.anonymised(session, anonymised)
    await requests.case_closed(session, [anonymised.case_id])
    await requests.erase_households(session, [anonymised.case_id])


async def on_transfer_answered(session: AsyncSession, event: CloudEvent) -> None:
    await service.transfer_answered(session, TRANSFER_ANSWERED.read(event))


cases = Subscription(
    "cases",
    {
        OPENED: on_opened,
        STATUS_CHANGED: on_status_changed,
        CLOSED: on_closed,
        REOPENED: on_reopened,
        JOINED: on_joined,
        LEFT: on_left,
        ANONYMISED: on_anonymised,
        TRANSFER_ANSWERED: on_transfer_answered,
    },
)
