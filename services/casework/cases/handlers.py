"""Consumers of other services' events: intake's hand-overs open cases."""

from __future__ import annotations

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox.consumer import Unprocessable
from kit.service import Subscription
from services.casework.cases import service
from services.casework.cases.schemas import HandedOverReferralIn

REFERRALS_TOPIC = "lgnet.intake.referrals"
REFERRAL_HANDED_OVER = "lgnet.intake.referral.handed_over"


async def on_referral_handed_over(session: AsyncSession, event: CloudEvent) -> None:
    try:
        handover_in = HandedOverReferralIn.model_validate(event.data)
    except ValidationError as exc:  # no retry can fix it: to the DLQ, with the reason
        fields = ", ".join(".".join(map(str, error["loc"])) for error in exc.errors())
        raise Unprocessable(f"{event.type} {event.id}: invalid {fields}") from exc
    await service.open_case(session=session, handover_in=handover_in)


referrals = Subscription(
    name="referrals",
    topics=[REFERRALS_TOPIC],
    handlers={REFERRAL_HANDED_OVER: on_referral_handed_over},
)
