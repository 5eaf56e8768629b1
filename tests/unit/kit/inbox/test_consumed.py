"""A consumer declares what it reads; the kit reads it; a payload no retry fixes is refused."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import BaseModel, ConfigDict
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.events.envelope import CloudEvent
from kit.inbox import Unprocessable, consumed_event, read_payload
from kit.schemas import Id, Municipio
from kit.service import Subscription


class ReceivedIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    referral_id: Id
    municipio: Municipio
    received_at: datetime


RECEIVED = consumed_event(
    "lgnet.testkit.referral.received", topic="lgnet.testkit.referrals", payload=ReceivedIn
)
HANDED_OVER = consumed_event(
    "lgnet.testkit.referral.handed_over", topic="lgnet.testkit.referrals", payload=ReceivedIn
)
OPENED = consumed_event(
    "lgnet.testkit.case.opened", topic="lgnet.testkit.cases", payload=ReceivedIn
)


def event(data: dict[str, object], type_: str = RECEIVED.name) -> CloudEvent:
    return CloudEvent(
        type=type_,
        source="/lgnet/testkit",
        subject="s",
        data=data,
        dataschema=RECEIVED.dataschema,
        id="e-1",
    )


async def handle(session: AsyncSession, event: CloudEvent) -> None:
    return None


def test_a_valid_payload_is_read_and_unknown_fields_are_ignored() -> None:
    data = {
        "referral_id": "9b2f6a54-0c44-4f55-8d0e-4f2a7c1f9a10",
        "municipio": 8,
        "received_at": "2026-01-05T10:00:00Z",
        "channel": "street",
    }
    read = RECEIVED.read(event(data))
    assert read == read_payload(ReceivedIn, event(data))
    assert read.municipio == 8


def test_an_invalid_payload_is_unprocessable_naming_fields_not_values() -> None:
    data = {"referral_id": "not-a-uuid", "municipio": 12, "received_at": "2026-01-05T10:00:00Z"}
    with pytest.raises(Unprocessable) as excinfo:
        read_payload(ReceivedIn, event(data))
    message = str(excinfo.value)
    assert message.startswith("lgnet.testkit.referral.received e-1: invalid ")
    assert "referral_id" in message
    assert "municipio" in message
    assert "not-a-uuid" not in message


def test_a_subscription_takes_its_topics_and_handler_names_from_the_declarations() -> None:
    subscription = Subscription(
        "referrals", {RECEIVED: handle, HANDED_OVER: handle, OPENED: handle}
    )
    assert subscription.topics == ["lgnet.testkit.cases", "lgnet.testkit.referrals"]
    assert set(subscription.handlers) == {RECEIVED.name, HANDED_OVER.name, OPENED.name}
    assert RECEIVED.dataschema == "urn:lgnet:event:lgnet.testkit.referral.received:v1"


def test_a_subscription_consumes_something_and_each_type_once() -> None:
    with pytest.raises(ValueError, match="consumes nothing"):
        Subscription("empty", {})
    again = consumed_event(RECEIVED.name, topic="lgnet.testkit.other", payload=BaseModel)
    with pytest.raises(ValueError, match="twice"):
        Subscription("twice", {RECEIVED: handle, again: handle})
    with pytest.raises(ValueError, match=r"lgnet\.<service>"):
        consumed_event("referral.received", topic="t", payload=ReceivedIn)
