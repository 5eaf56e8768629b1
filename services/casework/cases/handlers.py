"""Consumers of other services' events: intake's hand-overs open cases."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import consumed_event
from kit.service import Subscription
from services.casework.cases import service
from services.casework.cases.schemas import HandedOverReferralIn

REFERRAL_HANDED_OVER = consumed_event(
    "lgnet.intake.referral.handed_over",
    topic="lgnet.intake.referrals",
    payload=HandedOverReferralIn,
)


async def on_referral_handed_over(session: AsyncSession, event: CloudEvent) -> None:
    handover_in = REFERRAL_HANDED_OVER.read(event)
    await service.open_case(session=session, handover_in=handover_in)


referrals = Subscription("referrals", {REFERRAL_HANDED_OVER: on_referral_handed_over})
