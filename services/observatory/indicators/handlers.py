"""Consumers of other services' events: they keep the read model the indicators count."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox.consumer import Unprocessable
from kit.service import Subscription
from services.observatory.indicators import service
from services.observatory.indicators.schemas import (
    CaseOpenedIn,
    ReferralHandedOverIn,
    ReferralReceivedIn,
)

REFERRALS_TOPIC = "lgnet.intake.referrals"
REFERRAL_RECEIVED = "lgnet.intake.referral.received"
REFERRAL_HANDED_OVER = "lgnet.intake.referral.handed_over"
CASES_TOPIC = "lgnet.casework.cases"
CASE_OPENED = "lgnet.casework.case.opened"

M = TypeVar("M", bound=BaseModel)


def _read(model: type[M], event: CloudEvent) -> M:
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:  # no retry can fix it: to the DLQ, with the reason
        fields = ", ".join(".".join(map(str, error["loc"])) for error in exc.errors())
        raise Unprocessable(f"{event.type} {event.id}: invalid {fields}") from exc


async def on_referral_received(session: AsyncSession, event: CloudEvent) -> None:
    received_in = _read(ReferralReceivedIn, event)
    await service.record_referral_received(session=session, received_in=received_in)


async def on_referral_handed_over(session: AsyncSession, event: CloudEvent) -> None:
    handover_in = _read(ReferralHandedOverIn, event)
    await service.record_referral_handed_over(session=session, handover_in=handover_in)


async def on_case_opened(session: AsyncSession, event: CloudEvent) -> None:
    case_in = _read(CaseOpenedIn, event)
    await service.record_case_opened(session=session, case_in=case_in)


referrals = Subscription(
    name="referrals",
    topics=[REFERRALS_TOPIC],
    handlers={
        REFERRAL_RECEIVED: on_referral_received,
        REFERRAL_HANDED_OVER: on_referral_handed_over,
    },
)
cases = Subscription(name="cases", topics=[CASES_TOPIC], handlers={CASE_OPENED: on_case_opened})
