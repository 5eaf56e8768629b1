"""What a service consumes: typed declarations of other services' events, and their payloads.

A consumer declares each event it reads once, in its feature's ``handlers.py``, with the
tolerant reader of the payload it needs — never importing the publishing service::

    REFERRAL_HANDED_OVER = consumed_event(
        "lgnet.intake.referral.handed_over", topic="lgnet.intake.referrals",
        payload=HandedOverReferralIn,
    )

    async def on_referral_handed_over(session: AsyncSession, event: CloudEvent) -> None:
        handover_in = REFERRAL_HANDED_OVER.read(event)
        ...

    referrals = Subscription("referrals", {REFERRAL_HANDED_OVER: on_referral_handed_over})

The subscription's topics come from the declarations.  A test checks every declaration
against the published contracts (``contracts/events``): the event type exists at that
version, on that topic, and carries every field the payload reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kit.events.envelope import CloudEvent
from kit.events.types import EventDeclaration
from kit.inbox.consumer import Unprocessable

M = TypeVar("M", bound=BaseModel)


def read_payload(model: type[M], event: CloudEvent) -> M:
    """`event`'s data as `model`; `Unprocessable` (straight to the DLQ, no retry can fix it)
    naming the invalid fields — their names only, never the values (they may be personal)."""
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, error["loc"])) or "(data)" for error in exc.errors())
        raise Unprocessable(f"{event.type} {event.id}: invalid {fields}") from exc


@dataclass(frozen=True)
class ConsumedEvent(EventDeclaration[M]):
    """An event type another service publishes, as this consumer reads it (its tolerant
    reader as `payload`)."""

    def read(self, event: CloudEvent) -> M:
        """`read_payload` with this declaration's payload model."""
        return read_payload(self.payload, event)


_CONSUMED: dict[tuple[str, type[BaseModel]], ConsumedEvent[Any]] = {}


def consumed_event(
    name: str, *, topic: str, payload: type[M], version: int = 1
) -> ConsumedEvent[M]:
    """Declare (and register, for the contract test) an event type this service consumes."""
    declared = ConsumedEvent(name, topic, payload, version)
    _CONSUMED[(name, payload)] = declared
    return declared


def consumed() -> list[ConsumedEvent[Any]]:
    """Every consumed event declared by the modules imported so far."""
    return list(_CONSUMED.values())
