"""Consumers of other services' events: they keep the read model the indicators count."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import consumed_event
from kit.service import Subscription
from services.observatory.indicators import service
from services.observatory.indicators.schemas import (
    CaseOpenedIn,
    ReferralHandedOverIn,
    ReferralReceivedIn,
)

_INTAKE_REFERRALS = "lgnet.intake.referrals"

REFERRAL_RECEIVED = consumed_event(
    "lgnet.intake.referral.received", topic=_INTAKE_REFERRALS, payload=ReferralReceivedIn
)
REFERRAL_HANDED_OVER = consumed_event(
    "lgnet.intake.referral.handed_over", topic=_INTAKE_REFERRALS, payload=ReferralHandedOverIn
)
CASE_OPENED = consumed_event(
    "lgnet.casework.case.opened", topic="lgnet.casework.cases", payload=CaseOpenedIn, version=2
)


async def on_referral_received(session: AsyncSession, event: CloudEvent) -> None:
    received_in = REFERRAL_RECEIVED.read(event)
    await service.record_referral_received(session=session, received_in=received_in)


async def on_referral_handed_over(session: AsyncSession, event: CloudEvent) -> None:
    handover_in = REFERRAL_HANDED_OVER.read(event)
    await service.record_referral_handed_over(session=session, handover_in=handover_in)


async def on_case_opened(session: AsyncSession, event: CloudEvent) -> None:
    case_in = CASE_OPENED.read(event)
    await service.record_case_opened(session=session, case_in=case_in)


referrals = Subscription(
    "referrals",
    {REFERRAL_RECEIVED: on_referral_received, REFERRAL_HANDED_OVER: on_referral_handed_over},
)
cases = Subscription("cases", {CASE_OPENED: on_case_opened})
