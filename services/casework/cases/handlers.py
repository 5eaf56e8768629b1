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
    await on_referrals_handed_over(session, [event])


async def on_referrals_handed_over(session: AsyncSession, events: list[CloudEvent]) -> None:
    """A poll's run of hand-overs, in one go (the per-event handler is the fallback)."""
    handovers = [REFERRAL_HANDED_OVER.read(event) for event in events]
    await service.open_cases(session=session, handovers=handovers)


referrals = Subscription(
    "referrals",
    {REFERRAL_HANDED_OVER: on_referral_handed_over},
    batched={REFERRAL_HANDED_OVER: on_referrals_handed_over},
)
